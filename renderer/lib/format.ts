/** Display forms for DICOM values; pure. */

// One normal form and display of person names for the app, the CLI and the hub (PS3.5 §6.2.1).
export { formatPersonName } from '../../shared/dicom/person-name';

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
