/**
 * Who may write a study's files, and what a write may be (issue 18, items 2 and 4), on both
 * engines, with the requests the audit sent: a Referrer, a Physician or a Case Manager of the
 * owning site replacing an instance; a file of another study or another instance sent as this
 * one; the same bytes again (the desktop's retry) and different bytes without and with an
 * explicit correction; a deflate bomb while another request is served.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testUid, writeInstance, type InstanceSpec } from '../electron/main/dicom-write/synthetic-study';
import { addUser, createAccount } from './accounts/accounts-repository';
import { buildHub } from './app';
import { hashPassword } from './auth/password';
import { createSession } from './auth/sessions';
import type { HubDatabase } from './db/schema';
import { deflateBomb } from './test-support/hostile-dicom';
import { HUB_ENGINES, testHubDatabase, type TestHubDatabase } from './test-support/test-database';

const STUDY_UID = testUid(70);
const instance = (n: number, change: Partial<InstanceSpec> = {}): Uint8Array =>
  writeInstance({ studyInstanceUid: STUDY_UID, seriesInstanceUid: testUid(70, 1), sopInstanceUid: testUid(70, 1, n), instanceNumber: n, modality: 'CT', rows: 4, columns: 4, ...change });

describe.each(HUB_ENGINES)('hub: writing a study’s files (%s)', (engine) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-file-writes-'));
  let db: Kysely<HubDatabase>;
  let hubDatabase: TestHubDatabase;
  let hub: FastifyInstance;
  const clock = new Date('2026-12-01T09:00:00Z');
  const tokens: Record<string, string> = {};
  let studyId = '';

  const put = (who: string, sop: string, bytes: Uint8Array, query = '') =>
    hub.inject({
      method: 'PUT',
      url: `/api/studies/${studyId}/files/${sop}${query}`,
      payload: Buffer.from(bytes),
      headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/dicom' },
    });
  const download = async (sop: string) =>
    (await hub.inject({ method: 'GET', url: `/api/studies/${studyId}/files/${sop}`, headers: { authorization: `Bearer ${tokens.rad}` } })).rawPayload;
  const rows = () => db.selectFrom('study_files').select(['sop_instance_uid', 'sha256', 'blob']).where('study_id', '=', studyId).orderBy('sop_instance_uid').execute();

  beforeAll(async () => {
    hubDatabase = await testHubDatabase(engine);
    db = hubDatabase.db;
    hub = buildHub({ db, blobDir: path.join(dir, 'blobs'), now: () => clock, logger: false, publicUrl: 'https://hub.example.org' });
    await hub.ready();
    const passwordHash = await hashPassword('long enough password');
    const site = await db.transaction().execute((trx) => createAccount(trx, 'Site A', { name: 'Admin', email: 'admin@a.example', passwordHash }, clock));
    tokens.admin = await createSession(db, site.user.id, clock);
    for (const [name, role] of [['rad', 'Radiologist'], ['tech', 'Technologist'], ['referrer', 'Referrer'], ['phys', 'Physician'], ['cm', 'Case Manager']] as const) {
      const user = await db.transaction().execute((trx) => addUser(trx, site.account.id, { name, email: `${name}@a.example`, passwordHash, role }, clock));
      tokens[name] = await createSession(db, user.id, clock);
    }
    const other = await db.transaction().execute((trx) => createAccount(trx, 'Site B', { name: 'Admin B', email: 'admin@b.example', passwordHash }, clock));
    tokens.otherAdmin = await createSession(db, other.user.id, clock);
    const operation = {
      id: randomUUID(),
      kind: 'study.publish',
      study: {
        studyInstanceUid: STUDY_UID, patientName: 'Files^Patient', patientId: 'F1', patientBirthDate: null, studyDate: '2026-11-30', studyTime: null, patientSex: null,
        accessionNumber: 'ACC-F', studyDescription: 'CT', referringPhysicianName: null, institutionName: null, modalities: ['CT'], seriesCount: 1, instanceCount: 3,
      },
    };
    const published = await hub.inject({ method: 'POST', url: '/api/operations', payload: { operations: [operation] }, headers: { authorization: `Bearer ${tokens.rad}` } });
    studyId = published.json().results[0].value.studyId;
    expect((await put('rad', testUid(70, 1, 1), instance(1))).statusCode).toBe(201);
  });

  afterAll(async () => {
    await hub.close();
    await hubDatabase.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses roles without studies.import (Referrer, Physician, Case Manager) and other sites, and keeps the stored file', async () => {
    const before = await rows();
    const forged = instance(1, { studyInstanceUid: testUid(71), seriesDescription: 'forged' });
    for (const who of ['referrer', 'phys', 'cm']) {
      const answer = await put(who, testUid(70, 1, 1), forged);
      expect(answer.statusCode, who).toBe(403);
      expect(answer.json().error.code).toBe('forbidden');
    }
    expect([403, 404]).toContain((await put('otherAdmin', testUid(70, 1, 1), forged)).statusCode);
    expect(await rows()).toEqual(before);
    expect(Buffer.from(await download(testUid(70, 1, 1))).equals(Buffer.from(instance(1)))).toBe(true);
  });

  it('refuses a file of another study, or another instance, sent as this one, storing nothing', async () => {
    const before = await rows();
    const otherStudy = await put('rad', testUid(70, 1, 2), instance(2, { studyInstanceUid: testUid(71) }));
    expect(otherStudy.statusCode).toBe(422);
    expect(otherStudy.json().error).toMatchObject({ code: 'instance-mismatch', message: expect.stringContaining('another study') });
    const otherInstance = await put('rad', testUid(70, 1, 2), instance(3));
    expect(otherInstance.statusCode).toBe(422);
    expect(otherInstance.json().error).toMatchObject({ code: 'instance-mismatch', message: expect.stringContaining('another instance') });
    // The audit's request: an existing SOP with another study's file.
    const replaced = await put('tech', testUid(70, 1, 1), instance(1, { studyInstanceUid: testUid(71) }));
    expect(replaced.statusCode).toBe(422);
    expect(await rows()).toEqual(before);
  });

  it('takes the same bytes again as an idempotent success (the desktop’s retry), storing nothing new', async () => {
    const before = await rows();
    const again = await put('tech', testUid(70, 1, 1), instance(1));
    expect(again.statusCode).toBe(201);
    expect(again.json()).toMatchObject({ outcome: 'unchanged', size: instance(1).length });
    expect(await rows()).toEqual(before);
  });

  it('refuses different bytes for a stored instance with 409, and replaces them only by an audited correction', async () => {
    const sop = testUid(70, 1, 1);
    const before = await rows();
    const corrected = instance(1, { seriesDescription: 'corrected' });
    const refused = await put('rad', sop, corrected);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('instance-exists');
    expect(await rows()).toEqual(before);
    // A correction is still a write: a Referrer may not send one.
    expect((await put('referrer', sop, corrected, '?correction=true')).statusCode).toBe(403);

    const accepted = await put('rad', sop, corrected, '?correction=true');
    expect(accepted.statusCode).toBe(201);
    expect(accepted.json().outcome).toBe('corrected');
    expect(Buffer.from(await download(sop)).equals(Buffer.from(corrected))).toBe(true);
    const [row] = (await rows()).filter((r) => r.sop_instance_uid === sop);
    expect(row.blob).not.toBe(before[0].blob);
    const events = await db.selectFrom('audit_events').select(['action', 'detail', 'trail', 'study_id']).where('study_id', '=', studyId).where('action', '=', 'study.update').execute();
    expect(events).toHaveLength(1);
    expect(events[0].trail).toBe('study');
    expect(JSON.parse(events[0].detail)).toMatchObject({ change: 'file-corrected', sop, previousSha256: before[0].sha256, sha256: row.sha256 });
  });

  it('stores a file whose header holds numbers and text the database would refuse (found by bench:fuzz: 500 on PostgreSQL)', async () => {
    const sop = testUid(70, 1, 4);
    const odd = instance(4, { sopInstanceUid: sop, seriesNumber: 99_999_999_999, seriesDescription: 'Axial\0with a NUL' });
    const answer = await put('rad', sop, odd);
    expect(answer.statusCode).toBe(201);
    const row = await db.selectFrom('study_files').select(['series_number', 'series_description']).where('study_id', '=', studyId).where('sop_instance_uid', '=', sop).executeTakeFirstOrThrow();
    expect(row).toEqual({ series_number: null, series_description: 'Axialwith a NUL' });
  });

  it('refuses a deflate bomb quickly, with a clear error, while another request is answered', { timeout: 60_000 }, async () => {
    const sop = testUid(70, 1, 3);
    const bomb = await deflateBomb({ studyInstanceUid: STUDY_UID, seriesInstanceUid: testUid(70, 1), sopInstanceUid: sop }, 512 * 1024 ** 2);
    // The parse's workers are started by the first upload; what is timed is the bomb itself.
    const started = performance.now();
    const upload = put('rad', sop, bomb);
    let meAnsweredAt = Infinity;
    const me = hub.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${tokens.rad}` } }).then((answer) => {
      meAnsweredAt = performance.now();
      return answer;
    });
    const [refused, meAnswer] = await Promise.all([upload, me]);
    const uploadSeconds = (performance.now() - started) / 1000;
    expect(meAnswer.statusCode).toBe(200);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'deflate-bomb', message: expect.stringContaining('deflate bomb') });
    expect(meAnsweredAt - started).toBeLessThan(1000);
    expect(uploadSeconds).toBeLessThan(15);
    expect((await rows()).map((r) => r.sop_instance_uid)).not.toContain(sop);
  });
});
