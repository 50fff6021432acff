/**
 * "Forgot password" on the hub: `POST /api/password-resets` for the desktop, and plain HTML
 * pages (no script) for a browser: /reset-password asks for the address, the mailed link
 * /reset-password/<token> asks for the new password. Every request for a reset gets the same
 * answer whether or not the address has an account, so nobody can learn who does.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { passwordProblem } from '../../shared/password-policy';
import { requestPasswordResetRoute } from '../../shared/hub-api/accounts';
import type { HubContext } from '../app';
import { hashPassword } from '../auth/password';
import { completePasswordReset, findPasswordReset, requestPasswordReset } from '../auth/password-reset';
import { addRoute } from '../http/hub-route';
import { HttpError } from '../http-error';
import { escapeHtml, sendPage } from '../pages/html-page';

const page = (reply: FastifyReply, status: number, title: string, body: string): FastifyReply => sendPage(reply, status, 'Password reset', title, body);

/** Addresses are compared as sign-in reads them: trimmed and lower-case. */
const email = z.string().trim().toLowerCase().email('Enter an email address.').max(254, 'The email address is too long.');

const passwordSchema = z
  .object({
    // Too short, too common, too easy to guess: the policy's own sentence (shared/password-policy.ts).
    password: z.string().superRefine((value, context) => {
      const problem = passwordProblem(value);
      if (problem !== null) context.addIssue({ code: 'custom', message: problem });
    }),
    confirm: z.string().max(200),
  })
  .refine((form) => form.password === form.confirm, { message: 'The two passwords are not the same.', path: ['confirm'] });

const SENT = 'If an account exists for that address, a link to choose a new password is on its way. The link works once, for one hour.';
const GONE =
  'This link cannot be used: it is unknown, was already used, or has expired (links work once, for one hour). <a href="/reset-password">Ask for a new link</a>.';

const alert = (text: string | null) => (text === null ? '' : `<p class="error" role="alert">${escapeHtml(text)}</p>`);

const emailForm = (error: string | null, value = '') =>
  `<p>Enter the email address you sign in with. If it belongs to an account on this hub, a link to choose a new password is sent to it.</p>` +
  alert(error) +
  `<form method="post" action="/reset-password"><label>Email address<input name="email" type="email" autocomplete="email" required maxlength="254" value="${escapeHtml(value)}"></label>` +
  `<button type="submit" class="primary">Send the link</button></form>`;

const passwordForm = (address: string, error: string | null) =>
  `<p>Choose a new password for <strong>${escapeHtml(address)}</strong>. Signing in anywhere else ends once it is set.</p>` +
  alert(error) +
  // No action attribute: the form posts back to this same address, token included.
  `<form method="post"><label>New password (at least 10 characters)<input name="password" type="password" autocomplete="new-password" required minlength="10" maxlength="200"></label>` +
  `<label>Repeat the new password<input name="confirm" type="password" autocomplete="new-password" required minlength="10" maxlength="200"></label>` +
  `<button type="submit" class="primary">Set the password</button></form>`;

export const passwordResetRoutes =
  ({ db, now, flushMail, publicUrl }: HubContext): FastifyPluginAsync =>
  async (app) => {
    /** Asks for a reset; the caller learns nothing from the answer (a 409 only when the hub can make no link). */
    const request = async (address: string): Promise<void> => {
      const queued = await requestPasswordReset(db, { email: address, at: now(), publicUrl });
      // Not awaited: waiting for the mail server only for addresses that exist would tell them apart by time.
      if (queued) void flushMail();
    };

    addRoute(app, requestPasswordResetRoute, async ({ body }) => {
      await request(body.email);
      return { sent: true as const };
    });

    app.get('/reset-password', async (_req, reply) => page(reply, 200, 'Forgot your password?', emailForm(null)));

    app.post('/reset-password', async (req, reply) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const parsed = email.safeParse(body.email);
      if (!parsed.success) {
        return page(reply, 400, 'Forgot your password?', emailForm(parsed.error.issues[0]?.message ?? 'Check the address.', typeof body.email === 'string' ? body.email : ''));
      }
      try {
        await request(parsed.data);
      } catch (error) {
        // A form deserves a page, not the API's JSON: the sentence says which setting is missing.
        if (error instanceof HttpError && error.code === 'public-url-missing') return page(reply, 409, 'Password reset is not available', `<p role="alert">${escapeHtml(error.message)}</p>`);
        throw error;
      }
      return page(reply, 200, 'Check your mail', `<p role="status">${escapeHtml(SENT)}</p>`);
    });

    app.get<{ Params: { token: string } }>('/reset-password/:token', async (req, reply) => {
      const reset = await findPasswordReset(db, req.params.token, now());
      if (reset === null) return page(reply, 410, 'Link not valid', `<p role="alert">${GONE}</p>`);
      return page(reply, 200, 'Choose a new password', passwordForm(reset.email, null));
    });

    app.post<{ Params: { token: string } }>('/reset-password/:token', async (req, reply) => {
      const reset = await findPasswordReset(db, req.params.token, now());
      if (reset === null) return page(reply, 410, 'Link not valid', `<p role="alert">${GONE}</p>`);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const parsed = passwordSchema.safeParse({ password: body.password, confirm: body.confirm });
      if (!parsed.success) return page(reply, 400, 'Choose a new password', passwordForm(reset.email, parsed.error.issues[0]?.message ?? 'Check the form.'));
      const passwordHash = await hashPassword(parsed.data.password);
      // The link is claimed here, not above: the check above only chose which page to show.
      const done = await completePasswordReset(db, req.params.token, passwordHash, now());
      if (done === null) return page(reply, 410, 'Link not valid', `<p role="alert">${GONE}</p>`);
      // Where to sign in: the hub's public address (never the request's Host header, which a caller controls).
      const hub = publicUrl ?? 'the address of this hub';
      return page(
        reply,
        200,
        'Your password is changed',
        `<p role="status">Your new password is set, and every earlier sign-in has ended.</p>` +
          `<p>Open Studyshare and sign in with <strong>${escapeHtml(done.email)}</strong> at the hub <strong>${escapeHtml(hub)}</strong>.</p>`,
      );
    });
  };
