/**
 * Resumable uploads on the hub (issue 19, item 1), on both engines: an upload opened again is
 * the same upload with what it had; chunks count only at the offset the hub has; only the
 * opener may touch it; completing checks the file as a whole upload would, plus the declared
 * SHA-256; abandoned uploads are swept with their chunks.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeInstance } from '../electron/main/dicom-write/synthetic-study';
import { addUser, createAccount } from './accounts/accounts-repository';
import { buildHub } from './app';
import { hashPassword } from './auth/password';
import { createSession } from './auth/sessions';
import { folderBlobStore } from './blobs/folder-blob-store';
import type { HubDatabase } from './db/schema';
import { STALE_UPLOAD_SESSION_MS, sweepUploads } from './files/upload-sweeper';
import { testStudySummary } from './test-support/study-summary';
import { HUB_ENGINES, testHubDatabase, type TestHubDatabase } from './test-support/test-database';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe.each(HUB_ENGINES)('resumable uploads (%s)', (engine) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-resumable-'));
  const blobDir = path.join(dir, 'blobs');
  let hubDatabase: TestHubDatabase;
  let db: Kysely<HubDatabase>;
  let hub: FastifyInstance;
  let clock = new Date('2026-03-01T08:00:00Z');
  const tokens = { admin: '', other: '' };
  const summary = testStudySummary('1.2.826.0.1.3680043.10.1234.19', 1);
  let studyId = '';
  let sop = 0;

  const auth = (who: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[who]}` });
  const instance = (rows = 600) => {
    const uid = `1.2.826.0.1.3680043.10.1234.19.9.${++sop}`;
    return { uid, bytes: Buffer.from(writeInstance({ studyInstanceUid: summary.studyInstanceUid, seriesInstanceUid: '1.2.826.0.1.3680043.10.1234.19.8', sopInstanceUid: uid, rows, columns: 600 })) };
  };
  const open = (who: keyof typeof tokens, uid: string, bytes: Uint8Array, extra: Record<string, unknown> = {}) =>
    hub.inject({ method: 'POST', url: `/api/studies/${studyId}/files/${uid}/uploads`, headers: auth(who), payload: { size: bytes.length, sha256: sha(bytes), ...extra } });
  const chunk = (who: keyof typeof tokens, uploadId: string, offset: number, bytes: Uint8Array) =>
    hub.inject({ method: 'PUT', url: `/api/uploads/${uploadId}/chunks/${offset}`, headers: { ...auth(who), 'content-type': 'application/octet-stream' }, payload: Buffer.from(bytes) });
  const complete = (who: keyof typeof tokens, uploadId: string) => hub.inject({ method: 'POST', url: `/api/uploads/${uploadId}/complete`, headers: auth(who) });

  beforeAll(async () => {
    hubDatabase = await testHubDatabase(engine);
    db = hubDatabase.db;
    hub = buildHub({ db, blobDir, now: () => clock, publicUrl: 'https://hub.example.org' });
    await hub.ready();
    const passwordHash = await hashPassword('long enough password');
    const site = await db.transaction().execute((trx) => createAccount(trx, 'Site', { name: 'Admin', email: 'admin@site.example', passwordHash }, clock));
    tokens.admin = await createSession(db, site.user.id, clock);
    const other = await db.transaction().execute((trx) => addUser(trx, site.account.id, { name: 'Tech', email: 'tech@site.example', passwordHash, role: 'Technologist' }, clock));
    tokens.other = await createSession(db, other.id, clock);
    const published = await hub.inject({
      method: 'POST',
      url: '/api/operations',
      headers: auth('admin'),
      payload: { operations: [{ id: randomUUID(), kind: 'study.publish', study: summary, private: false }] },
    });
    studyId = published.json<{ results: { value: { studyId: string } }[] }>().results[0].value.studyId;
  });
  afterAll(async () => {
    await hub.close();
    await hubDatabase.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes a file in chunks, resumes an upload opened again where it was, and keeps the file only once complete', async () => {
    const { uid, bytes } = instance();
    const first = await open('admin', uid, bytes);
    expect(first.statusCode).toBe(201);
    const { uploadId } = first.json<{ uploadId: string; received: number }>();
    expect(first.json()).toMatchObject({ received: 0, done: null });
    const third = Math.floor(bytes.length / 3);
    expect((await chunk('admin', uploadId, 0, bytes.subarray(0, third))).json()).toEqual({ received: third });
    // The desktop restarts: opening again finds the same upload and what it had.
    const again = await open('admin', uid, bytes);
    expect(again.json()).toEqual({ uploadId, received: third, done: null });
    // A chunk at another offset than the hub has is refused, saying where to send from.
    const wrong = await chunk('admin', uploadId, 0, bytes.subarray(0, third));
    expect(wrong.statusCode).toBe(409);
    expect(wrong.json()).toMatchObject({ error: { code: 'upload-offset' } });
    expect(wrong.json<{ error: { message: string } }>().error.message).toContain(String(third));
    // Completing before every byte is there is refused; nothing is stored.
    expect((await complete('admin', uploadId)).statusCode).toBe(409);
    expect(await db.selectFrom('study_files').select('sop_instance_uid').where('sop_instance_uid', '=', uid).execute()).toEqual([]);
    expect((await chunk('admin', uploadId, third, bytes.subarray(third))).json()).toEqual({ received: bytes.length });
    const done = await complete('admin', uploadId);
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({ size: bytes.length, sha256: sha(bytes), outcome: 'stored' });
    expect(readFileSync(path.join(blobDir, studyId, `${uid}.dcm`)).equals(bytes)).toBe(true);
    // The upload and its chunks are gone.
    expect(await db.selectFrom('upload_sessions').select('id').where('id', '=', uploadId).execute()).toEqual([]);
    const chunkDir = path.join(blobDir, 'uploads', uploadId);
    expect(existsSync(chunkDir) ? readdirSync(chunkDir) : []).toEqual([]);
    // The same bytes again: nothing to send.
    expect((await open('admin', uid, bytes)).json()).toEqual({ uploadId: null, received: bytes.length, done: { size: bytes.length, sha256: sha(bytes), outcome: 'unchanged' } });
  });

  it('refuses another person’s upload as not found, and a file whose bytes are not the declared ones', async () => {
    const { uid, bytes } = instance();
    const { uploadId } = (await open('admin', uid, bytes)).json<{ uploadId: string }>();
    // A technologist may upload (studies.import) but not into someone else's upload.
    expect((await chunk('other', uploadId, 0, bytes)).statusCode).toBe(404);
    expect((await complete('other', uploadId)).statusCode).toBe(404);
    expect((await hub.inject({ method: 'GET', url: `/api/uploads/${uploadId}`, headers: auth('other') })).statusCode).toBe(404);

    // One byte changed on the way: the hub's SHA-256 differs from the declared one.
    const altered = Buffer.from(bytes);
    altered[altered.length - 1] ^= 0xff;
    expect((await chunk('admin', uploadId, 0, altered)).statusCode).toBe(200);
    const refused = await complete('admin', uploadId);
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ error: { code: 'checksum-mismatch' } });
    expect(await db.selectFrom('study_files').select('sop_instance_uid').where('sop_instance_uid', '=', uid).execute()).toEqual([]);
    // The upload went, so the next try starts over.
    expect((await hub.inject({ method: 'GET', url: `/api/uploads/${uploadId}`, headers: auth('admin') })).statusCode).toBe(404);
    expect((await open('admin', uid, bytes)).json()).toMatchObject({ received: 0, done: null });
  });

  it('refuses what is not DICOM at completion, past the size, and without a length', async () => {
    const junk = Buffer.alloc(300_000, 7);
    const uid = '1.2.826.0.1.3680043.10.1234.19.7.1';
    const { uploadId } = (await open('admin', uid, junk)).json<{ uploadId: string }>();
    const past = await chunk('admin', uploadId, 0, Buffer.concat([junk, Buffer.alloc(1)]));
    expect(past.json()).toMatchObject({ error: { code: 'upload-overflow' } });
    expect((await chunk('admin', uploadId, 0, junk)).statusCode).toBe(200);
    const refused = await complete('admin', uploadId);
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ error: { code: 'not-dicom' } });
    const tooBig = await hub.inject({ method: 'POST', url: `/api/studies/${studyId}/files/${uid}/uploads`, headers: auth('admin'), payload: { size: 5 * 1024 ** 3, sha256: sha(junk) } });
    expect(tooBig.statusCode).toBe(400);
  });

  it('sweeps uploads nobody touched for a week, with their chunks', async () => {
    const { uid, bytes } = instance();
    const { uploadId } = (await open('admin', uid, bytes)).json<{ uploadId: string }>();
    expect((await chunk('admin', uploadId, 0, bytes.subarray(0, 1000))).statusCode).toBe(200);
    const chunkFiles = () => (existsSync(path.join(blobDir, 'uploads', uploadId)) ? readdirSync(path.join(blobDir, 'uploads', uploadId)) : []);
    expect(chunkFiles()).toHaveLength(1);
    expect(await sweepUploads(db, folderBlobStore(blobDir), clock)).toMatchObject({ uploadSessions: 0 });
    clock = new Date(clock.getTime() + STALE_UPLOAD_SESSION_MS + 1000);
    // This one, and the one the test before left open.
    expect((await sweepUploads(db, folderBlobStore(blobDir), clock)).uploadSessions).toBeGreaterThanOrEqual(1);
    expect(chunkFiles()).toEqual([]);
    expect(await db.selectFrom('upload_chunks').select('start').where('upload_id', '=', uploadId).execute()).toEqual([]);
    expect(await db.selectFrom('upload_sessions').select('id').where('id', '=', uploadId).execute()).toEqual([]);
  });
});
