/**
 * Person names (PN) as PS3.5 §6.2.1 defines them: up to three component groups (alphabetic,
 * ideographic, phonetic) joined by `=`, each of up to five components (family, given, middle,
 * prefix, suffix) joined by `^`. Trailing empty components and groups carry no meaning and may be
 * left out ("Wang^XiaoDong=王^小東=" is "Wang^XiaoDong=王^小東"), so names are compared, sorted
 * and shown in that normal form, while the index and the hub keep the value exactly as the file
 * had it.
 */

/** The value with trailing empty components in each group, and trailing empty groups, removed. */
export function normalizePersonName(value: string): string {
  const groups = value.split('=').map((group) => group.replace(/[\^\s]+$/u, ''));
  while (groups.length > 0 && groups[groups.length - 1] === '') groups.pop();
  return groups.join('=');
}

/**
 * "Doe^John^^Dr" → "Doe, John, Dr"; with ideographic/phonetic groups, the alphabetic one first
 * and the others after it in brackets, as most viewers show them. Empty components are skipped.
 */
export function formatPersonName(value: string | null): string {
  if (value === null) return '';
  const groups = normalizePersonName(value)
    .split('=')
    .map((group) =>
      group
        .split('^')
        .map((part) => part.trim())
        .filter((part) => part !== '')
        .join(', '),
    );
  const [first, ...rest] = groups.filter((group) => group !== '');
  if (first === undefined) return '';
  return rest.length === 0 ? first : `${first} (${rest.join(' · ')})`;
}
