/**
 * Open sign-up on the hub's page (issue 14, part 3): anyone makes an account of no site, which
 * stays inactive until the link mailed to the address is used (it proves the address is theirs).
 * Only the link's hash is kept; it works once, for a day. Signing up with an address that already
 * has an account (or a pending invitation) changes nothing and mails its owner a note instead, so
 * the page's answer never tells whether an address is known.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { HubDatabase } from '../db/schema';
import { queueMail } from '../mail/mail-queue';
import { uniqueShareCode } from '../routes/worklist-codes';
import { hashToken } from '../auth/sessions';

export const VERIFY_LINK_HOURS = 24;

/** Makes the inactive account and queues the mail with the verification link (or the note to an existing owner). */
export async function signUp(db: Kysely<HubDatabase>, input: { name: string; email: string; passwordHash: string; publicUrl: string }, at: Date): Promise<void> {
  const email = input.email.trim().toLowerCase();
  const when = at.toISOString();
  await db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('users').select(['id', 'active', 'account_id']).where('email', '=', email).executeTakeFirst();
    if (existing !== undefined) {
      const pending = await trx.selectFrom('email_verifications').select('token_hash').where('user_id', '=', existing.id).where('used_at', 'is', null).executeTakeFirst();
      if (existing.active === 0 && existing.account_id === null && pending !== undefined) {
        // Signed up before and never confirmed: a fresh link, the old ones void.
        await trx.updateTable('email_verifications').set({ used_at: when }).where('user_id', '=', existing.id).where('used_at', 'is', null).execute();
        await trx.updateTable('users').set({ name: input.name, password_hash: input.passwordHash }).where('id', '=', existing.id).execute();
        await mailLink(trx, existing.id, email, input.publicUrl, at);
        return;
      }
      await queueMail(
        trx,
        {
          to: email,
          subject: 'Studyshare: you already have an account',
          text: `Someone (perhaps you) tried to sign up on ${input.publicUrl} with this address, which already has an account or an invitation.\n\nSign in with it, or use "Forgot your password?" on ${input.publicUrl}/reset-password. If this was not you, nothing changed.\n`,
        },
        when,
      );
      return;
    }
    const userId = randomUUID();
    await trx.insertInto('users').values({ id: userId, account_id: null, email, name: input.name, password_hash: input.passwordHash, role_id: null, active: 0, created_at: when }).execute();
    // Everyone has a personal worklist, where what is shared with them lands.
    await trx.insertInto('worklists').values({ id: randomUUID(), kind: 'personal', owner_id: userId, account_id: null, name: input.name, share_code: await uniqueShareCode(trx) }).execute();
    await mailLink(trx, userId, email, input.publicUrl, at);
  });
}

async function mailLink(trx: Parameters<typeof queueMail>[0], userId: string, email: string, publicUrl: string, at: Date) {
  const token = randomBytes(32).toString('base64url');
  await trx
    .insertInto('email_verifications')
    .values({ token_hash: hashToken(token), user_id: userId, created_at: at.toISOString(), expires_at: new Date(at.getTime() + VERIFY_LINK_HOURS * 3_600_000).toISOString(), used_at: null })
    .execute();
  await queueMail(
    trx,
    {
      to: email,
      subject: 'Studyshare: confirm your email address',
      text: `Open this link to confirm your address and finish signing up (it works once, for ${VERIFY_LINK_HOURS} hours):\n\n${publicUrl}/verify-email/${token}\n\nThen open Studyshare, join the hub ${publicUrl}, sign in, and ask a site to connect.\n`,
    },
    at.toISOString(),
  );
}

/** Whether a verification link is still good (shown before the confirming button). */
export async function verificationOpen(db: Kysely<HubDatabase>, token: string, at: Date): Promise<{ email: string } | null> {
  const row = await db
    .selectFrom('email_verifications')
    .innerJoin('users', 'users.id', 'email_verifications.user_id')
    .select(['users.email', 'email_verifications.expires_at', 'email_verifications.used_at'])
    .where('email_verifications.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  return row === undefined || row.used_at !== null || row.expires_at <= at.toISOString() ? null : { email: row.email };
}

/** Uses a link: the account may sign in. Once only, even with two submits racing. */
export async function verifyEmail(db: Kysely<HubDatabase>, token: string, at: Date): Promise<{ email: string } | null> {
  return db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable('email_verifications')
      .set({ used_at: at.toISOString() })
      .where('token_hash', '=', hashToken(token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', at.toISOString())
      .returning('user_id')
      .executeTakeFirst();
    if (claimed === undefined) return null;
    const user = await trx.updateTable('users').set({ active: 1 }).where('id', '=', claimed.user_id).where('account_id', 'is', null).returning('email').executeTakeFirst();
    return user ?? null;
  });
}
