/**
 * Wrong passwords per account: after a few, each next try waits longer (back-off); after
 * LOCK_AFTER_FAILURES the account is locked until its owner sets a new password through the
 * emailed reset link, or an admin of its site unlocks it, and the owner gets a mail saying so.
 *
 * Counted per address signed in with, in the hub database (`sign_in_failures`), so every hub
 * process sees the same count. Addresses the hub does not know are counted and locked alike:
 * the answers must not tell anyone which addresses have accounts (only the mail differs, and it
 * goes to the owner). The per-source-address throttle in front of the route is
 * server/http/throttle.ts.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { HubDatabase } from '../db/schema';
import { HttpError } from '../http-error';
import { queueMail } from '../mail/mail-queue';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

/** Wrong passwords allowed without waiting. */
export const FREE_FAILURES = 4;
/** The wait after the first failure past the free ones; it doubles with each further one. */
export const FIRST_WAIT_SECONDS = 15;
/** Wrong passwords in a row that lock the account. */
export const LOCK_AFTER_FAILURES = 10;
/** Failures older than this (and not locked) are forgotten: a typo last week does not count. */
export const FAILURES_FORGOTTEN_AFTER_MS = 24 * 3_600_000;

export interface FailureRecord {
  readonly failures: number;
  readonly lastFailureAt: string;
  readonly lockedAt: string | null;
}

export type SignInGate = { readonly kind: 'open' } | { readonly kind: 'wait'; readonly seconds: number } | { readonly kind: 'locked' };

/** The pure rule: may a password be tried for this address now? */
export function signInGate(record: FailureRecord | undefined, now: Date): SignInGate {
  if (record === undefined) return { kind: 'open' };
  if (record.lockedAt !== null) return { kind: 'locked' };
  const since = now.getTime() - Date.parse(record.lastFailureAt);
  if (since >= FAILURES_FORGOTTEN_AFTER_MS || record.failures <= FREE_FAILURES) return { kind: 'open' };
  const waitMs = FIRST_WAIT_SECONDS * 1000 * 2 ** (record.failures - FREE_FAILURES - 1);
  return since >= waitMs ? { kind: 'open' } : { kind: 'wait', seconds: Math.ceil((waitMs - since) / 1000) };
}

export const LOCKED_MESSAGE =
  'Too many wrong passwords: this account is locked. Choose a new password with “Forgot your password?” (the link unlocks it), or ask an administrator of your site to unlock it.';

/** Refuses (429 with the wait, or 423) when the address may not try a password now. */
export async function checkSignInGate(db: Db, email: string, now: Date): Promise<void> {
  const row = await db.selectFrom('sign_in_failures').select(['failures', 'last_failure_at', 'locked_at']).where('email', '=', email).executeTakeFirst();
  const gate = signInGate(row === undefined ? undefined : { failures: row.failures, lastFailureAt: row.last_failure_at, lockedAt: row.locked_at }, now);
  if (gate.kind === 'locked') throw new HttpError(423, 'account-locked', LOCKED_MESSAGE);
  if (gate.kind === 'wait') {
    throw new HttpError(429, 'too-many-attempts', `Too many wrong passwords for this address. Wait ${describeWait(gate.seconds)} before trying again.`, { retryAfterSeconds: gate.seconds });
  }
}

export function describeWait(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

/**
 * Counts one wrong password (one statement, so two hub processes counting at once both count).
 * A count older than FAILURES_FORGOTTEN_AFTER_MS starts again at one. At LOCK_AFTER_FAILURES the
 * address is locked and, if it is an active user's, a mail tells them. Returns whether this
 * failure locked it.
 */
export async function recordSignInFailure(db: Kysely<HubDatabase>, email: string, now: Date): Promise<boolean> {
  const at = now.toISOString();
  const forgotten = new Date(now.getTime() - FAILURES_FORGOTTEN_AFTER_MS).toISOString();
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('sign_in_failures')
      .values({ email, failures: 1, last_failure_at: at, locked_at: null })
      .onConflict((conflict) =>
        conflict.column('email').doUpdateSet({
          failures: sql<number>`CASE WHEN sign_in_failures.locked_at IS NULL AND sign_in_failures.last_failure_at < ${forgotten} THEN 1 ELSE sign_in_failures.failures + 1 END`,
          last_failure_at: at,
        }),
      )
      .returning(['failures', 'locked_at'])
      .executeTakeFirstOrThrow();
    if (row.locked_at !== null || row.failures < LOCK_AFTER_FAILURES) return false;
    await trx.updateTable('sign_in_failures').set({ locked_at: at }).where('email', '=', email).where('locked_at', 'is', null).execute();
    const user = await trx.selectFrom('users').select('id').where('email', '=', email).where('active', '=', 1).executeTakeFirst();
    if (user !== undefined) {
      // Names neither the hub's patients nor where the tries came from (an address is not proof of anything).
      await queueMail(
        trx,
        {
          to: email,
          subject: 'Your Studyshare account is locked',
          text: [
            `Someone gave a wrong password ${LOCK_AFTER_FAILURES} times in a row when signing in to the Studyshare account for ${email}, so the account is now locked.`,
            '',
            'If that was you, choose a new password with “Forgot your password?” on the sign-in screen or on the hub’s page: the new password unlocks the account. An administrator of your site can also unlock it.',
            'If it was not you, someone may be guessing your password: choose a new one, and tell your administrator.',
          ].join('\n'),
        },
        at,
      );
    }
    return true;
  });
}

/** Forgets the failures of an address: a right password, a new password, or an admin's unlock. */
export async function clearSignInFailures(db: Db, email: string): Promise<void> {
  await db.deleteFrom('sign_in_failures').where('email', '=', email).execute();
}

/** Whether an address is locked now. */
export async function isLocked(db: Db, email: string): Promise<boolean> {
  const row = await db.selectFrom('sign_in_failures').select('locked_at').where('email', '=', email).executeTakeFirst();
  return row?.locked_at !== null && row?.locked_at !== undefined;
}

/** Forgets failures that can no longer matter (older than a day and not locked); run now and then. */
export async function pruneSignInFailures(db: Db, now: Date): Promise<void> {
  await db
    .deleteFrom('sign_in_failures')
    .where('locked_at', 'is', null)
    .where('last_failure_at', '<', new Date(now.getTime() - FAILURES_FORGOTTEN_AFTER_MS).toISOString())
    .execute();
}
