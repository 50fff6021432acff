/** Display forms for DICOM values; pure. */

/**
 * "Doe^John^^Dr" → "Doe, John, Dr"; with ideographic/phonetic groups, the alphabetic one first
 * and the others after it in brackets, as most viewers show them.
 */
export function formatPersonName(value: string | null): string {
  if (value === null) return '';
  const groups = value.split('=').map((group) =>
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

export function formatDate(value: string | null): string {
  return value ?? '';
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
