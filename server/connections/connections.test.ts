/**
 * External users who connect (issue 14, part 3) and the operator's sites (part 4), on both
 * engines: sign-up with a mailed link, asking a site found by name or code, the admin's review,
 * assign and decline, and each refusal the issue lists — a site that does not exist or closed
 * its sign-up, a second request while one waits, two physicians on a Physician connection, an
 * admin of site B reaching site A's request or physicians. Refusals change nothing.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createAccount } from '../accounts/accounts-repository';
import { buildHub } from '../app';
import { hashPassword } from '../auth/password';
import { createSession } from '../auth/sessions';
import type { HubDatabase } from '../db/schema';
import { eventually } from '../test-support/eventually';
import { HUB_ENGINES, testHubDatabase, type TestHubDatabase } from '../test-support/test-database';

const PASSWORD = 'long enough password';

describe.each(HUB_ENGINES)('hub: external users who connect (%s)', (engine) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-hub-connections-'));
  const dropDir = path.join(dir, 'mail-drop');
  let db: Kysely<HubDatabase>;
  let hubDatabase: TestHubDatabase;
  let hub: FastifyInstance;
  const clock = new Date('2031-06-01T08:00:00Z');
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  let codeA = '';

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, who: string | null, payload?: unknown) =>
    hub.inject({ method, url, payload: payload as never, headers: who === null ? {} : { authorization: `Bearer ${tokens[who]}` } });
  const form = (fields: Record<string, string>) => ({ payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const mailsTo = (address: string) =>
    existsSync(dropDir)
      ? readdirSync(dropDir)
          .map((name) => readFileSync(path.join(dropDir, name), 'utf8').replace(/=\r?\n/g, ''))
          .filter((mail) => mail.includes(`To: ${address}`))
      : [];
  const physician = async (accountId: string, family: string, given: string) => {
    const id = randomUUID();
    const at = clock.toISOString();
    await db
      .insertInto('physicians')
      .values({ id, account_id: accountId, display_name: `Dr ${given} ${family}`, family_name: family, given_names: given, name_key: `${family} ${given}`.toLowerCase(), aliases: '[]', identifier: null, specialty: 'Surgery', user_id: null, active: 1, created_at: at, updated_at: at })
      .execute();
    return id;
  };
  /** Signs up through the hub's page and the mailed link; answers the session. */
  const signUpAndVerify = async (email: string, name: string) => {
    const answer = await hub.inject({ method: 'POST', url: '/sign-up', ...form({ name, email, password: PASSWORD, confirm: PASSWORD }) });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.body).toContain('Check your mail');
    const mail = await eventually(() => mailsTo(email), (mails) => mails.some((m) => m.includes('/verify-email/')));
    const token = /https:\/\/hub\.example\.org\/verify-email\/([A-Za-z0-9_-]{43})/.exec(mail.join('\n'))?.[1];
    expect(token).toBeDefined();
    // Not before the address is confirmed.
    expect((await hub.inject({ method: 'POST', url: '/api/sessions', payload: { email, password: PASSWORD } })).statusCode).toBe(401);
    const shown = await hub.inject({ method: 'GET', url: `/verify-email/${token}` });
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('Confirm my address');
    expect((await hub.inject({ method: 'POST', url: `/verify-email/${token}` })).statusCode).toBe(200);
    // The link works once.
    expect((await hub.inject({ method: 'POST', url: `/verify-email/${token}` })).statusCode).toBe(410);
    const signedIn = await hub.inject({ method: 'POST', url: '/api/sessions', payload: { email, password: PASSWORD } });
    expect(signedIn.statusCode, signedIn.body).toBe(201);
    return signedIn.json<{ token: string }>().token;
  };

  beforeAll(async () => {
    hubDatabase = await testHubDatabase(engine);
    db = hubDatabase.db;
    hub = buildHub({ db, blobDir: path.join(dir, 'blobs'), mail: { dropDir }, publicUrl: 'https://hub.example.org', now: () => clock });
    await hub.ready();
    const passwordHash = await hashPassword(PASSWORD);
    const a = await db.transaction().execute((trx) => createAccount(trx, 'Riverside Clinic', { name: 'Admin A', email: 'admin@a.example', passwordHash }, clock));
    const b = await db.transaction().execute((trx) => createAccount(trx, 'Hillside Imaging', { name: 'Admin B', email: 'admin@b.example', passwordHash }, clock));
    ids.siteA = a.account.id;
    ids.siteB = b.account.id;
    ids.adminA = a.user.id;
    tokens.adminA = await createSession(db, a.user.id, clock);
    tokens.adminB = await createSession(db, b.user.id, clock);
    const rad = await db.transaction().execute((trx) => addUser(trx, ids.siteA, { name: 'Rad A', email: 'rad@a.example', passwordHash, role: 'Radiologist' }, clock));
    tokens.radA = await createSession(db, rad.id, clock);
    ids.paula = await physician(ids.siteA, 'Physician', 'Paula');
    ids.peter = await physician(ids.siteA, 'Parker', 'Peter');
    ids.bruno = await physician(ids.siteB, 'Bone', 'Bruno');
    codeA = (await call('GET', '/api/site/connections', 'adminA')).json<{ connectionCode: string }>().connectionCode;
    tokens.rep = await signUpAndVerify('rep@outside.example', 'Rita Rep');
    tokens.doc = await signUpAndVerify('doc@outside.example', 'Paula Physician');
    // Passwords are hashed with scrypt on purpose slowly; the machine is shared.
  }, 120_000);

  afterAll(async () => {
    await hub.close();
    await hubDatabase.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives every site a connection code, and the first site’s admin runs the hub', async () => {
    expect(codeA).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z*~$=]$/);
    const operators = await db.selectFrom('users').select('email').where('hub_operator', '=', 1).execute();
    expect(operators.map((row) => row.email)).toEqual(['admin@a.example']);
  });

  it('signs up with the same answer for an address that already has an account, and changes nothing of it', async () => {
    const before = await db.selectFrom('users').selectAll().where('email', '=', 'rad@a.example').executeTakeFirstOrThrow();
    const answer = await hub.inject({ method: 'POST', url: '/sign-up', ...form({ name: 'Someone', email: 'rad@a.example', password: 'another long passphrase', confirm: 'another long passphrase' }) });
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toContain('Check your mail');
    expect(await db.selectFrom('users').selectAll().where('email', '=', 'rad@a.example').executeTakeFirstOrThrow()).toEqual(before);
    await eventually(() => mailsTo('rad@a.example'), (mails) => mails.some((mail) => mail.includes('already have an account')));
    // A bad form says why and keeps what was typed.
    const bad = await hub.inject({ method: 'POST', url: '/sign-up', ...form({ name: 'Ann <b>', email: 'ann@outside.example', password: 'short', confirm: 'short' }) });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('role="alert"');
    expect(bad.body).toContain('Ann &lt;b&gt;');
    expect(await db.selectFrom('users').select('id').where('email', '=', 'ann@outside.example').executeTakeFirst()).toBeUndefined();
  }, 60_000);

  it('refuses a request to a site that does not exist or has closed sign-up, with one answer', async () => {
    const missing = await call('POST', '/api/connections', 'rep', { site: 'No Such Clinic', kind: 'external-rep' });
    expect(missing.statusCode).toBe(404);
    // A partial name does not find a site either: names are not listed to whoever asks.
    expect((await call('POST', '/api/connections', 'rep', { site: 'Riverside', kind: 'external-rep' })).statusCode).toBe(404);
    expect((await call('PUT', '/api/site/connections', 'adminB', { acceptsConnections: false })).statusCode).toBe(200);
    const closed = await call('POST', '/api/connections', 'rep', { site: 'hillside imaging', kind: 'external-rep' });
    expect(closed.statusCode).toBe(404);
    expect(closed.json()).toEqual(missing.json());
    expect(await db.selectFrom('site_connections').select('id').execute()).toEqual([]);
    expect((await call('PUT', '/api/site/connections', 'adminB', { acceptsConnections: true })).statusCode).toBe(200);
    // A site's own user is not an external user.
    expect((await call('POST', '/api/connections', 'radA', { site: codeA, kind: 'external-rep' })).json<{ error: { code: string } }>().error.code).toBe('site-member');
  });

  it('takes a request by connection code (typed loosely) or exact name, and refuses a second while one waits', async () => {
    const byCode = await call('POST', '/api/connections', 'rep', { site: codeA.toLowerCase().replace(/-/g, ' '), kind: 'external-rep' });
    expect(byCode.statusCode, byCode.body).toBe(201);
    const connection = byCode.json<{ connection: { id: string; status: string; site: { name: string } } }>().connection;
    expect(connection).toMatchObject({ status: 'review', site: { name: 'Riverside Clinic' } });
    ids.repConnection = connection.id;
    const again = await call('POST', '/api/connections', 'rep', { site: 'riverside clinic', kind: 'practice-manager' });
    expect(again.statusCode).toBe(409);
    expect(again.json<{ error: { code: string; message: string } }>().error).toMatchObject({ code: 'request-open', message: expect.stringContaining('waiting') });
    const doc = await call('POST', '/api/connections', 'doc', { site: 'Riverside Clinic', kind: 'physician' });
    expect(doc.statusCode).toBe(201);
    ids.docConnection = doc.json<{ connection: { id: string } }>().connection.id;
    // The site's admins are told in the app.
    const told = await db.selectFrom('notifications').select(['user_id', 'kind']).where('kind', '=', 'connection.requested').execute();
    expect(told.map((row) => row.user_id)).toEqual([ids.adminA, ids.adminA]);
  });

  it('shows the requests to their site’s admins only, waiting ones counted', async () => {
    const listA = await call('GET', '/api/connections', 'adminA');
    expect(listA.statusCode).toBe(200);
    const a = listA.json<{ connections: { user: { email: string }; status: string; kind: string }[]; reviewCount: number }>();
    expect(a.reviewCount).toBe(2);
    expect(a.connections.map((c) => [c.user.email, c.kind, c.status]).sort()).toEqual([
      ['doc@outside.example', 'physician', 'review'],
      ['rep@outside.example', 'external-rep', 'review'],
    ]);
    // Site B's admin: none of A's requests; the roles a connection may take are B's own.
    const listB = (await call('GET', '/api/connections', 'adminB')).json<{ connections: unknown[]; reviewCount: number; roles: { id: string }[] }>();
    expect(listB).toMatchObject({ connections: [], reviewCount: 0 });
    const rolesOfB = await db.selectFrom('roles').select('id').where('account_id', '=', ids.siteB).execute();
    expect(listB.roles.map((role) => role.id).sort()).toEqual(rolesOfB.map((role) => role.id).sort());
    // A radiologist of the site manages no connections; an external user neither.
    expect((await call('GET', '/api/connections', 'radA')).statusCode).toBe(403);
    expect((await call('GET', '/api/connections', 'rep')).statusCode).toBe(403);
  });

  it('refuses two physicians on a Physician connection, another site’s physician, and another site’s admin — changing nothing', async () => {
    const two = await call('PUT', `/api/connections/${ids.docConnection}/physicians`, 'adminA', { physicianIds: [ids.paula, ids.peter] });
    expect(two.statusCode).toBe(409);
    expect(two.json<{ error: { code: string } }>().error.code).toBe('one-physician');
    const foreign = await call('PUT', `/api/connections/${ids.repConnection}/physicians`, 'adminA', { physicianIds: [ids.paula, ids.bruno] });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json<{ error: { code: string } }>().error.code).toBe('no-such-physician');
    // Site B's admin: site A's request is answered as one that does not exist, with B's own physician or A's.
    const otherAdmin = await call('PUT', `/api/connections/${ids.repConnection}/physicians`, 'adminB', { physicianIds: [ids.bruno] });
    const madeUp = await call('PUT', `/api/connections/${randomUUID()}/physicians`, 'adminB', { physicianIds: [ids.bruno] });
    expect(otherAdmin.statusCode).toBe(404);
    expect(otherAdmin.json()).toEqual(madeUp.json());
    expect((await call('PUT', `/api/connections/${ids.repConnection}/physicians`, 'adminB', { physicianIds: [ids.paula] })).json()).toEqual(madeUp.json());
    expect((await call('POST', `/api/connections/${ids.repConnection}/decline`, 'adminB')).json()).toEqual((await call('POST', `/api/connections/${randomUUID()}/decline`, 'adminB')).json());
    expect(await db.selectFrom('physician_delegates').selectAll().execute()).toEqual([]);
    const statuses = await db.selectFrom('site_connections').select('status').execute();
    expect(statuses.every((row) => row.status === 'review')).toBe(true);
  });

  it('finds physicians by surname for the dialog, only of the admin’s site', async () => {
    const found = await call('GET', '/api/connections/physicians?q=p', 'adminA');
    expect(found.json<{ physicians: { name: string }[] }>().physicians.map((p) => p.name)).toEqual(['Dr Peter Parker', 'Dr Paula Physician']);
    expect((await call('GET', '/api/connections/physicians?q=bone', 'adminA')).json()).toEqual({ physicians: [] });
    expect((await call('GET', '/api/connections/physicians?q=%25', 'adminA')).json<{ physicians: unknown[] }>().physicians).toHaveLength(2);
  });

  it('assigns physicians (Assigned, the user told), back to Review when none, and declines for good', async () => {
    const assigned = await call('PUT', `/api/connections/${ids.repConnection}/physicians`, 'adminA', { physicianIds: [ids.paula, ids.peter] });
    expect(assigned.statusCode, assigned.body).toBe(200);
    expect(assigned.json<{ connection: { status: string; physicians: { name: string }[] } }>().connection).toMatchObject({
      status: 'assigned',
      physicians: [{ name: 'Dr Peter Parker' }, { name: 'Dr Paula Physician' }],
    });
    const delegates = await db.selectFrom('physician_delegates').select(['physician_id', 'kind', 'account_id']).where('user_id', '=', (await db.selectFrom('users').select('id').where('email', '=', 'rep@outside.example').executeTakeFirstOrThrow()).id).execute();
    expect(delegates.map((d) => [d.kind, d.account_id]).sort()).toEqual([
      ['external', ids.siteA],
      ['external', ids.siteA],
    ]);
    const mine = await call('GET', '/api/connections/mine', 'rep');
    expect(mine.json<{ connections: { status: string; physicians: unknown[] }[] }>().connections[0]).toMatchObject({ status: 'assigned', physicians: [{ id: ids.peter }, { id: ids.paula }] });
    await eventually(() => mailsTo('rep@outside.example'), (mails) => mails.some((mail) => mail.includes('was accepted')));
    // The external user now has the site's role for external users (what they may do beyond viewing).
    const role = await db.selectFrom('users').innerJoin('roles', 'roles.id', 'users.role_id').select(['roles.name', 'roles.account_id']).where('users.email', '=', 'rep@outside.example').executeTakeFirstOrThrow();
    expect(role).toEqual({ name: 'Referrer', account_id: ids.siteA });

    const one = await call('PUT', `/api/connections/${ids.docConnection}/physicians`, 'adminA', { physicianIds: [ids.paula] });
    expect(one.json<{ connection: { status: string } }>().connection.status).toBe('assigned');
    expect((await call('GET', '/api/connections', 'adminA')).json<{ reviewCount: number }>().reviewCount).toBe(0);

    const none = await call('PUT', `/api/connections/${ids.repConnection}/physicians`, 'adminA', { physicianIds: [] });
    expect(none.json<{ connection: { status: string; physicians: unknown[] } }>().connection).toMatchObject({ status: 'review', physicians: [] });
    expect((await call('GET', '/api/connections', 'adminA')).json<{ reviewCount: number }>().reviewCount).toBe(1);

    const declined = await call('POST', `/api/connections/${ids.repConnection}/decline`, 'adminA');
    expect(declined.json<{ connection: { status: string } }>().connection.status).toBe('declined');
    expect((await call('PUT', `/api/connections/${ids.repConnection}/physicians`, 'adminA', { physicianIds: [ids.peter] })).statusCode).toBe(409);
    await eventually(() => mailsTo('rep@outside.example'), (mails) => mails.some((mail) => mail.includes('was declined')));
    // Declined is final for that request; the person may ask again.
    expect((await call('POST', '/api/connections', 'rep', { site: codeA, kind: 'external-rep' })).statusCode).toBe(201);
    const trail = await db.selectFrom('audit_events').select('action').where('account_id', '=', ids.siteA).where('action', 'in', ['connection.request', 'connection.decide']).execute();
    expect(trail.length).toBeGreaterThanOrEqual(7);
  });

  it('lets the operator create further sites and open sign-up for sites; nobody else', async () => {
    const site = { siteName: 'Lakeside Surgery', adminName: 'Admin C', email: 'admin@c.example', password: PASSWORD };
    expect((await call('POST', '/api/sites', null, site)).statusCode).toBe(403);
    expect((await call('POST', '/api/sites', 'adminB', site)).statusCode).toBe(403);
    expect((await call('POST', '/api/sites', null, { ...site, setupToken: 'WRONG-CODE' })).statusCode).toBe(403);
    expect((await call('PUT', '/api/hub/settings', 'adminB', { sitesMaySignUp: true })).statusCode).toBe(403);
    expect(await db.selectFrom('accounts').select('id').where('name', '=', 'Lakeside Surgery').executeTakeFirst()).toBeUndefined();
    const made = await call('POST', '/api/sites', 'adminA', site);
    expect(made.statusCode, made.body).toBe(201);
    expect((await hub.inject({ method: 'POST', url: '/api/sessions', payload: { email: 'admin@c.example', password: PASSWORD } })).statusCode).toBe(201);
    // Opened by the operator, anyone may create a site.
    expect((await call('PUT', '/api/hub/settings', 'adminA', { sitesMaySignUp: true })).json()).toEqual({ sitesMaySignUp: true });
    expect((await call('POST', '/api/sites', null, { ...site, siteName: 'Dune Radiology', email: 'admin@d.example' })).statusCode).toBe(201);
    // The same address twice is refused, and makes no site.
    expect((await call('POST', '/api/sites', null, { ...site, siteName: 'Twice' })).statusCode).toBe(409);
    expect(await db.selectFrom('accounts').select('id').where('name', '=', 'Twice').executeTakeFirst()).toBeUndefined();
    await call('PUT', '/api/hub/settings', 'adminA', { sitesMaySignUp: false });
  }, 60_000);
});
