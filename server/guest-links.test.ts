import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHub } from './app';
import { hashPassword } from './auth/password';
import { createSession } from './auth/sessions';
import { HUB_ENGINES, testHubDatabase, type TestHubDatabase } from './test-support/test-database';
import type { HubDatabase } from './db/schema';
import { addUser, createAccount } from './accounts/accounts-repository';

describe.each(HUB_ENGINES)('hub: guest links (%s)', (engine) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-guest-'));
  let db: Kysely<HubDatabase>;
  let hubDatabase: TestHubDatabase;
  let hub: FastifyInstance;
  let clock = new Date('2026-11-24T09:00:00Z');
  const logged: string[] = [];
  const tokens: Record<string, string> = {};
  let studyId = '';

  const as = (who: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    hub.inject({ method, url, payload: payload as never, headers: { authorization: `Bearer ${tokens[who]}` } });
  const open = (token: string, password?: string) => hub.inject({ method: 'POST', url: `/g/${token}/open`, payload: password === undefined ? {} : { password } });
  /** Publishes a study of the same patient (Guest^Patient, born 1970-03-15) as the radiologist. */
  const publish = async (study: { studyInstanceUid: string; studyDate: string; accessionNumber: string; studyDescription: string; instanceCount: number }) => {
    const operation = {
      id: randomUUID(),
      kind: 'study.publish',
      study: {
        patientName: 'Guest^Patient', patientId: 'G1', patientBirthDate: '1970-03-15', studyTime: null, patientSex: 'F',
        referringPhysicianName: null, institutionName: null, modalities: ['CT'], seriesCount: 1, ...study,
      },
    };
    return (await as('rad', 'POST', '/api/operations', { operations: [operation] })).json().results[0];
  };
  const create = async (extra: Record<string, unknown>) => (await as('rad', 'POST', '/api/guest-links', { studyIds: [studyId], ...extra })).json<{ id: string; token: string; path: string }>();

  beforeAll(async () => {
    hubDatabase = await testHubDatabase(engine);
    db = hubDatabase.db;
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => logged.push(chunk.toString('utf8')));
    hub = buildHub({ db, blobDir: path.join(dir, 'blobs'), now: () => clock, logger: { stream }, publicUrl: 'https://hub.example.org' });
    await hub.ready();
    const passwordHash = await hashPassword('long enough password');
    const site = await db.transaction().execute((trx) => createAccount(trx, 'Site', { name: 'Admin', email: 'admin@site.example', passwordHash }, clock));
    for (const [name, role] of [['rad', 'Radiologist'], ['phys', 'Physician']] as const) {
      const user = await db.transaction().execute((trx) => addUser(trx, site.account.id, { name, email: `${name}@site.example`, passwordHash, role }, clock));
      tokens[name] = await createSession(db, user.id, clock);
    }
    const published = await publish({ studyInstanceUid: '1.2.3.40', studyDate: '2026-11-20', accessionNumber: 'ACC-G', studyDescription: 'CT Chest', instanceCount: 3 });
    studyId = published.value.studyId;
  });

  afterAll(async () => {
    await hub.close();
    await hubDatabase.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a link with 256 random bits and stores no usable token', async () => {
    const link = await create({ protection: { kind: 'pin', pin: '4711' } });
    expect(link.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(link.path).toBe(`/g/${link.token}`);
    const stored = JSON.stringify(await db.selectFrom('guest_links').selectAll().execute());
    expect(stored).not.toContain(link.token);
    expect(stored).not.toContain('4711');
  });

  it('asks for the PIN, counts wrong ones, locks after the maximum, and records every access', async () => {
    const link = await create({ protection: { kind: 'pin', pin: '4711' }, maxAttempts: 3 });
    expect((await open(link.token)).json()).toMatchObject({ error: { code: 'password-required' }, protection: 'pin' });
    const wrong = await open(link.token, '0000');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: { code: 'password-wrong', message: 'That is not right. 2 attempts left.' }, attemptsLeft: 2, protection: 'pin' });
    expect((await open(link.token, '1234')).statusCode).toBe(401);
    const locked = await open(link.token, '9999');
    expect(locked.statusCode).toBe(423);
    // Locked is locked: the right PIN no longer opens it.
    expect((await open(link.token, '4711')).statusCode).toBe(423);
    const events = await db.selectFrom('guest_access').select(['event', 'address']).where('link_id', '=', link.id).orderBy('seq').execute();
    expect(events.map((e) => e.event)).toEqual(['password-wrong', 'password-wrong', 'password-wrong:locked', 'refused:locked']);
    expect(events.every((e) => e.address === '127.0.0.1')).toBe(true);
  });

  it('opens with the right PIN and shows the study, counting uses up to the limit', async () => {
    const link = await create({ protection: { kind: 'pin', pin: '4711' }, maxUses: 2, allowDownload: true });
    const opened = await open(link.token, '4711');
    expect(opened.statusCode).toBe(200);
    expect(opened.json()).toMatchObject({ allowDownload: true, studies: [{ studyId, summary: { studyDescription: 'CT Chest' } }] });
    expect(opened.headers['cache-control']).toBe('no-store');
    expect((await open(link.token, '4711')).statusCode).toBe(200);
    const usedUp = await open(link.token, '4711');
    expect(usedUp.statusCode).toBe(410);
    expect(usedUp.json().error.code).toBe('used-up');
  });

  it('takes the patient’s date of birth as password, however it is typed', async () => {
    const link = await create({ protection: { kind: 'birth-date' } });
    expect((await open(link.token)).json().error.message).toBe('Enter the patient’s date of birth.');
    expect((await open(link.token, '16.03.1970')).statusCode).toBe(401);
    expect((await open(link.token, '15.03.1970')).statusCode).toBe(200);
    expect((await open(link.token, '1970-03-15')).statusCode).toBe(200);
  });

  it('refuses revoked, expired and unknown links with a page that names no study', async () => {
    const revoked = await create({ protection: { kind: 'none' } });
    expect((await open(revoked.token)).statusCode).toBe(200);
    expect((await as('rad', 'POST', `/api/guest-links/${revoked.id}/revoke`)).json()).toEqual({ state: 'revoked' });
    const gone = await open(revoked.token);
    expect(gone.statusCode).toBe(410);
    expect(gone.json()).toEqual({ error: { code: 'revoked', message: 'This link was withdrawn by the site that created it.' } });

    const expiring = await create({ protection: { kind: 'none' }, expiresInHours: 1 });
    clock = new Date(clock.getTime() + 61 * 60_000);
    const expired = await open(expiring.token);
    expect(expired.json()).toEqual({ error: { code: 'expired', message: 'This link has expired. Ask the person who sent it for a new one.' } });

    const unknown = await open('x'.repeat(43));
    expect(unknown.statusCode).toBe(404);
    for (const reply of [gone, expired, unknown]) expect(reply.body).not.toMatch(/Guest|Patient|CT Chest|1\.2\.3\.40/);
  });

  it('lists a study’s links with their state, uses and last access', async () => {
    const listed = (await as('rad', 'GET', `/api/studies/${studyId}/guest-links`)).json().links as { state: string; uses: number }[];
    expect(listed.map((l) => l.state).sort()).toEqual(['active', 'active', 'expired', 'locked', 'revoked', 'used-up'].sort());
    expect(listed.some((l) => l.uses === 2)).toBe(true);
  });

  it('lets only roles with the permission create or list guest links', async () => {
    const refused = await as('phys', 'POST', '/api/guest-links', { studyIds: [studyId], protection: { kind: 'none' } });
    expect(refused.statusCode).toBe(403);
    expect((await as('phys', 'GET', `/api/studies/${studyId}/guest-links`)).statusCode).toBe(403);
    const weakPin = await as('rad', 'POST', '/api/guest-links', { studyIds: [studyId], protection: { kind: 'pin', pin: '12' } });
    expect(weakPin.statusCode).toBe(400);
    const unknownStudy = await as('rad', 'POST', '/api/guest-links', { studyIds: [randomUUID()], protection: { kind: 'none' } });
    expect(unknownStudy.statusCode).toBe(403);
  });

  it('never writes a link token to the log', async () => {
    const link = await create({ protection: { kind: 'none' } });
    await open(link.token);
    const log = logged.join('');
    expect(log).toContain('/g/[token]/open');
    expect(log).not.toContain(link.token);
  });

  it('includes the patient’s prior studies when asked', async () => {
    const prior = await publish({ studyInstanceUid: '1.2.3.39', studyDate: '2025-01-10', accessionNumber: 'ACC-P', studyDescription: 'CT Chest (prior)', instanceCount: 1 });
    expect(prior.status).toBe('applied');
    const without = (await as('rad', 'POST', '/api/guest-links', { studyIds: [studyId], protection: { kind: 'none' } })).json();
    const withPriors = (await as('rad', 'POST', '/api/guest-links', { studyIds: [studyId], protection: { kind: 'none' }, includePriors: true })).json();
    expect([without.studies, withPriors.studies]).toEqual([1, 2]);
    const opened = (await open(withPriors.token)).json();
    expect(opened.studies.map((s: { summary: { studyDescription: string } }) => s.summary.studyDescription).sort()).toEqual(['CT Chest', 'CT Chest (prior)']);
  });
});
