/**
 * Issue 18's crafted-request findings on who may do what to another site's or another person's
 * objects (items 1, 5, 10 and 11), each sent as the audit sent it, on both engines. Two sites on
 * one hub: site A owns the studies; site B's reading room receives one of them by share code.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIRTH_DATE_ONLY_WARNING } from '../shared/guest-link-warnings';
import type { StudySummary } from '../shared/types/study';
import { addUser, createAccount } from './accounts/accounts-repository';
import { buildHub } from './app';
import { hashPassword } from './auth/password';
import { createSession, hashToken } from './auth/sessions';
import type { HubDatabase } from './db/schema';
import { HUB_ENGINES, testHubDatabase, type TestHubDatabase } from './test-support/test-database';

const summary = (uid: string, patientName = 'Curie^Marie'): StudySummary => ({
  studyInstanceUid: uid,
  patientName,
  patientId: 'P-18',
  patientBirthDate: '1967-11-07',
  studyDate: '2026-01-12',
  studyTime: '10:00:00',
  patientSex: 'F',
  accessionNumber: 'ACC-18',
  studyDescription: 'CT Chest',
  referringPhysicianName: null,
  institutionName: 'Site A',
  modalities: ['CT'],
  seriesCount: 1,
  instanceCount: 2,
});

describe.each(HUB_ENGINES)('hub: another site’s and another person’s objects (issue 18) (%s)', (engine) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-access-'));
  let db: Kysely<HubDatabase>;
  let hubDatabase: TestHubDatabase;
  let hub: FastifyInstance;
  const clock = new Date('2026-02-02T09:00:00Z');
  const people: Record<string, { id: string; token: string }> = {};
  const sites = { a: '', b: '' };
  /** Site A's study, shared to site B's reading room by its share code. */
  let shared = '';
  /** Site A's private study, put on the hub private by the radiologist. */
  let secret = '';
  let readingRoom = '';

  const call = (who: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    hub.inject({ method, url, payload: payload as never, headers: { authorization: `Bearer ${people[who].token}` } });
  /** An operation's result: applied with a value, or refused with an error. */
  type Result = { status: string; value: { studyId: string; created?: boolean; removed?: boolean }; error: { code: string } };
  const operate = async (who: string, operation: Record<string, unknown>) => {
    const reply = await call(who, 'POST', '/api/operations', { operations: [{ id: randomUUID(), ...operation }] });
    if (reply.statusCode !== 200) throw new Error(reply.body);
    return reply.json<{ results: Result[] }>().results[0];
  };
  const feed = async (who: string) => (await call(who, 'GET', '/api/changes?after=0')).json<{ changes: { studyId: string; visible: boolean }[] }>().changes;
  type Links = { links: { id: string }[] };
  const linkIds = async (who: string, studyId: string) => (await call(who, 'GET', `/api/studies/${studyId}/guest-links`)).json<Links>().links.map((link) => link.id);

  beforeAll(async () => {
    hubDatabase = await testHubDatabase(engine);
    db = hubDatabase.db;
    hub = buildHub({ db, blobDir: path.join(dir, 'blobs'), now: () => clock, publicUrl: 'https://hub.example.org' });
    await hub.ready();
    const passwordHash = await hashPassword('long enough password');
    const siteA = await db.transaction().execute((trx) => createAccount(trx, 'Site A', { name: 'Admin A', email: 'admin@a.example', passwordHash }, clock));
    const siteB = await db.transaction().execute((trx) => createAccount(trx, 'Site B', { name: 'Admin B', email: 'admin@b.example', passwordHash }, clock));
    sites.a = siteA.account.id;
    sites.b = siteB.account.id;
    people.adminA = { id: siteA.user.id, token: await createSession(db, siteA.user.id, clock) };
    people.adminB = { id: siteB.user.id, token: await createSession(db, siteB.user.id, clock) };
    const users: [string, string, 'Radiologist' | 'Physician' | 'Technologist'][] = [
      ['radA', sites.a, 'Radiologist'],
      ['radA2', sites.a, 'Radiologist'],
      ['techA', sites.a, 'Technologist'],
      ['physA', sites.a, 'Physician'],
      ['radB', sites.b, 'Radiologist'],
    ];
    for (const [name, accountId, role] of users) {
      const user = await db.transaction().execute((trx) => addUser(trx, accountId, { name, email: `${name}@example.org`, passwordHash, role }, clock));
      people[name] = { id: user.id, token: await createSession(db, user.id, clock) };
    }
    // Site B's reading room, with its radiologist in it; site A finds it by its share code.
    const location = (await call('adminB', 'POST', '/api/locations', { name: 'Reading B' })).json<{ location: { id: string } }>().location;
    expect((await call('adminB', 'POST', `/api/locations/${location.id}/members`, { userId: people.radB.id })).statusCode).toBe(204);
    const code = (await call('adminB', 'GET', '/api/worklists')).json<{ worklists: { name: string; shareCode: string }[] }>().worklists.find((w) => w.name === 'Reading B')!.shareCode;
    readingRoom = (await call('radA', 'GET', `/api/worklists/by-code/${code}`)).json<{ worklist: { id: string } }>().worklist.id;

    shared = (await operate('radA', { kind: 'study.publish', study: summary('1.2.18.1') })).value.studyId;
    expect(await operate('radA', { kind: 'share.create', shareId: randomUUID(), study: { id: shared }, target: { worklistId: readingRoom } })).toMatchObject({ status: 'applied' });
    secret = (await operate('radA', { kind: 'study.publish', study: summary('1.2.18.2', 'Secret^Patient'), private: true })).value.studyId;
  });

  afterAll(async () => {
    await hub?.close();
    await hubDatabase?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('item 1: guest links are the owning site’s', () => {
    it('refuses a guest link to a receiving site, who sees the study by share code (was 201)', async () => {
      expect((await call('radB', 'GET', `/api/studies/${shared}`)).statusCode).toBe(200);
      const refused = await call('radB', 'POST', '/api/guest-links', { studyIds: [shared], protection: { kind: 'none' } });
      expect(refused.statusCode).toBe(403);
      expect(refused.json<{ error: unknown }>().error).toEqual({
        code: 'not-owning-site',
        message: 'Only the site a study belongs to can make guest links to it. This study was shared with you by another site: ask them for a link, or share it with the person instead.',
      });
      expect(await db.selectFrom('guest_links').select('id').execute()).toEqual([]);
      // What the receiving site is told it may do: no guest link.
      expect((await call('radB', 'GET', `/api/studies/${shared}`)).json<{ study: { actions: string[] } }>().study.actions).not.toContain('guest-link');
    });

    it('lists every link to a study to the owning site’s admin and lets them revoke one another site made (was 404), on the study’s own trail', async () => {
      // A link site B made before the rule (as the audit did): site B's own, on site B's trail.
      const legacy = randomUUID();
      await db
        .insertInto('guest_links')
        .values({
          id: legacy, token_hash: hashToken(randomUUID()), account_id: sites.b, created_by: people.radB.id, study_ids: JSON.stringify([shared]),
          expires_at: '2026-03-01T00:00:00.000Z', max_uses: null, uses: 0, pin_kind: 'none', pin_hash: null, max_attempts: 5, failed_attempts: 0,
          locked_at: null, allow_download: 0, include_priors: 0, note: null, revoked_at: null, created_at: clock.toISOString(), last_access_at: null,
        })
        .execute();
      await db.insertInto('guest_link_studies').values({ link_id: legacy, study_id: shared }).execute();
      const own = await call('radA', 'POST', '/api/guest-links', { studyIds: [shared], protection: { kind: 'pin', pin: '4711' } });
      expect(own.statusCode).toBe(201);
      const ownId = own.json<{ id: string }>().id;

      const listed = await call('adminA', 'GET', `/api/studies/${shared}/guest-links`);
      expect(listed.statusCode).toBe(200);
      expect(listed.json<Links>().links.map((l) => l.id).sort()).toEqual([legacy, ownId].sort());
      // Site B still sees (and may withdraw) only the link it made itself.
      expect(await linkIds('radB', shared)).toEqual([legacy]);
      expect((await call('radB', 'POST', `/api/guest-links/${ownId}/revoke`)).statusCode).toBe(404);

      const revoked = await call('adminA', 'POST', `/api/guest-links/${legacy}/revoke`);
      expect(revoked.statusCode).toBe(200);
      expect((await db.selectFrom('guest_links').select('revoked_at').where('id', '=', legacy).executeTakeFirstOrThrow()).revoked_at).not.toBeNull();
      const events = await db.selectFrom('audit_events').select(['account_id', 'trail', 'action', 'actor_id']).where('study_id', '=', shared).where('action', 'like', 'guest-link.%').orderBy('seq').execute();
      expect(events).toEqual([
        { account_id: sites.a, trail: 'study', action: 'guest-link.create', actor_id: people.radA.id },
        { account_id: sites.a, trail: 'study', action: 'guest-link.revoke', actor_id: people.adminA.id },
      ]);
      // Site A's trail shows it to site A's auditors.
      const trail = (await call('adminA', 'GET', `/api/studies/${shared}/audit`)).json<{ events: { action: string }[] }>().events.map((e) => e.action);
      expect(trail).toEqual(expect.arrayContaining(['guest-link.create', 'guest-link.revoke']));
    });
  });

  describe('item 5: publishing a study the site already has', () => {
    it('refuses a Technologist who cannot see a private study: its data stays and its hub id is not told', async () => {
      expect((await call('techA', 'GET', `/api/studies/${secret}`)).statusCode).toBe(404);
      const result = await operate('techA', { kind: 'study.publish', study: summary('1.2.18.2', 'Overwritten^Bytech') });
      expect(result).toMatchObject({ status: 'rejected', error: { code: 'study-not-updatable' } });
      expect(JSON.stringify(result)).not.toContain(secret);
      const stored = await db.selectFrom('studies').select(['summary', 'patient_name']).where('id', '=', secret).executeTakeFirstOrThrow();
      expect((JSON.parse(stored.summary) as StudySummary).patientName).toBe('Secret^Patient');
      expect(await db.selectFrom('audit_events').select('action').where('study_id', '=', secret).where('action', '=', 'study.update').execute()).toEqual([]);
    });

    it('lets the uploader update it, and a colleague with studies.import update a study that is not private', async () => {
      expect(await operate('radA', { kind: 'study.publish', study: summary('1.2.18.2', 'Secret^Patient') })).toMatchObject({ status: 'applied', value: { studyId: secret, created: false } });
      expect(await operate('techA', { kind: 'study.publish', study: summary('1.2.18.1') })).toMatchObject({ status: 'applied', value: { studyId: shared, created: false } });
    });
  });

  describe('item 10: one rule for another site’s and another person’s objects', () => {
    it('refuses a share to another site’s user by id without studies.share.code (was applied)', async () => {
      const byPhysician = await operate('physA', { kind: 'share.create', shareId: randomUUID(), study: { id: shared }, target: { userId: people.radB.id } });
      expect(byPhysician).toMatchObject({ status: 'rejected', error: { code: 'forbidden' } });
      // The same person through their personal worklist was already refused: now both agree.
      const personal = await db.selectFrom('worklists').select('id').where('kind', '=', 'personal').where('owner_id', '=', people.radB.id).executeTakeFirstOrThrow();
      expect(await operate('physA', { kind: 'share.create', shareId: randomUUID(), study: { id: shared }, target: { worklistId: personal.id } })).toMatchObject({ status: 'rejected' });
      // A colleague in the sharer's own site is still theirs to share with.
      expect(await operate('physA', { kind: 'share.create', shareId: randomUUID(), study: { id: shared }, target: { userId: people.radA2.id } })).toMatchObject({ status: 'applied' });
      // With studies.share.code (a Technologist has it), the other site's person may be named by id.
      expect(await operate('techA', { kind: 'share.create', shareId: randomUUID(), study: { id: shared }, target: { userId: people.radB.id } })).toMatchObject({ status: 'applied' });
    });

    it('refuses a site-B user removing a site-A share by id (was applied); they remove only their own', async () => {
      const internal = randomUUID();
      expect(await operate('radA', { kind: 'share.create', shareId: internal, study: { id: shared }, target: { userId: people.physA.id } })).toMatchObject({ status: 'applied' });
      const removed = await operate('radB', { kind: 'share.remove', shareId: internal });
      expect(removed).toMatchObject({ status: 'rejected', error: { code: 'forbidden' } });
      expect((await db.selectFrom('shares').select('removed_at').where('id', '=', internal).executeTakeFirstOrThrow()).removed_at).toBeNull();
      // The one site B made onwards is site B's to take back; and site A's admin may remove it too.
      const onward = randomUUID();
      const colleague = await db.transaction().execute((trx) => addUser(trx, sites.b, { name: 'techB', email: 'techB@example.org', passwordHash: 'x', role: 'Technologist' }, clock));
      expect(await operate('radB', { kind: 'share.create', shareId: onward, study: { id: shared }, target: { userId: colleague.id } })).toMatchObject({ status: 'applied' });
      const details = (await call('radB', 'GET', `/api/studies/${shared}`)).json<{ shares: { id: string; removable: boolean }[] }>().shares;
      expect(details.filter((share) => share.removable).map((share) => share.id)).toEqual([onward]);
      expect(await operate('radB', { kind: 'share.remove', shareId: onward })).toMatchObject({ status: 'applied', value: { removed: true } });
      expect(await operate('adminA', { kind: 'share.remove', shareId: internal })).toMatchObject({ status: 'applied', value: { removed: true } });
    });

    it('refuses a second radiologist listing and revoking the guest links of a private study it cannot see (was 200)', async () => {
      const made = await call('radA', 'POST', '/api/guest-links', { studyIds: [secret], protection: { kind: 'pin', pin: '4711' } });
      expect(made.statusCode).toBe(201);
      const link = made.json<{ id: string }>();
      const listed = await call('radA2', 'GET', `/api/studies/${secret}/guest-links`);
      expect(listed.statusCode).toBe(404);
      const revoke = await call('radA2', 'POST', `/api/guest-links/${link.id}/revoke`);
      expect(revoke.statusCode).toBe(404);
      expect((await db.selectFrom('guest_links').select('revoked_at').where('id', '=', link.id).executeTakeFirstOrThrow()).revoked_at).toBeNull();
      // The uploader and the site's admin, who see it, may.
      expect(await linkIds('radA', secret)).toEqual([link.id]);
      expect((await call('adminA', 'POST', `/api/guest-links/${link.id}/revoke`)).statusCode).toBe(200);
    });

    it('does not list in /api/changes the id of a study the caller never could see (was { visible: false })', async () => {
      for (const who of ['techA', 'radA2', 'physA', 'radB', 'adminB']) {
        expect((await feed(who)).map((change) => change.studyId), who).not.toContain(secret);
      }
      // Made public and private again, it did reach them: now they are told it left.
      expect(await operate('radA', { kind: 'study.private', study: { id: secret }, private: false })).toMatchObject({ status: 'applied' });
      expect((await feed('techA')).find((change) => change.studyId === secret)).toMatchObject({ visible: true });
      expect(await operate('radA', { kind: 'study.private', study: { id: secret }, private: true })).toMatchObject({ status: 'applied' });
      expect((await feed('techA')).find((change) => change.studyId === secret)).toEqual({ studyId: secret, visible: false });
      // Still nothing for another site, which never had it.
      expect((await feed('radB')).map((change) => change.studyId)).not.toContain(secret);
    });
  });

  describe('item 11: guest passwords', () => {
    it('counts wrong PINs over the link’s life: four wrong and one right, repeated, locks at the fifth wrong (was never)', async () => {
      const link = (await call('radA', 'POST', '/api/guest-links', { studyIds: [shared], protection: { kind: 'pin', pin: '4711' }, maxAttempts: 5 })).json<{ token: string }>();
      const open = (password: string) => hub.inject({ method: 'POST', url: `/g/${link.token}/open`, payload: { password } });
      for (const wrong of ['0000', '1111', '2222', '3333']) expect((await open(wrong)).statusCode).toBe(401);
      expect((await open('4711')).statusCode).toBe(200);
      const fifth = await open('5555');
      expect(fifth.statusCode).toBe(423);
      expect(fifth.json<{ error: { code: string } }>().error.code).toBe('locked');
      expect((await open('4711')).statusCode).toBe(423);
    });

    it('warns, in the answer, when the date of birth is a link’s only secret', async () => {
      const birthDate = await call('radA', 'POST', '/api/guest-links', { studyIds: [shared], protection: { kind: 'birth-date' } });
      expect(birthDate.statusCode).toBe(201);
      expect(birthDate.json<{ warnings: string[] }>().warnings).toEqual([BIRTH_DATE_ONLY_WARNING]);
      expect((await call('radA', 'POST', '/api/guest-links', { studyIds: [shared], protection: { kind: 'pin', pin: '4711' } })).json<{ warnings: string[] }>().warnings).toEqual([]);
    });
  });
});
