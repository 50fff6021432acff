/**
 * The workstation lock time as a site's policy (issue 18, item 13) on both engines: every site
 * starts at 15 minutes, `/api/me` says the caller's site's value (none outside a site), only
 * those who manage users change it, within 1–240 (the route's schema and the table's check), and
 * a change is on the site's trail with what it was and what it became.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createAccount } from './accounts/accounts-repository';
import { buildHub } from './app';
import { hashPassword } from './auth/password';
import { createSession } from './auth/sessions';
import type { HubDatabase } from './db/schema';
import { HUB_ENGINES, testHubDatabase, type TestHubDatabase } from './test-support/test-database';

describe.each(HUB_ENGINES)('hub: the site’s workstation lock time (%s)', (engine) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-hub-lock-time-'));
  let db: Kysely<HubDatabase>;
  let hubDatabase: TestHubDatabase;
  let hub: FastifyInstance;
  const clock = new Date('2031-04-01T08:00:00Z');
  const tokens = { adminA: '', physicianA: '', adminB: '', external: '' };
  let siteA = '';
  let adminA = '';

  const call = (method: 'GET' | 'PUT', url: string, token: string, payload?: unknown) =>
    hub.inject({ method, url, payload: payload as never, headers: { authorization: `Bearer ${token}` } });
  const me = async (token: string) => (await call('GET', '/api/me', token)).json<{ lockMinutes: number | null }>();
  const trail = () => db.selectFrom('audit_events').select(['account_id', 'actor_id', 'action', 'trail', 'study_id', 'detail']).where('action', '=', 'site.settings').orderBy('seq').execute();

  beforeAll(async () => {
    hubDatabase = await testHubDatabase(engine);
    db = hubDatabase.db;
    hub = buildHub({ db, blobDir: path.join(dir, 'blobs'), mail: { dropDir: path.join(dir, 'drop') }, publicUrl: 'https://hub.example.org', now: () => clock });
    await hub.ready();
    const passwordHash = await hashPassword('long enough password');
    const a = await db.transaction().execute((trx) => createAccount(trx, 'Site A', { name: 'Admin A', email: 'admin@a.example', passwordHash }, clock));
    const b = await db.transaction().execute((trx) => createAccount(trx, 'Site B', { name: 'Admin B', email: 'admin@b.example', passwordHash }, clock));
    siteA = a.account.id;
    adminA = a.user.id;
    const physician = await db.transaction().execute((trx) => addUser(trx, siteA, { name: 'Phil', email: 'phil@a.example', passwordHash, role: 'Physician' }, clock));
    // Someone outside any site (an external invitee who registered).
    await db
      .insertInto('users')
      .values({ id: '00000000-0000-4000-8000-00000000e001', account_id: null, email: 'guest@elsewhere.example', name: 'Ext', password_hash: passwordHash, role_id: null, active: 1, created_at: clock.toISOString() })
      .execute();
    tokens.adminA = await createSession(db, a.user.id, clock);
    tokens.physicianA = await createSession(db, physician.id, clock);
    tokens.adminB = await createSession(db, b.user.id, clock);
    tokens.external = await createSession(db, '00000000-0000-4000-8000-00000000e001', clock);
  });

  afterAll(async () => {
    await hub.close();
    await hubDatabase.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts every site at 15 minutes and tells each user their site’s value (none outside a site)', async () => {
    expect(await me(tokens.adminA)).toMatchObject({ lockMinutes: 15 });
    expect(await me(tokens.physicianA)).toMatchObject({ lockMinutes: 15 });
    expect(await me(tokens.external)).toMatchObject({ lockMinutes: null });
  });

  it('lets an admin of the site change it, for that site only, and records from → to on the site’s trail', async () => {
    const answer = await call('PUT', '/api/account/settings', tokens.adminA, { lockMinutes: 5 });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ lockMinutes: 5 });
    expect(await me(tokens.physicianA)).toMatchObject({ lockMinutes: 5 });
    expect(await me(tokens.adminB)).toMatchObject({ lockMinutes: 15 });
    // The same value again changes nothing and records nothing more.
    expect((await call('PUT', '/api/account/settings', tokens.adminA, { lockMinutes: 5 })).json()).toEqual({ lockMinutes: 5 });
    const events = await trail();
    expect(events).toEqual([{ account_id: siteA, actor_id: adminA, action: 'site.settings', trail: 'account', study_id: null, detail: JSON.stringify({ setting: 'lockMinutes', from: 15, to: 5 }) }]);
    // The admin screen's trail lists it.
    const listed = await call('GET', '/api/audit?action=site.settings', tokens.adminA);
    expect(listed.statusCode).toBe(200);
    expect(listed.json<{ events: { action: string; detail: unknown }[] }>().events).toEqual([expect.objectContaining({ action: 'site.settings', detail: { setting: 'lockMinutes', from: 15, to: 5 } })]);
  });

  it('refuses those who do not manage users, and users outside any site', async () => {
    const physician = await call('PUT', '/api/account/settings', tokens.physicianA, { lockMinutes: 240 });
    expect(physician.statusCode).toBe(403);
    const external = await call('PUT', '/api/account/settings', tokens.external, { lockMinutes: 240 });
    expect(external.statusCode).toBe(403);
    expect((await call('PUT', '/api/account/settings', '', { lockMinutes: 240 })).statusCode).toBe(401);
    expect(await me(tokens.physicianA)).toMatchObject({ lockMinutes: 5 });
  });

  it('keeps the value within 1–240 whole minutes, at the route and in the table', async () => {
    for (const lockMinutes of [0, 241, 2.5, -1, '15', null]) {
      const answer = await call('PUT', '/api/account/settings', tokens.adminA, { lockMinutes });
      expect(answer.statusCode, String(lockMinutes)).toBe(400);
      expect(answer.json()).toMatchObject({ error: { code: 'invalid-input' } });
    }
    expect((await call('PUT', '/api/account/settings', tokens.adminA, { lockMinutes: 5, extra: true })).statusCode).toBe(400);
    for (const lockMinutes of [1, 240]) expect((await call('PUT', '/api/account/settings', tokens.adminA, { lockMinutes })).json()).toEqual({ lockMinutes });
    // Past the route, the database refuses too.
    await expect(db.updateTable('accounts').set({ workstation_lock_minutes: 0 }).where('id', '=', siteA).execute()).rejects.toThrow(/check/i);
    await expect(db.updateTable('accounts').set({ workstation_lock_minutes: 241 }).where('id', '=', siteA).execute()).rejects.toThrow(/check/i);
    expect(await me(tokens.physicianA)).toMatchObject({ lockMinutes: 240 });
    expect((await trail()).map((event) => JSON.parse(event.detail) as unknown)).toEqual([
      { setting: 'lockMinutes', from: 15, to: 5 },
      { setting: 'lockMinutes', from: 5, to: 1 },
      { setting: 'lockMinutes', from: 1, to: 240 },
    ]);
  });
});
