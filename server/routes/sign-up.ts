/**
 * The hub's sign-up pages (issue 14, part 3): `/sign-up` (name, address, password) and
 * `/verify-email/<token>` (a button that confirms the address: a GET only shows it, so a mail
 * scanner that opens links does not use it up). Plain HTML, no script, like registration.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { passwordProblem } from '../../shared/password-policy';
import { hashPassword } from '../auth/password';
import { signUp, verificationOpen, verifyEmail } from '../connections/sign-ups';
import type { HubDatabase } from '../db/schema';
import { escapeHtml, sendPage } from '../pages/html-page';

const page = (reply: FastifyReply, status: number, title: string, body: string): FastifyReply => sendPage(reply, status, 'Sign up', title, body);

const formSchema = z
  .object({
    name: z.string().trim().min(1, 'Enter your name.').max(200, 'The name is too long.'),
    email: z.string().trim().toLowerCase().email('Enter a valid email address.').max(254, 'The email address is too long.'),
    password: z.string().superRefine((value, context) => {
      const problem = passwordProblem(value);
      if (problem !== null) context.addIssue({ code: 'custom', message: problem });
    }),
    confirm: z.string().max(200),
  })
  .refine((form) => form.password === form.confirm, { message: 'The two passwords are not the same.', path: ['confirm'] });

const form = (error: string | null, values: { name?: string; email?: string } = {}) =>
  `<p>Sign up to ask a site on this hub to connect you to its physicians’ studies (as a physician, a practice manager or an external rep). You confirm your address by a link we mail you.</p>` +
  (error === null ? '' : `<p class="error" role="alert">${escapeHtml(error)}</p>`) +
  `<form method="post" action="/sign-up"><label>Your name<input name="name" autocomplete="name" required maxlength="200" value="${escapeHtml(values.name ?? '')}"></label>` +
  `<label>Email address<input name="email" type="email" autocomplete="email" required maxlength="254" value="${escapeHtml(values.email ?? '')}"></label>` +
  `<label>Password (at least 10 characters)<input name="password" type="password" autocomplete="new-password" required minlength="10"></label>` +
  `<label>Repeat the password<input name="confirm" type="password" autocomplete="new-password" required minlength="10"></label>` +
  `<button type="submit" class="primary">Sign up</button></form>`;

const GONE = 'This confirmation link cannot be used: it is unknown, was already used, or has expired. Sign up again to get a new one.';

export function registerSignUp(app: FastifyInstance, { db, now, publicUrl, flushMail }: { db: Kysely<HubDatabase>; now: () => Date; publicUrl: string | null; flushMail: () => Promise<number> }): void {
  const closed = (reply: FastifyReply) =>
    page(reply, 503, 'Sign-up is not available', `<p role="alert">This hub has no public address, so it cannot mail a confirmation link. Its operator must set HUB_PUBLIC_URL.</p>`);

  app.get('/sign-up', async (_request, reply) => (publicUrl === null ? closed(reply) : page(reply, 200, 'Sign up', form(null))));

  app.post('/sign-up', async (request, reply) => {
    if (publicUrl === null) return closed(reply);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = formSchema.safeParse({ name: body.name, email: body.email, password: body.password, confirm: body.confirm });
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    if (!parsed.success) return page(reply, 400, 'Sign up', form(parsed.error.issues[0]?.message ?? 'Check the form.', { name: text(body.name), email: text(body.email) }));
    await signUp(db, { name: parsed.data.name, email: parsed.data.email, passwordHash: await hashPassword(parsed.data.password), publicUrl }, now());
    void flushMail();
    // The same answer whether or not the address already had an account.
    return page(
      reply,
      200,
      'Check your mail',
      `<p role="status">We sent a link to <strong>${escapeHtml(parsed.data.email)}</strong>. Open it to confirm your address; then sign in to this hub in Studyshare and ask a site to connect.</p>`,
    );
  });

  app.get<{ Params: { token: string } }>('/verify-email/:token', async (request, reply) => {
    const open = await verificationOpen(db, request.params.token, now());
    if (open === null) return page(reply, 410, 'Link not valid', `<p role="alert">${GONE}</p>`);
    return page(reply, 200, 'Confirm your address', `<p>Confirm <strong>${escapeHtml(open.email)}</strong> to finish signing up.</p><form method="post"><button type="submit" class="primary">Confirm my address</button></form>`);
  });

  app.post<{ Params: { token: string } }>('/verify-email/:token', async (request, reply) => {
    const verified = await verifyEmail(db, request.params.token, now());
    if (verified === null) return page(reply, 410, 'Link not valid', `<p role="alert">${GONE}</p>`);
    return page(
      reply,
      200,
      'Your address is confirmed',
      `<p role="status">Your address <strong>${escapeHtml(verified.email)}</strong> is confirmed.</p><p>Open Studyshare, join this hub${publicUrl === null ? '' : ` (<strong>${escapeHtml(publicUrl)}</strong>)`}, sign in, and ask a site to connect by its name or connection code.</p>`,
    );
  });
}
