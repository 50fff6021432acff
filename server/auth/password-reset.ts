/**
 * "Forgot password": a link by mail that works once, for one hour, and then sets a new password.
 * The token is 256 random bits handed out only in the mail; the database keeps its SHA-256
 * (hashToken, as for sessions and invitations). Who asks learns nothing about which addresses
 * have accounts: the caller answers the same whatever happens here.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { requirePublicUrl } from '../app';
import type { HubDatabase } from '../db/schema';
import { queueMail } from '../mail/mail-queue';
import { hashToken } from './sessions';
import { clearSignInFailures } from './sign-in-guard';

export const RESET_VALID_MINUTES = 60;
/** Requests per user per hour that send a mail; more are ignored, so nobody can flood a mailbox. */
export const RESET_REQUESTS_PER_HOUR = 3;

const HOUR_MS = 3_600_000;

/**
 * Queues a reset mail for an active user with this address (already trimmed and lower-case, as
 * sign-in compares them). An unknown or inactive address, or one over the hourly limit, gets
 * nothing, silently. Refuses (409) when the hub has no public address: the link must work where
 * it is read. Returns whether a mail was queued, for the caller to flush after commit and never
 * to tell the requester.
 */
export async function requestPasswordReset(db: Kysely<HubDatabase>, request: { readonly email: string; readonly at: Date; readonly publicUrl: string | null }): Promise<boolean> {
  // Checked before looking at the address, so that a hub without one answers every address alike.
  const publicUrl = requirePublicUrl(request);
  const at = request.at.toISOString();
  return db.transaction().execute(async (trx) => {
    // A no-op write on the user row as the first statement: it takes the row's lock on
    // PostgreSQL and the write lock on SQLite before anything is counted, so two hub processes
    // answering the same address at once cannot both see room under the limit.
    const user = await trx
      .updateTable('users')
      .set((eb) => ({ active: eb.ref('active') }))
      .where('email', '=', request.email)
      .where('active', '=', 1)
      .returning('id')
      .executeTakeFirst();
    if (user === undefined) return false;
    const recent = await trx
      .selectFrom('password_resets')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
      .where('user_id', '=', user.id)
      .where('created_at', '>', new Date(request.at.getTime() - HOUR_MS).toISOString())
      .executeTakeFirstOrThrow();
    if (Number(recent.count) >= RESET_REQUESTS_PER_HOUR) return false;
    const token = randomBytes(32).toString('base64url');
    await trx
      .insertInto('password_resets')
      .values({ token_hash: hashToken(token), user_id: user.id, created_at: at, expires_at: new Date(request.at.getTime() + RESET_VALID_MINUTES * 60_000).toISOString(), used_at: null })
      .execute();
    // Mail can be read by others on the way: it names the hub, never a patient or a study.
    await queueMail(
      trx,
      {
        to: request.email,
        subject: 'Reset your Studyshare password',
        text: [
          `Someone asked to reset the password of the Studyshare account for ${request.email} on the hub ${publicUrl}.`,
          '',
          'To choose a new password, open this link:',
          `${publicUrl}/reset-password/${token}`,
          '',
          'The link works once, for one hour. If you did not ask for this, ignore this message: your password stays as it is.',
        ].join('\n'),
      },
      at,
    );
    return true;
  });
}

/** Where the link's token leads: the address of an active user whose link is unused and unexpired, or null. */
export async function findPasswordReset(db: Kysely<HubDatabase>, token: string, at: Date): Promise<{ readonly email: string } | null> {
  const row = await db
    .selectFrom('password_resets')
    .innerJoin('users', 'users.id', 'password_resets.user_id')
    .select('users.email')
    .where('password_resets.token_hash', '=', hashToken(token))
    .where('password_resets.used_at', 'is', null)
    .where('password_resets.expires_at', '>', at.toISOString())
    .where('users.active', '=', 1)
    .executeTakeFirst();
  return row ?? null;
}

/**
 * Uses the link: sets the new password (hashed by the caller, outside the transaction: scrypt is
 * slow on purpose), ends every session of the user (a stolen one dies too) and voids the user's
 * other reset links. Returns the user's address, or null when the link is unknown, used, expired
 * or its user no longer active.
 */
export async function completePasswordReset(db: Kysely<HubDatabase>, token: string, passwordHash: string, at: Date): Promise<{ readonly email: string } | null> {
  const when = at.toISOString();
  return db.transaction().execute(async (trx) => {
    // Once only, even with two submits racing: the update that finds the link unused wins.
    const claimed = await trx
      .updateTable('password_resets')
      .set({ used_at: when })
      .where('token_hash', '=', hashToken(token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', when)
      .where('user_id', 'in', (eb) => eb.selectFrom('users').select('id').where('active', '=', 1))
      .returning('user_id')
      .executeTakeFirst();
    if (claimed === undefined) return null;
    const user = await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', claimed.user_id).returning('email').executeTakeFirstOrThrow();
    await trx.deleteFrom('sessions').where('user_id', '=', claimed.user_id).execute();
    // The mailed link proves the address is theirs: it unlocks an account that wrong passwords locked.
    await clearSignInFailures(trx, user.email);
    // Older links still in the mailbox would otherwise undo this password within their hour.
    await trx.updateTable('password_resets').set({ used_at: when }).where('user_id', '=', claimed.user_id).where('used_at', 'is', null).execute();
    return { email: user.email };
  });
}
