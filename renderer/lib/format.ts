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

/**
 * An ISO instant as `YYYY-MM-DD HH:MM` in the workstation's time zone: the same shape on every
 * machine (no locale-dependent month names), minutes being enough for a trail.
 */
export function formatDateTime(iso: string | null): string {
  if (iso === null) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`;
}
