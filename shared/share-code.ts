/**
 * Share codes: the human-typable name of a worklist anywhere in the ecosystem.
 *
 * Eight Crockford base-32 symbols (40 bits) and one check symbol, shown as `ABCD-EFGH-J`:
 * short enough to read over the phone, case-insensitive, and I/L read as 1 and O as 0 so the
 * usual confusions do not matter. The check symbol is the value modulo 37 (Crockford's scheme):
 * 37 is prime and larger than every digit, so any single wrong symbol and any swap of two
 * neighbours changes the remainder and is caught.
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Check symbols: the 32 digits, then five more for remainders 32–36. */
const CHECK_ALPHABET = `${ALPHABET}*~$=U`;
export const SHARE_CODE_DIGITS = 8;

export type ShareCodeProblem = 'empty' | 'length' | 'character' | 'check';

export type ParsedShareCode = { readonly ok: true; readonly code: string } | { readonly ok: false; readonly problem: ShareCodeProblem; readonly message: string };

function remainder(digits: string): number {
  let value = 0;
  for (const symbol of digits) value = (value * 32 + ALPHABET.indexOf(symbol)) % 37;
  return value;
}

/** Formats eight base-32 digits with their check symbol: `ABCD-EFGH-J`. */
function format(digits: string): string {
  return `${digits.slice(0, 4)}-${digits.slice(4, 8)}-${CHECK_ALPHABET[remainder(digits)]}`;
}

/**
 * A new code from 40 random bits. The caller supplies the bytes (crypto.getRandomValues in any
 * runtime) so this stays pure; the hub retries on the rare collision with an existing code.
 */
export function shareCodeFromBytes(random: Uint8Array): string {
  if (random.length < 5) throw new Error('a share code needs 5 random bytes');
  let bits = 0n;
  for (let i = 0; i < 5; i++) bits = (bits << 8n) | BigInt(random[i]);
  let digits = '';
  for (let i = 0; i < SHARE_CODE_DIGITS; i++) {
    digits = ALPHABET[Number(bits & 31n)] + digits;
    bits >>= 5n;
  }
  return format(digits);
}

/** Reads what a person typed: any case, with or without dashes and spaces, I/L/O forgiven. */
export function parseShareCode(typed: string): ParsedShareCode {
  const compact = typed.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  if (compact === '') return { ok: false, problem: 'empty', message: 'Type the share code.' };
  if (compact.length !== SHARE_CODE_DIGITS + 1) {
    return { ok: false, problem: 'length', message: `A share code has ${SHARE_CODE_DIGITS + 1} characters, like ABCD-EFGH-J.` };
  }
  const digits = compact.slice(0, SHARE_CODE_DIGITS);
  const check = compact[SHARE_CODE_DIGITS];
  const bad = [...digits].find((symbol) => !ALPHABET.includes(symbol)) ?? (CHECK_ALPHABET.includes(check) ? undefined : check);
  if (bad !== undefined) return { ok: false, problem: 'character', message: `“${bad}” cannot appear in a share code.` };
  if (CHECK_ALPHABET[remainder(digits)] !== check) {
    return { ok: false, problem: 'check', message: 'This share code has a typing mistake: check each character again.' };
  }
  return { ok: true, code: format(digits) };
}
