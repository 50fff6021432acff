/**
 * The one-time code a server hub prints when it starts without a site: whoever reaches a fresh
 * hub first must also see its console to become its admin. Crockford base 32 (no I, L, O, U) so
 * it reads aloud and types without confusing 0/O or 1/I; 10 characters carry 50 random bits.
 */
import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A code as a person types it: spaces and dashes dropped, case ignored, and the letters Crockford reads as digits (O, I, L) read so. */
export function normalizeSetupCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

export function newSetupCode(length = 10): string {
  // 256 is a multiple of 32, so taking the low 5 bits of each byte keeps every symbol equally likely.
  return [...randomBytes(length)].map((byte) => CROCKFORD[byte & 31]).join('');
}
