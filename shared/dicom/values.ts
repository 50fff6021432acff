/**
 * Normalises decoded DICOM value strings into the forms the index stores and shows
 * (PS3.5 §6.2 value representations). Pure functions; null means absent or unusable.
 */

/** Leading and trailing spaces (and the NUL some writers pad with) are insignificant. */
export function trimValue(value: string): string {
  return value.replace(/^[\s\0]+|[\s\0]+$/g, '');
}

/** An empty value is the same as an absent one for every attribute the index keeps. */
export function textOrNull(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = trimValue(value);
  return trimmed === '' ? null : trimmed;
}

/**
 * A PN value as stored: component groups joined by `=`, components by `^`, exactly as the file
 * has them (empty components included), with only the value's padding trimmed.
 */
export function personName(value: string | null | undefined): string | null {
  return textOrNull(value);
}

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

/** DA `YYYYMMDD` (and the ACR-NEMA `YYYY.MM.DD`) as ISO `YYYY-MM-DD`; anything else is null. */
export function isoDate(value: string | null | undefined): string | null {
  const text = textOrNull(value);
  if (text === null) return null;
  const match = /^(\d{4})\.?(\d{2})\.?(\d{2})$/.exec(text);
  if (match === null) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (!validDate(year, month, day)) return null;
  return `${match[1]}-${match[2]}-${match[3]}`;
}

/** TM `HHMMSS.FFFFFF` (or `HH:MM:SS`) as `HH:MM:SS`, `HH:MM` or `HH`; fractions dropped. */
export function isoTime(value: string | null | undefined): string | null {
  const text = textOrNull(value);
  if (text === null) return null;
  const match = /^(\d{2})(?::?(\d{2})(?::?(\d{2})(?:\.\d{1,6})?)?)?$/.exec(text);
  if (match === null) return null;
  const [hours, minutes, seconds] = [match[1], match[2], match[3]];
  if (Number(hours) > 23 || Number(minutes ?? 0) > 59 || Number(seconds ?? 0) > 60) return null;
  return [hours, minutes, seconds].filter((part) => part !== undefined).join(':');
}

/** IS as a safe integer, or null. */
export function integerOrNull(value: string | null | undefined): number | null {
  const text = textOrNull(value);
  if (text === null || !/^[+-]?\d+$/.test(text)) return null;
  const parsed = Number(text);
  return Number.isSafeInteger(parsed) ? parsed : null;
}

/** A UI value: at most 64 characters of digits and dots, no empty components. */
export function uidOrNull(value: string | null | undefined): string | null {
  const text = textOrNull(value);
  if (text === null) return null;
  return /^[0-9]+(\.[0-9]+)*$/.test(text) && text.length <= 64 ? text : null;
}
