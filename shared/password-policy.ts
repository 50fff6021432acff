/**
 * Which passwords the hub refuses, with the sentence a person reads: shorter than 10 characters;
 * one of the most common passwords (common-passwords.ts), also when digits, symbols or l33t
 * spelling are put around it ("Password2024!", "p@ssw0rd1"); digits only; one short piece
 * repeated ("aaaaaaaaaa", "abcabcabcabc"); a run along the alphabet, the digits or a keyboard row
 * ("abcdefghij", "1234567890", "qwertyuiop"). A zxcvbn-style check in a few rules and a small
 * list, rather than zxcvbn's megabytes: these are what guessing tools try first.
 * Used by the route schemas (shared/hub-api/accounts.ts) and the hub's registration and reset forms.
 */
import { COMMON_PASSWORDS } from './common-passwords';

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;

const LEET: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' };
const RUNS = ['abcdefghijklmnopqrstuvwxyz', '01234567890', 'qwertyuiopasdfghjklzxcvbnm', 'qwertzuiopasdfghjklyxcvbnm', 'azertyuiopqsdfghjklmwxcvbn', '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p'];

/** The forms of a password to look up in the list: as typed, without what is put around a word, and read as l33t. */
function candidates(password: string): string[] {
  const lower = password.toLowerCase();
  const trimmed = lower.replace(/^[^a-z]+|[^a-z]+$/g, '');
  const leet = [...lower].map((c) => LEET[c] ?? c).join('');
  const leetTrimmed = lower.replace(/[^a-z0-9@$!]+$/g, '').replace(/\d+$/g, '').replace(/[^a-z0-9@$!]+$/g, '');
  return [lower, trimmed, leet, leet.replace(/[^a-z]+/g, ''), [...leetTrimmed].map((c) => LEET[c] ?? c).join(''), lower.replace(/[^a-z]+/g, '')];
}

function isRun(text: string): boolean {
  if (text.length < 4) return false;
  return RUNS.some((run) => run.includes(text) || [...run].reverse().join('').includes(text));
}

/** Why a password is refused, as a sentence; null when it may be used. */
export function passwordProblem(password: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `The password needs at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (password.length > PASSWORD_MAX_LENGTH) return 'The password is too long.';
  const lower = password.toLowerCase();
  if (/^\d+$/.test(password)) return 'A password of digits only is easy to guess. Use a few words instead.';
  if (/^(.{1,4})\1+$/su.test(lower) || new Set(lower).size < 4) return 'This password repeats the same few characters and is easy to guess. Use a few words instead.';
  if (isRun(lower.replace(/[^a-z0-9]/g, ''))) return 'This password is a run of letters, digits or keys and is easy to guess. Use a few words instead.';
  if (candidates(password).some((form) => form.length >= 4 && COMMON_PASSWORDS.has(form))) {
    return 'This password is one of the most common passwords, which are tried first by anyone guessing. Choose another (a few words work well).';
  }
  return null;
}
