/**
 * How study text is searched and sorted, shared by the local index and the hub so that the same
 * words find the same studies in both. The local index lets SQLite's FTS5 (`unicode61
 * remove_diacritics 2`) split and fold; the hub stores the words folded here in `study_terms`
 * and matches each typed word as a prefix of a stored one. Both: a word is a run of letters and
 * digits in any script; case and accents do not count; every typed word must match (AND), in any
 * of patient name, patient ID, accession number and description; at most 16 words are used.
 */

import { normalizePersonName } from './dicom/person-name';

const WORD = /[\p{L}\p{N}]+/gu;

/** A word as compared: accents removed (NFKD, marks dropped) and lower case. */
export function foldWord(word: string): string {
  return word.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The words typed into a search box (NFKC first, as the local index does), at most 16. */
export function typedWords(text: string): string[] {
  return (text.normalize('NFKC').match(WORD) ?? []).slice(0, 16);
}

/** The folded prefixes to look for, or an empty list when nothing searchable was typed. */
export function searchPrefixes(text: string): string[] {
  return [...new Set(typedWords(text).map(foldWord).filter((word) => word !== ''))];
}

/** Every folded word of the searchable fields of a study, once each. */
export function studyTerms(fields: readonly (string | null)[]): string[] {
  const terms = new Set<string>();
  for (const field of fields) {
    for (const word of field?.normalize('NFKC').match(WORD) ?? []) {
      const folded = foldWord(word);
      if (folded !== '') terms.add(folded);
    }
  }
  return [...terms];
}

/**
 * The smallest string greater than every string starting with `prefix` (its last character
 * moved up by one code point): `term >= prefix AND term < prefixEnd(prefix)` is a prefix match
 * an ordinary btree index answers, on SQLite (binary order) and on PostgreSQL (collation "C").
 */
export function prefixEnd(prefix: string): string {
  const points = [...prefix];
  const last = points.pop()!.codePointAt(0)!;
  // Letters and digits never sit just below the surrogate range, so this never makes a lone surrogate.
  return points.join('') + String.fromCodePoint(last + 1);
}

/**
 * The key the name column sorts by: case and accents folded, so "de Vries", "DE VRIES" and
 * "Dé Vries" sit together; and the component and group delimiters replaced by control characters
 * that sort before any letter, so the family name is compared whole first ("Smith^John" comes
 * before "Smithers^Ann", which a raw `^` — sorting after the letters — would reverse).
 */
export function nameSortKey(name: string | null): string {
  if (name === null) return '';
  return normalizePersonName(name).normalize('NFKD').replace(/\p{M}/gu, '').toUpperCase().replaceAll('^', '\u0001').replaceAll('=', '\u0002');
}
