/**
 * Issue 18, items 6, 8 and 12 as the audit sent them: 200 wrong passwords then the right one;
 * throttles per source address shared by hub processes; a rebinding Host; the header policy on
 * every answer; idle and absolute session limits; password change, deactivation, unlock and an
 * admin's reset; common passwords refused everywhere a password is chosen.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP, cspValue, SECURITY_HEADERS } from '../shared/security-headers';
import { addUser, createAccount } from './accounts/accounts-repository';
import { buildHub, type HubOptions } from './app';
import { hashPassword } from './auth/password';
import { LOCK_AFTER_FAILURES, signInGate } from './auth/sign-in-guard';
import { hostAllowed } from './http/host-check';
import { DEFAULT_THROTTLES } from './http/throttle';
import type { HubDatabase } from './db/schema';
import { eventually } from './test-support/eventually';
import { HUB_ENGINES, testHubDatabase, type TestHubDatabase } from './test-support/test-database';

const PASSWORD = 'long enough password';

describe.each(HUB_ENGINES)('hub: sign-in throttling, hosts, headers, sessions and passwords (%s)', (engine) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-hub-hardening-'));
  let db: Kysely<HubDatabase>;
  let hubDatabase: TestHubDatabase;
  let hub: FastifyInstance;
  const extraHubs: FastifyInstance[] = [];
  let clock = new Date('2031-03-02T08:00:00Z');
  let siteA = { accountId: '', adminId: '' };

  const later = (seconds: number) => {
    clock = new Date(clock.getTime() + seconds * 1000);
  };
  const make = async (options: Partial<HubOptions> = {}) => {
    const made = buildHub({ db, blobDir: path.join(dir, 'blobs'), mail: { dropDir: path.join(dir, 'drop') }, publicUrl: 'https://hub.example.org', now: () => clock, ...options });
    await made.ready();
    extraHubs.push(made);
    return made;
  };
  /** Each test signs in from its own address, so one test's tries do not use up another's per-address allowance. */
  let address = '127.0.0.1';
  const signIn = (email: string, password: string, on = hub) => on.inject({ method: 'POST', url: '/api/sessions', payload: { email, password }, remoteAddress: address });
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token: string, payload?: unknown) =>
    hub.inject({ method, url, payload: payload as never, headers: { authorization: `Bearer ${token}` } });
  const person = async (accountId: string, email: string, role: 'Admin' | 'Physician' = 'Physician') => {
    const passwordHash = await hashPassword(PASSWORD);
    return (await db.transaction().execute((trx) => addUser(trx, accountId, { name: email, email, passwordHash, role }, clock))).id;
  };
  const mailsTo = async (address: string) => db.selectFrom('mails').select(['subject', 'body']).where('to_address', '=', address).orderBy('seq').execute();

  beforeAll(async () => {
    hubDatabase = await testHubDatabase(engine);
    db = hubDatabase.db;
    hub = buildHub({ db, blobDir: path.join(dir, 'blobs'), mail: { dropDir: path.join(dir, 'drop') }, publicUrl: 'https://hub.example.org', now: () => clock });
    await hub.ready();
    const passwordHash = await hashPassword(PASSWORD);
    const a = await db.transaction().execute((trx) => createAccount(trx, 'Site A', { name: 'Admin A', email: 'admin@a.example', passwordHash }, clock));
    // A second site: its admin is someone the first site's rules must not reach.
    await db.transaction().execute((trx) => createAccount(trx, 'Site B', { name: 'Admin B', email: 'admin@b.example', passwordHash }, clock));
    siteA = { accountId: a.account.id, adminId: a.user.id };
  });

  afterAll(async () => {
    await hub.close();
    for (const other of extraHubs) await other.close();
    await hubDatabase.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the audit’s 200 wrong passwords with back-off, locks the account, tells its owner, and refuses the right password then', async () => {
    await person(siteA.accountId, 'victim@a.example');
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) statuses.push((await signIn('victim@a.example', `wrong guess number ${i}`)).statusCode);
    // A few tries as typos; then each must wait (nothing is checked meanwhile): first for the
    // account, and once this address has used its allowance (600 per 10 minutes: a site behind
    // one NAT address signs everyone in at once), for the address too.
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(statuses.slice(5))).toEqual(new Set([429]));
    for (let i = 200; i < DEFAULT_THROTTLES['sign-in'].max; i++) expect((await signIn('victim@a.example', `wrong guess number ${i}`)).statusCode).toBe(429);
    const waiting = await signIn('victim@a.example', PASSWORD);
    expect(waiting.statusCode).toBe(429);
    expect(Number(waiting.headers['retry-after'])).toBeGreaterThan(0);
    expect(waiting.json().error.message).toMatch(/^Too many attempts from your network address\. Wait \d+ (seconds|minutes) before trying again\.$/);
    // The same from another address: the account's own back-off.
    address = '192.0.2.1';
    const accountWait = await signIn('victim@a.example', PASSWORD);
    expect(accountWait.statusCode).toBe(429);
    expect(accountWait.json().error.message).toMatch(/^Too many wrong passwords for this address\. Wait \d+ seconds before trying again\.$/);

    // Someone who waits each time out gets to the lock after LOCK_AFTER_FAILURES wrong ones in all.
    let last = accountWait;
    for (let i = 0; i < 20 && last.statusCode !== 423; i++) {
      later(Number(last.headers['retry-after'] ?? 0));
      last = await signIn('victim@a.example', 'still guessing wrong');
    }
    expect(last.statusCode).toBe(423);
    expect(last.json().error).toMatchObject({ code: 'account-locked' });
    expect(last.json().error.message).toContain('Forgot your password?');
    const failures = await db.selectFrom('sign_in_failures').selectAll().where('email', '=', 'victim@a.example').executeTakeFirstOrThrow();
    expect(failures.failures).toBe(LOCK_AFTER_FAILURES);
    const [mail] = await mailsTo('victim@a.example');
    expect(mail?.subject).toBe('Your Studyshare account is locked');
    later(3600 * 5);
    expect((await signIn('victim@a.example', PASSWORD)).statusCode).toBe(423);

    // An admin of the site sees the lock and lifts it; the right password works again.
    const admin = (await signIn('admin@a.example', PASSWORD)).json().token;
    const listed = (await call('GET', '/api/users', admin)).json().users.find((u: { email: string }) => u.email === 'victim@a.example');
    expect(listed).toMatchObject({ locked: true, active: true });
    const adminB = (await signIn('admin@b.example', PASSWORD)).json().token;
    expect((await call('POST', `/api/users/${listed.id}/unlock`, adminB)).statusCode).toBe(404);
    expect((await call('POST', `/api/users/${listed.id}/unlock`, admin)).json().user).toMatchObject({ locked: false });
    expect((await signIn('victim@a.example', PASSWORD)).statusCode).toBe(201);
  });

  it('answers an unknown address exactly like a known one, and mails nobody', async () => {
    address = '192.0.2.2';
    const known = [] as number[];
    const unknown = [] as number[];
    await person(siteA.accountId, 'known@a.example');
    while (known.at(-1) !== 423 && known.length < 40) {
      const a = await signIn('known@a.example', 'not it at all');
      const b = await signIn('nobody@a.example', 'not it at all');
      known.push(a.statusCode);
      unknown.push(b.statusCode);
      later(Math.max(Number(a.headers['retry-after'] ?? 0), Number(b.headers['retry-after'] ?? 0)));
    }
    expect(unknown).toEqual(known);
    expect(known.at(-1)).toBe(423);
    expect(await mailsTo('nobody@a.example')).toEqual([]);
  });

  it('unlocks through the emailed reset link', async () => {
    address = '192.0.2.3';
    await person(siteA.accountId, 'forgetful@a.example');
    for (let status = 0; status !== 423; ) {
      const answer = await signIn('forgetful@a.example', 'not it at all');
      status = answer.statusCode;
      later(Number(answer.headers['retry-after'] ?? 0));
    }
    expect((await signIn('forgetful@a.example', PASSWORD)).statusCode).toBe(423);
    expect((await hub.inject({ method: 'POST', url: '/api/password-resets', payload: { email: 'forgetful@a.example' } })).statusCode).toBe(202);
    const resetMail = (await mailsTo('forgetful@a.example')).find((m) => m.subject.startsWith('Reset'))!;
    const token = /\/reset-password\/([A-Za-z0-9_-]{43})/.exec(resetMail.body)![1];
    const form = new URLSearchParams({ password: 'a fresh new password', confirm: 'a fresh new password' }).toString();
    const done = await hub.inject({ method: 'POST', url: `/reset-password/${token}`, payload: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(done.statusCode).toBe(200);
    expect((await signIn('forgetful@a.example', 'a fresh new password')).statusCode).toBe(201);
  });

  it('throttles each source address in the database, so two hub processes count together, then lets it in again', async () => {
    const throttles = { 'sign-in': { max: 3, windowMs: 60_000 }, 'guest-open': { max: 2, windowMs: 60_000 }, registration: { max: 1, windowMs: 60_000 } };
    const [one, two] = [await make({ throttles }), await make({ throttles })];
    const from = (address: string) => ({ remoteAddress: address });
    const tries = [];
    for (const [index, on] of [one, two, one, two].entries()) {
      tries.push(await on.inject({ method: 'POST', url: '/api/sessions', payload: { email: `spray${index}@a.example`, password: 'Spring is here 1' }, ...from('203.0.113.7') }));
    }
    expect(tries.map((t) => t.statusCode)).toEqual([401, 401, 401, 429]);
    expect(tries[3].json().error).toMatchObject({ code: 'too-many-requests' });
    expect(tries[3].json().error.message).toMatch(/Too many attempts from your network address\. Wait \d+ seconds/);
    expect(Number(tries[3].headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not held back by this one.
    expect((await one.inject({ method: 'POST', url: '/api/sessions', payload: { email: 'x@a.example', password: 'Spring is here 1' }, ...from('198.51.100.9') })).statusCode).toBe(401);
    later(61);
    expect((await two.inject({ method: 'POST', url: '/api/sessions', payload: { email: 'x@a.example', password: 'Spring is here 1' }, ...from('203.0.113.7') })).statusCode).toBe(401);

    // Guest PIN tries (whatever the link) and registration forms have their own counts; a form gets a page.
    const opens = [];
    for (let i = 0; i < 3; i++) opens.push(await one.inject({ method: 'POST', url: `/g/${'x'.repeat(43)}/open`, payload: { password: '1234' }, ...from('203.0.113.7') }));
    expect(opens.map((o) => o.statusCode).at(-1)).toBe(429);
    const forms = [];
    for (let i = 0; i < 2; i++) forms.push(await one.inject({ method: 'POST', url: `/register/${'y'.repeat(43)}`, payload: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' }, ...from('203.0.113.7') }));
    expect(forms[0].statusCode).toBe(410);
    expect(forms[1].statusCode).toBe(429);
    expect(forms[1].headers['content-type']).toContain('text/html');
    expect(forms[1].body).toContain('Too many attempts');
  });

  it('refuses a request whose Host is not the hub’s (DNS rebinding), before setup or sign-in', async () => {
    const fresh = await testHubDatabase(engine);
    const bare = buildHub({ db: fresh.db, blobDir: path.join(dir, 'blobs-bare'), setupToken: 'ABCDEFGHJK', publicUrl: 'https://hub.example.org', listenHost: '127.0.0.1' });
    try {
      const setup = { accountName: 'Rebound', adminName: 'Eve', email: 'eve@evil.example', password: 'correct horse battery', setupToken: 'ABCDEFGHJK' };
      for (const host of ['studyshare-login.evil.example', 'rebind.attacker.example:4710', 'hub.example.org.evil.example']) {
        const refused = await bare.inject({ method: 'POST', url: '/api/setup', payload: setup, headers: { host } });
        expect(refused.statusCode).toBe(421);
        expect(refused.json().error).toMatchObject({ code: 'wrong-host' });
        expect(refused.headers['x-content-type-options']).toBe('nosniff');
        expect((await bare.inject({ method: 'POST', url: '/api/sessions', payload: { email: 'a@b.example', password: 'whatever it is' }, headers: { host } })).statusCode).toBe(421);
      }
      expect(await fresh.db.selectFrom('accounts').select('id').execute()).toEqual([]);
      // The public name, loopback names and addresses with ports, as desktops and tests call it.
      for (const host of ['hub.example.org', 'HUB.example.org:443', '127.0.0.1:4710', 'localhost:4710', '[::1]:4710', '192.168.1.20:4710']) {
        expect((await bare.inject({ method: 'GET', url: '/api/hub', headers: { host } })).statusCode).toBe(200);
      }
    } finally {
      await bare.close();
      await fresh.close();
    }
    expect(hostAllowed('intranet-hub:4710', { publicUrl: 'https://hub.example.org', extraHosts: ['intranet-hub'] })).toBe(true);
    expect(hostAllowed('intranet-hub:4710', { publicUrl: 'https://hub.example.org' })).toBe(false);
    expect(hostAllowed('hub.example.org:8443', { publicUrl: null, listenHost: 'hub.example.org' })).toBe(true);
    // The embedded hub: its links name its loopback address, so a name other than localhost is refused.
    expect(hostAllowed('rebind.attacker.example:4711', { publicUrl: 'http://127.0.0.1:4711', listenHost: '127.0.0.1' })).toBe(false);
    expect(hostAllowed('localhost:4711', { publicUrl: 'http://127.0.0.1:4711', listenHost: '127.0.0.1' })).toBe(true);
    // A server hub told no name (no public URL, listening on every address) has nothing to check against.
    expect(hostAllowed('inside:4710', { publicUrl: null, listenHost: '0.0.0.0' })).toBe(true);
    expect(hostAllowed('bad host!', { publicUrl: null })).toBe(false);
  });

  it('puts the one header policy on every answer: API, refusals, pages, the guest page', async () => {
    const api = [
      await hub.inject({ method: 'GET', url: '/api/hub' }),
      await hub.inject({ method: 'GET', url: '/api/me' }),
      await hub.inject({ method: 'GET', url: '/api/nothing-here' }),
      await signIn('admin@a.example', 'not the password'),
    ];
    const pages = [await hub.inject({ method: 'GET', url: '/reset-password' }), await hub.inject({ method: 'GET', url: '/' })];
    const guest = await hub.inject({ method: 'GET', url: `/g/${'z'.repeat(43)}` });
    for (const [answers, csp] of [
      [api, CSP.api],
      [pages, CSP.hubPage],
      [[guest], CSP.guestPage],
    ] as const) {
      for (const answer of answers) {
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(answer.headers[name], `${name} on ${answer.raw.req.url}`).toBe(value);
        expect(answer.headers['content-security-policy']).toBe(cspValue(csp));
      }
    }
  });

  it('ends a session after the idle time and after the lifetime, whichever comes first', async () => {
    address = '192.0.2.4';
    const strict = await make({ sessions: { lifetimeHours: 24, idleHours: 12 } });
    await person(siteA.accountId, 'sleepy@a.example');
    const token = (await signIn('sleepy@a.example', PASSWORD, strict)).json().token;
    const me = () => strict.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; i < 2; i++) {
      later(11 * 3600);
      expect((await me()).statusCode).toBe(200);
    }
    // 33 hours after sign-in, though used 11 hours ago: past the lifetime.
    later(11 * 3600);
    const ended = await me();
    expect(ended.statusCode).toBe(401);

    const second = (await signIn('sleepy@a.example', PASSWORD, strict)).json().token;
    later(12 * 3600 + 1);
    const idle = await strict.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${second}` } });
    expect(idle.statusCode).toBe(401);
    expect(idle.json().error.message).toBe('Your session ended after 12 hours without use. Sign in again.');
    // The default hub: idle 12 hours too.
    const third = (await signIn('sleepy@a.example', PASSWORD)).json().token;
    later(13 * 3600);
    expect((await call('GET', '/api/me', third)).statusCode).toBe(401);
  });

  it('changes one’s own password with the current one; other sessions end, this one stays', async () => {
    address = '192.0.2.5';
    await person(siteA.accountId, 'changer@a.example');
    const mine = (await signIn('changer@a.example', PASSWORD)).json().token;
    const elsewhere = (await signIn('changer@a.example', PASSWORD)).json().token;
    const change = (currentPassword: string, newPassword: string) => call('PUT', '/api/me/password', mine, { currentPassword, newPassword });
    expect((await change('not my password', 'a whole new phrase')).statusCode).toBe(403);
    const common = await change(PASSWORD, 'Password2024!');
    expect(common.statusCode).toBe(400);
    expect(common.json().error.message).toContain('one of the most common passwords');
    expect((await change(PASSWORD, 'a whole new phrase')).statusCode).toBe(204);
    expect((await call('GET', '/api/me', mine)).statusCode).toBe(200);
    expect((await call('GET', '/api/me', elsewhere)).statusCode).toBe(401);
    expect((await signIn('changer@a.example', PASSWORD)).statusCode).toBe(401);
    expect((await signIn('changer@a.example', 'a whole new phrase')).statusCode).toBe(201);
  });

  it('lets an admin deactivate and reactivate a user of their site, and trigger a reset; never another site’s user', async () => {
    address = '192.0.2.6';
    const userId = await person(siteA.accountId, 'leaver@a.example');
    const session = (await signIn('leaver@a.example', PASSWORD)).json().token;
    const admin = (await signIn('admin@a.example', PASSWORD)).json().token;
    const adminB = (await signIn('admin@b.example', PASSWORD)).json().token;
    expect((await call('PUT', `/api/users/${userId}/active`, adminB, { active: false })).statusCode).toBe(404);
    expect((await call('PUT', `/api/users/${siteA.adminId}/active`, admin, { active: false })).statusCode).toBe(409);
    const physician = (await signIn('victim@a.example', PASSWORD)).json().token;
    expect((await call('PUT', `/api/users/${userId}/active`, physician, { active: false })).statusCode).toBe(403);

    const off = await call('PUT', `/api/users/${userId}/active`, admin, { active: false });
    expect(off.json().user).toMatchObject({ id: userId, active: false });
    expect((await call('GET', '/api/me', session)).statusCode).toBe(401);
    expect((await signIn('leaver@a.example', PASSWORD)).statusCode).toBe(401);
    expect((await call('PUT', `/api/users/${userId}/active`, admin, { active: true })).json().user).toMatchObject({ active: true });
    const back = (await signIn('leaver@a.example', PASSWORD)).json().token;

    expect((await call('POST', `/api/users/${userId}/password-reset`, adminB)).statusCode).toBe(404);
    const reset = await call('POST', `/api/users/${userId}/password-reset`, admin);
    expect(reset.statusCode).toBe(202);
    expect(reset.json()).toEqual({ sent: true });
    expect((await call('GET', '/api/me', back)).statusCode).toBe(401);
    expect((await mailsTo('leaver@a.example')).some((m) => m.subject === 'Reset your Studyshare password')).toBe(true);
    expect((await call('POST', `/api/users/${randomUUID()}/unlock`, admin)).statusCode).toBe(404);
  });

  it('refuses common passwords where one is chosen: setup, adding a user, registration and reset', async () => {
    address = '192.0.2.7';
    const fresh = await testHubDatabase(engine);
    const bare = buildHub({ db: fresh.db, blobDir: path.join(dir, 'blobs-pw') });
    try {
      const setup = await bare.inject({ method: 'POST', url: '/api/setup', payload: { accountName: 'S', adminName: 'A', email: 'a@s.example', password: 'aaaaaaaaaa' } });
      expect(setup.statusCode).toBe(400);
      expect(setup.json().error.message).toContain('repeats the same few characters');
    } finally {
      await bare.close();
      await fresh.close();
    }
    const admin = (await signIn('admin@a.example', PASSWORD)).json().token;
    const added = await call('POST', '/api/users', admin, { name: 'New', email: 'new@a.example', password: 'qwertyuiop', role: 'Physician' });
    expect(added.statusCode).toBe(400);
    expect(added.json().error.message).toContain('run of letters, digits or keys');
    // The HTML forms say it on the page.
    await hub.inject({ method: 'POST', url: '/api/password-resets', payload: { email: 'known@a.example' } });
    await db.deleteFrom('sign_in_failures').where('email', '=', 'known@a.example').execute();
    // The link as mailed: the route sends at once after commit and clears the queued body then, so
    // the dropped message is read (soft line breaks joined), not the queue.
    const dropped = () =>
      existsSync(path.join(dir, 'drop'))
        ? readdirSync(path.join(dir, 'drop')).map((name) => readFileSync(path.join(dir, 'drop', name), 'utf8').replace(/=\r?\n/g, ''))
        : [];
    const linkIn = (mails: string[]) => mails.filter((mail) => mail.includes('To: known@a.example')).map((mail) => /\/reset-password\/([A-Za-z0-9_-]{43})/.exec(mail)?.[1]).find((found) => found !== undefined);
    const token = linkIn(await eventually(dropped, (mails) => linkIn(mails) !== undefined))!;
    const form = new URLSearchParams({ password: 'iloveyou12', confirm: 'iloveyou12' }).toString();
    const page = await hub.inject({ method: 'POST', url: `/reset-password/${token}`, payload: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('one of the most common passwords');
  });
});

describe('the per-account back-off rule', () => {
  const at = new Date('2031-01-01T12:00:00Z');
  const ago = (seconds: number) => new Date(at.getTime() - seconds * 1000).toISOString();
  it.each([
    [undefined, 'open'],
    [{ failures: 4, lastFailureAt: ago(0), lockedAt: null }, 'open'],
    [{ failures: 5, lastFailureAt: ago(0), lockedAt: null }, 'wait 15'],
    [{ failures: 5, lastFailureAt: ago(15), lockedAt: null }, 'open'],
    [{ failures: 6, lastFailureAt: ago(10), lockedAt: null }, 'wait 20'],
    [{ failures: 9, lastFailureAt: ago(0), lockedAt: null }, 'wait 240'],
    [{ failures: 9, lastFailureAt: ago(86_400), lockedAt: null }, 'open'],
    [{ failures: 10, lastFailureAt: ago(86_400 * 30), lockedAt: ago(86_400 * 30) }, 'locked'],
  ] as const)('%o → %s', (record, expected) => {
    const gate = signInGate(record, at);
    expect(gate.kind === 'wait' ? `wait ${gate.seconds}` : gate.kind).toBe(expected);
  });
});
