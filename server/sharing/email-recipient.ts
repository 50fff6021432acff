/**
 * Who an email share goes to. An address with an active account is that person; an address
 * with none gets an invitation: a user row made inactive (so the share can name them at once,
 * and they see nothing until they register), and a registration link by mail. Sharing more with
 * an address already invited adds to the same invitation; an expired one gets a new link.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { hashToken, type Actor } from '../auth/sessions';
import type { HubDatabase } from '../db/schema';
import { queueMail } from '../mail/mail-queue';
import { uniqueShareCode } from '../routes/worklist-codes';
import { requirePublicUrl } from '../app';

export const INVITATION_DAYS = 14;
/** Never a valid scrypt string: an invited user cannot sign in before registering. */
export const NO_PASSWORD = '!invited';

/** Invitation tokens are stored as sessions' are: only their hash. */
export const hashInvitationToken = hashToken;

export type EmailRecipient =
  | { readonly kind: 'user'; readonly userId: string; readonly accountId: string | null }
  | { readonly kind: 'invited'; readonly userId: string; readonly invitationId: string; readonly newLink: boolean }
  | { readonly kind: 'inactive' };

interface Context {
  readonly trx: Transaction<HubDatabase>;
  readonly actor: Actor;
  /** The site whose study is shared: the invited user takes its Referrer role. */
  readonly studyAccountId: string;
  readonly at: string;
  /** The hub's public address: invitations need it; a notice without it just names no link. */
  readonly publicUrl: string | null;
}

async function sendInvitation(ctx: Context, email: string, userId: string): Promise<{ invitationId: string }> {
  const publicUrl = requirePublicUrl(ctx);
  const token = randomBytes(32).toString('base64url');
  const invitationId = randomUUID();
  // The expired link this one replaces is closed: one open invitation per person (a unique index says so).
  await ctx.trx.updateTable('invitations').set({ superseded_at: ctx.at }).where('user_id', '=', userId).where('accepted_at', 'is', null).where('superseded_at', 'is', null).execute();
  await ctx.trx
    .insertInto('invitations')
    .values({
      id: invitationId,
      token_hash: hashInvitationToken(token),
      user_id: userId,
      account_id: ctx.studyAccountId,
      invited_by: ctx.actor.userId,
      created_at: ctx.at,
      expires_at: new Date(Date.parse(ctx.at) + INVITATION_DAYS * 86_400_000).toISOString(),
      accepted_at: null,
      superseded_at: null,
    })
    .execute();
  const site = await ctx.trx.selectFrom('accounts').select('name').where('id', '=', ctx.studyAccountId).executeTakeFirst();
  // The mail names who shared and from where, never the patient or the study.
  await queueMail(
    ctx.trx,
    {
      to: email,
      subject: `${ctx.actor.name} shared imaging studies with you on Studyshare`,
      text: [
        `${ctx.actor.name} (${site?.name ?? 'a Studyshare site'}) shared imaging studies with you.`,
        '',
        'To see them, register with Studyshare here:',
        `${publicUrl}/register/${token}`,
        '',
        `The link is valid for ${INVITATION_DAYS} days and can be used once. If you did not expect this message, ignore it.`,
      ].join('\n'),
    },
    ctx.at,
  );
  return { invitationId };
}

export async function emailRecipient(ctx: Context, email: string): Promise<EmailRecipient> {
  const user = await ctx.trx.selectFrom('users').select(['id', 'active', 'account_id', 'password_hash']).where('email', '=', email).executeTakeFirst();
  if (user !== undefined && user.active === 1) return { kind: 'user', userId: user.id, accountId: user.account_id };
  if (user !== undefined && user.password_hash !== NO_PASSWORD) return { kind: 'inactive' };
  if (user !== undefined) {
    const open = await ctx.trx
      .selectFrom('invitations')
      .select('id')
      .where('user_id', '=', user.id)
      .where('accepted_at', 'is', null)
      .where('expires_at', '>', ctx.at)
      .executeTakeFirst();
    if (open !== undefined) return { kind: 'invited', userId: user.id, invitationId: open.id, newLink: false };
    return { kind: 'invited', userId: user.id, ...(await sendInvitation(ctx, email, user.id)), newLink: true };
  }
  const userId = randomUUID();
  const referrer = await ctx.trx.selectFrom('roles').select('id').where('account_id', '=', ctx.studyAccountId).where('name', '=', 'Referrer').executeTakeFirst();
  await ctx.trx
    .insertInto('users')
    .values({ id: userId, account_id: null, email, name: email, password_hash: NO_PASSWORD, role_id: referrer?.id ?? null, active: 0, created_at: ctx.at })
    .execute();
  await ctx.trx
    .insertInto('worklists')
    .values({ id: randomUUID(), kind: 'personal', owner_id: userId, account_id: null, name: email, share_code: await uniqueShareCode(ctx.trx) })
    .execute();
  return { kind: 'invited', userId, ...(await sendInvitation(ctx, email, userId)), newLink: true };
}

/** Tells someone who already has an account that something was shared with them. */
export async function notifyShare(ctx: Context, userId: string): Promise<void> {
  const user = await ctx.trx.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirstOrThrow();
  await queueMail(
    ctx.trx,
    {
      to: user.email,
      subject: `${ctx.actor.name} shared imaging studies with you on Studyshare`,
      text: `${ctx.actor.name} shared imaging studies with you. Open Studyshare: they are in your worklist.${ctx.publicUrl === null ? '' : `\n\n${ctx.publicUrl}`}`,
    },
    ctx.at,
  );
}
