/**
 * The hub's file routes end to end on S3-compatible storage (s3rver on loopback), over real
 * sockets: the desktop's streamed upload lands in the bucket and not in the local blob folder,
 * the file route and a guest's zip give the same bytes back, and an upload cut off half-way
 * leaves no object and no row, so the retry completes it. The store is opened as server.ts opens
 * it (HUB_BLOB_URL and the SDK's AWS_* variables). The store's own contract is
 * server/blobs/blob-store.test.ts; the same cut-off upload on the folder store, file-uploads.test.ts.
 *
 * SQLite only: the rows are the same whichever store holds the bytes, and they are tested on
 * both engines elsewhere.
 */
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testUid, writeInstance } from '../electron/main/dicom-write/synthetic-study';
import { HubClient } from '../electron/main/sync-client/hub-client';
import { addUser, createAccount } from './accounts/accounts-repository';
import { buildHub } from './app';
import { hashPassword } from './auth/password';
import { createSession } from './auth/sessions';
import type { BlobStore } from './blobs/blob-store';
import { openBlobStore } from './blobs/open-blob-store';
import { largeDicomStream } from './test-support/large-dicom';
import { startTestS3Server, type TestS3Server } from './test-support/s3-server';
import { testHubDatabase, type TestHubDatabase } from './test-support/test-database';

/** The study largeDicomStream's instances belong to (series 9, instance 1). */
const STUDY_UID = '1.2.826.0.1.3680043.10.1234.900';
const PREFIX = 'hub-one';

/** One request the hub's store sent to S3, and how it ended (undefined while in flight). */
interface SentCommand {
  readonly name: string;
  readonly key: string | undefined;
  outcome?: 'ok' | 'failed';
}

describe('hub on S3 blob storage (s3rver, real sockets)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-hub-s3-'));
  const blobDir = path.join(dir, 'blobs');
  let s3: TestS3Server;
  /** The test's own client, to look into the bucket apart from the hub. */
  let bucket: S3Client;
  let blobs: BlobStore & { readonly client: S3Client };
  let hubDatabase: TestHubDatabase;
  let hub: FastifyInstance;
  let base = '';
  let token = '';
  let studyId = '';
  const sent: SentCommand[] = [];
  /** What was uploaded: SOP instance UID → its bytes and the name the guest zip gives it. */
  const uploaded = new Map<string, { readonly bytes: Buffer; readonly zipName: string }>();

  const get = (url: string, headers: Record<string, string> = {}) => fetch(`${base}${url}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const keyOf = (sop: string) => `${PREFIX}/${studyId}/${sop}.dcm`;
  const objectKeys = async (): Promise<string[]> =>
    ((await bucket.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${PREFIX}/` }))).Contents ?? []).map((object) => object.Key!).sort();
  const fileRows = () => hubDatabase.db.selectFrom('study_files').select(['sop_instance_uid', 'blob', 'size']).where('study_id', '=', studyId).orderBy('sop_instance_uid').execute();
  const localBlobs = () => (existsSync(blobDir) ? readdirSync(blobDir, { recursive: true }).map(String) : []);
  /** The first of `names` the hub's store sent for `key` and heard back from (polled: the hub works on its own). */
  const settled = async (key: string, names: readonly string[]): Promise<SentCommand> => {
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
      const found = sent.find((command) => command.key === key && names.includes(command.name) && command.outcome !== undefined);
      if (found !== undefined) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`The hub's store sent none of ${names.join(', ')} for ${key}.`);
  };
  /** Writes the file where the desktop keeps it and sends it with the desktop's client (a streamed PUT). */
  const upload = async (sop: string, bytes: Buffer, zipName: string) => {
    const file = path.join(dir, `${sop}.dcm`);
    writeFileSync(file, bytes);
    const stored = await new HubClient(base, token).uploadFile(studyId, sop, file);
    uploaded.set(sop, { bytes, zipName });
    return stored;
  };

  beforeAll(async () => {
    vi.stubEnv('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'true');
    s3 = await startTestS3Server();
    bucket = new S3Client(s3.clientConfig);
    // As a hub started with HUB_BLOB_URL=s3://… and the SDK's own variables (server.ts → openBlobStore).
    for (const [name, value] of Object.entries(s3.env)) vi.stubEnv(name, value);
    blobs = (await openBlobStore(`s3://${s3.bucket}/${PREFIX}`, blobDir)) as BlobStore & { readonly client: S3Client };
    // The S3 store exposes its client (s3-blob-store.ts): the test watches the hub's requests to
    // the bucket, to cut an upload once a part is really in S3 and to know when the hub has given
    // that upload up. It only looks; every request goes through unchanged.
    blobs.client.middlewareStack.add(
      (next, context) => async (args) => {
        const command: SentCommand = { name: context.commandName ?? '', key: (args.input as { Key?: string }).Key };
        sent.push(command);
        try {
          const result = await next(args);
          command.outcome = 'ok';
          return result;
        } catch (error) {
          command.outcome = 'failed';
          throw error;
        }
      },
      { step: 'initialize', name: 'watchHubRequests' },
    );
    hubDatabase = await testHubDatabase('sqlite');
    const { db } = hubDatabase;
    hub = buildHub({ db, blobDir, blobs, publicUrl: 'https://hub.example.org' });
    await hub.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(hub.server.address() as { port: number }).port}`;
    const now = new Date();
    const passwordHash = await hashPassword('long enough password');
    const site = await db.transaction().execute((trx) => createAccount(trx, 'Site', { name: 'Admin', email: 'admin@site.example', passwordHash }, now));
    const radiologist = await db.transaction().execute((trx) => addUser(trx, site.account.id, { name: 'Rad', email: 'rad@site.example', passwordHash, role: 'Radiologist' }, now));
    token = await createSession(db, radiologist.id, now);
    const operation = {
      id: randomUUID(),
      kind: 'study.publish',
      study: {
        studyInstanceUid: STUDY_UID, patientName: 'S3^Patient', patientId: 'S3-1', patientBirthDate: '1970-03-15', studyDate: '2026-11-20', studyTime: null, patientSex: 'F',
        accessionNumber: 'ACC-S3', studyDescription: 'CT Chest', referringPhysicianName: null, institutionName: null, modalities: ['CT'], seriesCount: 2, instanceCount: 4,
      },
    };
    const published = (await (await post('/api/operations', { operations: [operation] }, { authorization: `Bearer ${token}` })).json()) as { results: { value: { studyId: string } }[] };
    studyId = published.results[0].value.studyId;
  });

  afterAll(async () => {
    await hub?.close();
    await hubDatabase?.close();
    blobs?.client.destroy();
    bucket?.destroy();
    await s3?.close();
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores the desktop’s uploads in the bucket under the hub’s prefix, and nothing in the local blob folder', async () => {
    expect(blobs.kind).toBe('s3');
    // Two small instances (one request to S3 each) and one larger than the store's 8 MiB part,
    // which goes to S3 as a multipart upload.
    for (const n of [1, 2]) {
      const sop = testUid(900, 1, n);
      const bytes = Buffer.from(writeInstance({ studyInstanceUid: STUDY_UID, seriesInstanceUid: testUid(900, 1), seriesNumber: 1, modality: 'CT', sopInstanceUid: sop, instanceNumber: n }));
      expect(await upload(sop, bytes, `${STUDY_UID}/1-${n}-${sop}.dcm`)).toMatchObject({ size: bytes.length });
    }
    const largeSop = testUid(900, 9, 1);
    const large = largeDicomStream(9 * 1024 * 1024, { sopInstanceUid: largeSop });
    expect(await upload(largeSop, await buffer(large.stream), `${STUDY_UID}/9-1-${largeSop}.dcm`)).toMatchObject({ size: large.size });

    expect(await objectKeys()).toEqual([...uploaded.keys()].map(keyOf).sort());
    expect(localBlobs()).toEqual([]);
    for (const [sop, { bytes }] of uploaded) {
      const object = await bucket.send(new GetObjectCommand({ Bucket: s3.bucket, Key: keyOf(sop) }));
      expect(Buffer.from(await object.Body!.transformToByteArray()).equals(bytes)).toBe(true);
    }
    expect(await fileRows()).toEqual(
      [...uploaded].map(([sop, { bytes }]) => ({ sop_instance_uid: sop, blob: `${studyId}/${sop}.dcm`, size: bytes.length })).sort((a, b) => a.sop_instance_uid.localeCompare(b.sop_instance_uid)),
    );
    expect(sent.filter((command) => command.key === keyOf(largeSop)).map((command) => command.name)).toEqual(
      expect.arrayContaining(['CreateMultipartUploadCommand', 'UploadPartCommand', 'CompleteMultipartUploadCommand']),
    );
  });

  it('streams each file back from the bucket through the file route, byte for byte', async () => {
    for (const [sop, { bytes }] of uploaded) {
      const answer = await get(`/api/studies/${studyId}/files/${sop}`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('application/dicom');
      expect(answer.headers.get('content-length')).toBe(String(bytes.length));
      expect(Buffer.from(await answer.arrayBuffer()).equals(bytes)).toBe(true);
    }
    // The file route has no ranges yet: a Range request gets the whole file, which HTTP allows.
    // Once it answers ranges, the part must be the right one (this one crosses the end of the first 8 MiB part).
    const [sop, { bytes }] = [...uploaded].at(-1)!;
    const ranged = await get(`/api/studies/${studyId}/files/${sop}`, { range: 'bytes=1000-8388707' });
    const body = Buffer.from(await ranged.arrayBuffer());
    if (ranged.status === 206) expect(body.equals(bytes.subarray(1000, 8_388_708))).toBe(true);
    else expect([ranged.status, body.equals(bytes)]).toEqual([200, true]);
  });

  it('gives a guest the study from the bucket: each image’s file for the viewer, and a zip that unzip tests whole and that holds every file unchanged', async () => {
    const link = (await (await post('/api/guest-links', { studyIds: [studyId], protection: { kind: 'none' }, allowDownload: true }, { authorization: `Bearer ${token}` })).json()) as { token: string };
    const opened = await post(`/g/${link.token}/open`, {});
    expect(opened.status).toBe(200);
    const guest = { 'x-guest-session': ((await opened.json()) as { session: string }).session };

    // The guest page's viewer fetches each instance whole, as stored, streamed from the bucket.
    const [firstSop, first] = [...uploaded].at(0)!;
    const image = await fetch(`${base}/g/${link.token}/api/images/${studyId}/${firstSop}`, { headers: guest });
    expect([image.status, image.headers.get('content-type')]).toEqual([200, 'application/dicom']);
    expect(Buffer.from(await image.arrayBuffer()).equals(first.bytes)).toBe(true);
    // A signed-in viewer reads the same bytes through the viewer's routes: the manifest lists every instance.
    const manifest = (await (await get(`/api/studies/${studyId}/viewer`)).json()) as { series: { instances: unknown[] }[] };
    expect(manifest.series.flatMap((series) => series.instances)).toHaveLength(uploaded.size);
    const viewed = await get(`/api/studies/${studyId}/viewer/instances/${firstSop}`);
    expect(Buffer.from(await viewed.arrayBuffer()).equals(first.bytes)).toBe(true);
    // Without the guest session, nothing.
    expect((await fetch(`${base}/g/${link.token}/api/images/${studyId}/${firstSop}`)).status).toBeGreaterThanOrEqual(400);

    const download = await fetch(`${base}/g/${link.token}/api/download`, { headers: guest });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/zip');
    const archive = path.join(dir, 'guest.zip');
    writeFileSync(archive, Buffer.from(await download.arrayBuffer()));
    expect(execFileSync('unzip', ['-t', archive]).toString()).toContain('No errors detected');
    const unpacked = path.join(dir, 'guest');
    execFileSync('unzip', ['-q', archive, '-d', unpacked]);
    expect(readdirSync(unpacked, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())).toHaveLength(uploaded.size);
    for (const { bytes, zipName } of uploaded.values()) expect(readFileSync(path.join(unpacked, zipName)).equals(bytes)).toBe(true);
  });

  it('keeps no object and no row from an upload cut off after a part reached S3, and the retry then stores it once', async () => {
    const sop = testUid(900, 9, 2);
    const key = keyOf(sop);
    const file = largeDicomStream(12 * 1024 * 1024, { sopInstanceUid: sop });
    const bytes = await buffer(file.stream);
    // A raw socket, as when the desktop's connection drops: the whole length declared, 10 MiB sent.
    const socket = connect(Number(new URL(base).port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(`PUT /api/studies/${studyId}/files/${sop} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/dicom\r\nContent-Length: ${bytes.length}\r\n\r\n`);
    await new Promise<void>((resolve) => socket.write(bytes.subarray(0, 10 * 1024 * 1024), () => resolve()));
    // Cut once the first 8 MiB part is in S3: an unfinished multipart upload now exists.
    expect((await settled(key, ['UploadPartCommand'])).outcome).toBe('ok');
    socket.destroy();
    // Whatever the hub does with the upload (rightly abort it, or wrongly complete it), it is then done with it.
    expect((await settled(key, ['AbortMultipartUploadCommand', 'CompleteMultipartUploadCommand'])).name).toBe('AbortMultipartUploadCommand');
    expect(await objectKeys()).not.toContain(key);
    expect((await fileRows()).map((row) => row.sop_instance_uid)).not.toContain(sop);

    const stored = await upload(sop, bytes, `${STUDY_UID}/9-1-${sop}.dcm`);
    expect(stored.size).toBe(bytes.length);
    expect((await objectKeys()).filter((listed) => listed === key)).toEqual([key]);
    expect((await fileRows()).filter((row) => row.sop_instance_uid === sop)).toEqual([{ sop_instance_uid: sop, blob: `${studyId}/${sop}.dcm`, size: bytes.length }]);
    expect(Buffer.from(await (await get(`/api/studies/${studyId}/files/${sop}`)).arrayBuffer()).equals(bytes)).toBe(true);
    expect(localBlobs()).toEqual([]);
  });
});
