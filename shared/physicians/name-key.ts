/**
 * How a physician's name is matched: DICOM person names (0008,0090, 0008,1060) arrive as
 * `Family^Given^Middle^Prefix^Suffix`, typed by hand at a modality, in any case, with or without
 * accents, sometimes as "Given Family" or "Family, Given". The key forgives all of that: accents
 * stripped, lower case, honorifics and the DICOM prefix/suffix dropped, words sorted. Two names
 * with the same key are the same person for matching; more than one directory physician with a
 * key is an ambiguity an admin resolves. One rule, used by the hub and the directory UI alike.
 */

/** Words that say what someone is, not who (a prefix or suffix typed into the name). */
const HONORIFICS: ReadonlySet<string> = new Set(['dr', 'doctor', 'prof', 'professor', 'mr', 'mrs', 'ms', 'md', 'phd', 'do', 'mbbs', 'frcr', 'jr', 'sr']);

/** The words of a name, folded: the alphabetic group only (before any `=`), prefix and suffix dropped. */
function words(name: string): string[] {
  const alphabetic = name.split('=')[0] ?? '';
  const components = alphabetic.includes('^') ? alphabetic.split('^').slice(0, 3) : [alphabetic];
  return components
    .join(' ')
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0 && !HONORIFICS.has(word));
}

/** The matching key of a person's name, or '' when nothing of a name is left. */
export function personNameKey(name: string): string {
  return words(name).sort().join(' ');
}

/** Family and given names from a DICOM person name (or "Given Family" typed by hand). */
export function splitPersonName(name: string): { readonly familyName: string; readonly givenNames: string } {
  const alphabetic = (name.split('=')[0] ?? '').trim();
  if (alphabetic.includes('^')) {
    const [family = '', given = '', middle = ''] = alphabetic.split('^');
    return { familyName: family.trim(), givenNames: [given, middle].map((part) => part.trim()).filter(Boolean).join(' ') };
  }
  if (alphabetic.includes(',')) {
    const [family = '', ...rest] = alphabetic.split(',');
    return { familyName: family.trim(), givenNames: rest.join(' ').trim() };
  }
  const parts = alphabetic.split(/\s+/).filter((part) => part.length > 0 && !HONORIFICS.has(part.toLowerCase().replace(/\.$/, '')));
  return { familyName: parts.at(-1) ?? '', givenNames: parts.slice(0, -1).join(' ') };
}

/** How a physician is named in lists and in "Carl Case Manager for Dr Paula Physician". */
export function physicianLabel(displayName: string): string {
  return /^dr\.?\s/i.test(displayName) ? displayName : `Dr ${displayName}`;
}
