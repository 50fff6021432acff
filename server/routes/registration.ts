/**
 * The registration page an invitation links to (/register/<token>): a plain HTML form, served
 * and answered by the hub, no script. Registering activates the user made for the invited
 * address, with a name and password of their choice; the studies shared with that address are
 * then in their personal worklist. The link works once and expires.
 *
 * Open sign-up (issue 14, part 3: anyone, to ask a site to connect) is in sign-up.ts, registered here.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { passwordProblem } from '../../shared/password-policy';
import type { HubContext } from '../app';
import { recordAudit } from '../audit/audit-trail';
import { hashPassword } from '../auth/password';
import { hashInvitationToken } from '../sharing/email-recipient';
import { escapeHtml, sendPage } from '../pages/html-page';
import { joinLink } from '../../shared/join-link';
import { recordChange } from '../db/change-feed';
import { registerSignUp } from './sign-up';

const page = (reply: FastifyReply, status: number, title: string, body: string): FastifyReply => sendPage(reply, status, 'Registration', title, body);
const escape = escapeHtml;

const formSchema = z
  .object({
    name: z.string().trim().min(1, 'Enter your name.').max(200, 'The name is too long.'),
    // Too short, too common, too easy to guess: the policy's own sentence (shared/password-policy.ts).
    password: z.string().superRefine((value, context) => {
      const problem = passwordProblem(value);
      if (problem !== null) context.addIssue({ code: 'custom', message: problem });
    }),
    confirm: z.string().max(200),
  })
  .refine((form) => form.password === form.confirm, { message: 'The two passwords are not the same.', path: ['confirm'] });

const GONE = 'This registration link cannot be used: it is unknown, was already used, or has expired. Ask the person who shared with you to share again.';

export const registrationRoutes =
  ({ db, now, publicUrl, flushMail }: HubContext): FastifyPluginAsync =>
  async (app) => {
    const invitation = async (token: string) => {
      const row = await db
        .selectFrom('invitations')
        .innerJoin('users', 'users.id', 'invitations.user_id')
        .innerJoin('users as inviter', 'inviter.id', 'invitations.invited_by')
        .innerJoin('accounts', 'accounts.id', 'invitations.account_id')
        .select(['invitations.id', 'invitations.user_id', 'invitations.account_id', 'invitations.expires_at', 'invitations.accepted_at', 'users.email', 'users.active', 'inviter.name as inviter', 'accounts.name as site'])
        .where('invitations.token_hash', '=', hashInvitationToken(token))
        .executeTakeFirst();
      if (row === undefined || row.accepted_at !== null || row.active === 1 || row.expires_at <= now().toISOString()) return null;
      return row;
    };

    const form = (invite: { email: string; inviter: string; site: string }, error: string | null, name = '') =>
      `<p>${escape(invite.inviter)} (${escape(invite.site)}) shared imaging studies with you. Register to see them.</p>` +
      (error === null ? '' : `<p class="error" role="alert">${escape(error)}</p>`) +
      `<form method="post"><label>Email address<input name="email" type="email" value="${escape(invite.email)}" readonly></label>` +
      `<label>Your name<input name="name" autocomplete="name" required maxlength="200" value="${escape(name)}"></label>` +
      `<label>Password (at least 10 characters)<input name="password" type="password" autocomplete="new-password" required minlength="10"></label>` +
      `<label>Repeat the password<input name="confirm" type="password" autocomplete="new-password" required minlength="10"></label>` +
      `<button type="submit" class="primary">Register</button></form>`;

    registerSignUp(app, { db, now, publicUrl, flushMail });

    app.get<{ Params: { token: string } }>('/register/:token', async (request, reply) => {
      const invite = await invitation(request.params.token);
      if (invite === null) return page(reply, 410, 'Link not valid', `<p role="alert">${GONE}</p>`);
      return page(reply, 200, 'Register to see shared studies', form(invite, null));
    });

    app.post<{ Params: { token: string } }>('/register/:token', async (request, reply) => {
      const invite = await invitation(request.params.token);
      if (invite === null) return page(reply, 410, 'Link not valid', `<p role="alert">${GONE}</p>`);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const parsed = formSchema.safeParse({ name: body.name, password: body.password, confirm: body.confirm });
      if (!parsed.success) {
        return page(reply, 400, 'Register to see shared studies', form(invite, parsed.error.issues[0]?.message ?? 'Check the form.', typeof body.name === 'string' ? body.name : ''));
      }
      const passwordHash = await hashPassword(parsed.data.password);
      const at = now().toISOString();
      const accepted = await db.transaction().execute(async (trx) => {
        // Once only, even with two submits racing: the update that finds the row unaccepted wins.
        const claimed = await trx.updateTable('invitations').set({ accepted_at: at }).where('id', '=', invite.id).where('accepted_at', 'is', null).executeTakeFirst();
        if (Number(claimed.numUpdatedRows) !== 1) return false;
        await trx.updateTable('users').set({ name: parsed.data.name, password_hash: passwordHash, active: 1 }).where('id', '=', invite.user_id).execute();
        await trx.updateTable('worklists').set({ name: parsed.data.name }).where('kind', '=', 'personal').where('owner_id', '=', invite.user_id).execute();
        const shares = await trx
          .selectFrom('shares')
          .innerJoin('studies', 'studies.id', 'shares.study_id')
          .select(['shares.id', 'shares.study_id', 'studies.account_id'])
          .where('shares.user_id', '=', invite.user_id)
          .where('shares.removed_at', 'is', null)
          .execute();
        for (const share of shares) {
          await recordChange(trx, share.study_id, at);
          await recordAudit(trx, { at, accountId: share.account_id, studyId: share.study_id, shareId: share.id, trail: 'share', actorId: invite.user_id, action: 'invitation.accept' });
        }
        return true;
      });
      if (!accepted) return page(reply, 410, 'Link not valid', `<p role="alert">${GONE}</p>`);
      // Where to sign in: the hub's public address (never the request's Host header, which a caller controls).
      const hub = publicUrl ?? 'the address of the hub that sent the invitation';
      return page(
        reply,
        200,
        'You are registered',
        `<p role="status">You are registered, ${escape(parsed.data.name)}.</p>` +
          `<p>Open Studyshare and sign in with <strong>${escape(invite.email)}</strong> at the hub <strong>${escape(hub)}</strong>. The studies shared with you are in your worklist.</p>` +
          // Opens the desktop app at "Join your site's hub" with this hub's address filled in.
          (publicUrl === null ? '' : `<p><a href="${escape(joinLink(publicUrl))}">Open Studyshare on this computer</a> to join this hub.</p>`),
      );
    });
  };
