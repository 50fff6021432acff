/**
 * Issue 19's faults, against a real hub over real HTTP: a large file over a link that keeps
 * breaking, a hub whose storage is read-only or full (a real tmpfs, remounted), a hub that takes
 * connections and says nothing, a batch one operation breaks and one that is malformed, and a
 * share that must wait for the publish it needs. Each time: nothing lost, nothing doubled, the
 * status says what is wrong, and the queue drains by itself once the fault is gone.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StudySummary } from '../../../shared/types/study';
import { testStudySummary } from '../../../server/test-support/study-summary';
import { openIndexDatabase, type IndexDatabase } from '../db/connection';
import { writeInstance } from '../dicom-write/synthetic-study';
import { TestHub } from '../test-support/test-hub';
import { HubClient } from './hub-client';
import { CHUNK_BYTES } from './resumable-upload';
import { discardRecord, SyncClient } from './sync-client';
import { filesWaiting } from './sync-store';

const summary = (n: number): StudySummary => testStudySummary('1.2.826.0.1.3680043.10.1234.619', n);
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** Mounting a tmpfs needs root (CI and this machine run as root). */
const canMount = process.platform === 'linux' && process.getuid?.() === 0;
const mount = (...args: string[]) => execFileSync('mount', args, { stdio: 'pipe' });

/**
 * A proxy in front of the hub that cuts the connection of the next `cuts` chunk uploads after
 * `after` bytes of their body: a link that breaks in the middle of a transfer.
 */
async function breakingProxy(target: number, state: { cuts: number; after: number }): Promise<{ url: string; server: Server }> {
  const server = createHttpServer((incoming, outgoing) => {
    const cut = state.cuts > 0 && /^PUT \/api\/uploads\//.test(`${incoming.method} ${incoming.url}`);
    if (cut) state.cuts--;
    const upstream = httpRequest({ host: '127.0.0.1', port: target, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    upstream.on('error', () => outgoing.socket?.destroy());
    if (!cut) {
      incoming.pipe(upstream);
      return;
    }
    let sent = 0;
    incoming.on('data', (chunk: Buffer) => {
      if (sent >= state.after) return;
      sent += chunk.length;
      upstream.write(chunk);
      if (sent >= state.after) {
        upstream.destroy();
        outgoing.socket?.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('sync faults (issue 19)', () => {
  let dir: string;
  let hub: TestHub;
  let local: IndexDatabase;
  let token: string;
  let clock: Date;
  let mounted: string | null = null;
  const closers: (() => void)[] = [];

  async function startHub(blobMount?: { size: string }): Promise<void> {
    hub = new TestHub(path.join(dir, 'hub'));
    if (blobMount !== undefined) {
      const blobs = path.join(dir, 'hub', 'blobs');
      mkdirSync(blobs, { recursive: true });
      mount('-t', 'tmpfs', '-o', `size=${blobMount.size}`, 'tmpfs', blobs);
      mounted = blobs;
    }
    await hub.start();
    token = await hub.setUpSite();
  }

  /** A sync client on the test's clock, with short backoffs (the clock is moved past them). */
  const syncClient = (url = hub.url, timeoutMs?: number) =>
    new SyncClient(local, new HubClient(url, token, { timeoutMs }), { now: () => clock, backoff: { baseMs: 1000, capMs: 60_000 } });
  const later = (ms = 120_000) => {
    clock = new Date(clock.getTime() + ms);
  };

  /** Publishes a study and answers its hub id. */
  async function published(sync: SyncClient, n: number): Promise<string> {
    const id = sync.enqueue({ kind: 'study.publish', study: summary(n), private: false }, { studyUid: summary(n).studyInstanceUid });
    await sync.sync();
    const result = sync.result(id);
    if (result?.status !== 'applied') throw new Error(`publish failed: ${JSON.stringify(result)}`);
    return result.value.studyId as string;
  }

  function instanceFile(n: number, sop: string, rows: number, columns: number): { file: string; bytes: Buffer } {
    const bytes = Buffer.from(writeInstance({ studyInstanceUid: summary(n).studyInstanceUid, seriesInstanceUid: `${summary(n).studyInstanceUid}.1`, sopInstanceUid: sop, rows, columns }));
    const file = path.join(dir, `${sop}.dcm`);
    writeFileSync(file, bytes);
    return { file, bytes };
  }

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'studyshare-sync-faults-'));
    local = openIndexDatabase(path.join(dir, 'local.sqlite'));
    clock = new Date('2026-04-01T08:00:00Z');
  });

  afterEach(async () => {
    for (const close of closers.splice(0)) close();
    local?.close();
    await hub?.destroy();
    if (mounted !== null) execFileSync('umount', ['-l', mounted]);
    mounted = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers a large file over a link that breaks mid-chunk, re-sending little, intact', { timeout: 60_000 }, async () => {
    await startHub();
    const setupSync = syncClient();
    const studyId = await published(setupSync, 1);
    // 2560 × 2560 × 16 bits: a 13 MB instance, above the resumable threshold (8 MiB).
    const { file, bytes } = instanceFile(1, '1.2.826.0.1.3680043.10.1234.619.1.1', 2560, 2560);
    const cuts = { cuts: 3, after: 1024 * 1024 };
    const proxy = await breakingProxy(hub.port, cuts);
    closers.push(() => proxy.server.close());
    let sent = 0;
    const sync = syncClient(proxy.url);
    sync.queueUploads(studyId, [{ sopInstanceUid: '1.2.826.0.1.3680043.10.1234.619.1.1', path: file, size: bytes.length }]);
    await sync.uploadPending(undefined, (n) => (sent += n));
    expect(cuts.cuts).toBe(0);
    expect(sync.status()).toMatchObject({ uploadsPending: 0, delayed: 0 });
    const stored = readFileSync(path.join(dir, 'hub', 'blobs', studyId, '1.2.826.0.1.3680043.10.1234.619.1.1.dcm'));
    expect(sha(stored)).toBe(sha(bytes));
    // Each cut cost at most the chunk in flight, not the file.
    expect(sent).toBeGreaterThan(bytes.length);
    expect(sent).toBeLessThanOrEqual(bytes.length + 3 * CHUNK_BYTES);
  });

  it.skipIf(!canMount)('a hub whose storage is read-only: the file waits with the hub’s reason while the rest goes; once writable it arrives by itself', { timeout: 60_000 }, async () => {
    await startHub({ size: '64m' });
    const sync = syncClient();
    const studyId = await published(sync, 2);
    const { file, bytes } = instanceFile(2, '1.2.826.0.1.3680043.10.1234.619.2.1', 512, 512);
    mount('-o', 'remount,ro', mounted!);
    sync.queueUploads(studyId, [{ sopInstanceUid: '1.2.826.0.1.3680043.10.1234.619.2.1', path: file, size: bytes.length }]);
    // Another study published meanwhile goes through: the waiting file blocks nothing.
    const other = sync.enqueue({ kind: 'study.publish', study: summary(3), private: false });
    await sync.sync();
    expect(sync.result(other)).toMatchObject({ status: 'applied' });
    expect(sync.status()).toMatchObject({ state: 'hub-error', uploadsPending: 1, delayed: 1 });
    expect(sync.status().message).toMatch(/cannot write to its storage/);
    expect(sync.queue().find((item) => item.kind === 'file')).toMatchObject({ state: 'delayed', attempts: 1, reason: expect.stringMatching(/storage/) });
    // The study is not complete on the hub: "1 of 1 files still uploading".
    expect(filesWaiting(local, studyId)).toEqual({ waiting: 1, total: 1 });
    // Not tried again before its time.
    await sync.sync();
    expect(sync.queue().find((item) => item.kind === 'file')).toMatchObject({ attempts: 1 });

    mount('-o', 'remount,rw', mounted!);
    later();
    await sync.sync();
    expect(sync.status()).toMatchObject({ state: 'online', uploadsPending: 0, delayed: 0 });
    expect(filesWaiting(local, studyId)).toEqual({ waiting: 0, total: 1 });
    expect(sha(readFileSync(path.join(mounted!, studyId, '1.2.826.0.1.3680043.10.1234.619.2.1.dcm')))).toBe(sha(bytes));
  });

  it.skipIf(!canMount)('a hub whose disk is full says so; when space is freed the file arrives', { timeout: 60_000 }, async () => {
    await startHub({ size: '3m' });
    const sync = syncClient();
    const studyId = await published(sync, 4);
    // 2048 × 2048 × 16 bits: 8 MB, more than the hub's 3 MB disk.
    const { file, bytes } = instanceFile(4, '1.2.826.0.1.3680043.10.1234.619.4.1', 2000, 2000);
    sync.queueUploads(studyId, [{ sopInstanceUid: '1.2.826.0.1.3680043.10.1234.619.4.1', path: file, size: bytes.length }]);
    await sync.sync();
    expect(sync.status()).toMatchObject({ state: 'hub-error', uploadsPending: 1 });
    expect(sync.status().message).toMatch(/disk is full/);
    // The hub is still fine for everything else; its readiness says what is wrong only if the store cannot take a probe.
    mount('-o', 'remount,size=64m', mounted!);
    later();
    await sync.sync();
    expect(sync.status()).toMatchObject({ state: 'online', uploadsPending: 0 });
    expect(await hub.count('study_files')).toBe(1);
  });

  it('a hub that takes the connection and says nothing: "not answering" after the idle timeout, everything kept', { timeout: 30_000 }, async () => {
    await startHub();
    const sockets: Socket[] = [];
    const frozen = createTcpServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => frozen.listen(0, '127.0.0.1', resolve));
    closers.push(() => {
      for (const socket of sockets) socket.destroy();
      frozen.close();
    });
    const sync = syncClient(`http://127.0.0.1:${(frozen.address() as AddressInfo).port}`, 400);
    sync.enqueue({ kind: 'study.publish', study: summary(5), private: false });
    await sync.sync();
    expect(sync.status()).toMatchObject({ state: 'not-answering', pending: 1 });
    expect(sync.status().message).toMatch(/not answering/);
  });

  it('one operation that breaks the hub is delayed alone, a malformed one refused alone; the other 98 apply, in order', { timeout: 60_000 }, async () => {
    await startHub();
    const sync = syncClient();
    const ids: string[] = [];
    for (let n = 0; n < 100; n++) ids.push(sync.enqueue({ kind: 'study.publish', study: summary(100 + n), private: false }, { studyUid: summary(100 + n).studyInstanceUid }));
    // A summary the hub's schema refuses (a date longer than any date), as an older desktop might send.
    const malformed = ids[60];
    local.prepare("UPDATE outbox SET payload = json_set(payload, '$.study.studyDate', 'the day before yesterday') WHERE id = ?").run(malformed);
    const poisoned = ids[30];
    hub.poison = (operation) => operation.id === poisoned;
    await sync.sync();
    expect(await hub.count('studies')).toBe(98);
    expect(sync.result(malformed)).toMatchObject({ status: 'rejected', error: { code: 'invalid-input' } });
    expect(sync.result(poisoned)).toBeNull();
    expect(sync.status()).toMatchObject({ state: 'hub-error', pending: 1, delayed: 1 });
    expect(sync.status().message).toBe('The hub could not complete this request.');
    // What a caller waiting for one of them is told (hub-connection's uploadStudy): the hub's reason, not "unreachable".
    expect(sync.delayReason(poisoned)).toBe('The hub could not complete this request.');
    expect(sync.delayReason(ids[0])).toBeNull();
    expect(sync.queue().filter((item) => item.state !== 'waiting').map((item) => [item.id, item.state])).toEqual([
      [poisoned, 'delayed'],
      [malformed, 'refused'],
    ]);

    hub.poison = null;
    later();
    await sync.sync();
    expect(sync.status()).toMatchObject({ state: 'online', pending: 0, delayed: 0 });
    expect(await hub.count('studies')).toBe(99);
  });

  it('a share waits for the delayed publish of its study, and nothing else waits', { timeout: 60_000 }, async () => {
    await startHub();
    const sync = syncClient();
    const added = await fetch(`${hub.url}/api/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Dr Reader', email: 'reader@site.example', password: 'long enough password', role: 'Radiologist' }),
    });
    const reader = ((await added.json()) as { user: { id: string } }).user;
    const uid = summary(7).studyInstanceUid;
    const publish = sync.enqueue({ kind: 'study.publish', study: summary(7), private: false }, { studyUid: uid });
    const share = sync.enqueue({ kind: 'share.create', shareId: crypto.randomUUID(), study: { uid }, target: { userId: reader.id } }, { studyUid: uid, targetLabel: 'Dr Reader' });
    const elsewhere = sync.enqueue({ kind: 'study.publish', study: summary(8), private: false }, { studyUid: summary(8).studyInstanceUid });
    hub.poison = (operation) => operation.id === publish;
    await sync.sync();
    expect(sync.result(elsewhere)).toMatchObject({ status: 'applied' });
    // Held, not refused for a study the hub does not have yet.
    expect(sync.result(share)).toBeNull();
    expect(sync.queue().find((item) => item.id === share)).toMatchObject({ state: 'waiting', reason: null });

    hub.poison = null;
    later();
    await sync.sync();
    expect(sync.result(publish)).toMatchObject({ status: 'applied' });
    expect(sync.result(share)).toMatchObject({ status: 'applied' });
  });

  it('retry and discard from the queue: a discarded operation is settled and recorded on the hub’s audit trail', { timeout: 60_000 }, async () => {
    await startHub();
    const client = new HubClient(hub.url, token);
    // As the app wires it (hub-connection.ts): a discarded item is recorded through the outbox.
    const sync: SyncClient = new SyncClient(local, client, {
      now: () => clock,
      backoff: { baseMs: 1000, capMs: 60_000 },
      onDiscarded: (item) => sync.enqueue(discardRecord(item)),
    });
    const doomed = sync.enqueue({ kind: 'study.publish', study: summary(9), private: false }, { studyUid: summary(9).studyInstanceUid });
    hub.poison = (operation) => operation.id === doomed;
    await sync.sync();
    expect(sync.queue()).toMatchObject([{ id: doomed, state: 'delayed' }]);
    // Retry now: tried again at once (still broken), attempts counted.
    expect(sync.retry('operation', doomed)).toBe(true);
    await sync.sync();
    expect(sync.queue()).toMatchObject([{ id: doomed, state: 'delayed', attempts: 2 }]);
    const discarded = sync.discard('operation', doomed);
    expect(discarded).toMatchObject({ id: doomed, what: 'study.publish' });
    expect(sync.result(doomed)).toMatchObject({ status: 'rejected', error: { code: 'discarded' } });
    expect(sync.status()).toMatchObject({ delayed: 0, rejected: [] });
    hub.poison = null;
    await sync.sync();
    expect(sync.status()).toMatchObject({ state: 'online', pending: 0 });
    expect(sync.queue()).toEqual([]);
    expect(await hub.count('studies')).toBe(0);
    const audit = await hub.db!.selectFrom('audit_events').select(['action', 'trail', 'detail']).where('action', '=', 'sync.discard').execute();
    expect(audit).toEqual([{ action: 'sync.discard', trail: 'account', detail: JSON.stringify({ kind: 'operation', what: 'study.publish' }) }]);
  });
});
