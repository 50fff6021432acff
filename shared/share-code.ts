/**
 * Share codes: the human-typable name of a worklist anywhere in the ecosystem.
 *
 * Eight Crockford base-32 symbols (40 bits) and one check symbol, shown as `ABCD-EFGH-J`:
 * short enough to read over the phone, case-insensitive, and I/L read as 1 and O as 0 so the
 * usual confusions do not matter. The check symbol is one of the same 32 symbols: the digits'
 * weighted sum in GF(32) (weights x, x², … x⁸ modulo x⁵ + x² + 1). In a field a non-zero weight
 * times a non-zero error is never zero, and neighbouring weights differ, so every single wrong
 * symbol and every swap of two different neighbours changes the check.
 *
 * Codes made before this scheme used Crockford's modulo-37 check, whose five extra symbols
 * (`*`, `~`, `$`, `=`, `U`) are hard to read aloud. Those codes keep working as they were issued
 * (`legacy`), until a site admin makes a new one.
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** The old scheme's check symbols: the 32 digits, then five more for remainders 32–36. */
const LEGACY_CHECK_ALPHABET = `${ALPHABET}*~$=U`;
export const SHARE_CODE_DIGITS = 8;

export type ShareCodeProblem = 'empty' | 'length' | 'character' | 'check';

export type ParsedShareCode =
  | { readonly ok: true; readonly code: string; readonly legacy?: true }
  | { readonly ok: false; readonly problem: ShareCodeProblem; readonly message: string };

/** Multiplication in GF(32) = GF(2)[x] / (x⁵ + x² + 1). */
function gfMultiply(a: number, b: number): number {
  let product = 0;
  for (let bit = 0; bit < 5; bit++) {
    if ((b >> bit) & 1) product ^= a;
    a <<= 1;
    if (a & 0b100000) a ^= 0b100101;
  }
  return product;
}

function checkSymbol(digits: string): string {
  let sum = 0;
  let weight = 1;
  for (const symbol of digits) {
    weight = gfMultiply(weight, 2);
    sum ^= gfMultiply(weight, ALPHABET.indexOf(symbol));
  }
  return ALPHABET[sum];
}

function legacyCheckSymbol(digits: string): string {
  let value = 0;
  for (const symbol of digits) value = (value * 32 + ALPHABET.indexOf(symbol)) % 37;
  return LEGACY_CHECK_ALPHABET[value];
}

const formatWith = (digits: string, check: string) => `${digits.slice(0, 4)}-${digits.slice(4, 8)}-${check}`;

/** Formats eight base-32 digits with their check symbol: `ABCD-EFGH-J`. */
function format(digits: string): string {
  return formatWith(digits, checkSymbol(digits));
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
  const bad = [...digits].find((symbol) => !ALPHABET.includes(symbol)) ?? (LEGACY_CHECK_ALPHABET.includes(check) ? undefined : check);
  if (bad !== undefined) return { ok: false, problem: 'character', message: `“${bad}” cannot appear in a share code.` };
  if (checkSymbol(digits) === check) return { ok: true, code: format(digits) };
  // A code issued under the old scheme, as it was issued (the hub looks it up as stored).
  if (legacyCheckSymbol(digits) === check) return { ok: true, code: formatWith(digits, check), legacy: true };
  return { ok: false, problem: 'check', message: SHARE_CODE_TYPING_MISTAKE };
}

export const SHARE_CODE_TYPING_MISTAKE = 'This share code has a typing mistake: check each character again.';

/**
 * Why no worklist has a code that parsed. One that passed only the old scheme's check is read as a
 * typing mistake in a current code: the modulo-37 check lets about one wrong symbol in 37 through,
 * and a real old code would have been found. One that passed today's check is simply unknown.
 */
export function unmatchedShareCode(parsed: Extract<ParsedShareCode, { ok: true }>): 'check' | 'unknown' {
  return parsed.legacy === true ? 'check' : 'unknown';
}
