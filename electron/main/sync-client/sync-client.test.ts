/**
 * The sync client against a real hub over real HTTP, with the hub stopped and restarted in the
 * middle of a push, and connections cut in the middle of a push (answer lost) and of an upload
 * (body cut short). Nothing may be lost; nothing may be doubled.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StudySummary } from '../../../shared/types/study';
import { openIndexDatabase, type IndexDatabase } from '../db/connection';
import { writeInstance } from '../dicom-write/synthetic-study';
import { HubClient } from './hub-client';
import { SyncClient, type SyncStatus } from './sync-client';
import { TestHub } from '../test-support/test-hub';
import { HUB_ENGINES } from '../../../server/test-support/test-database';
import { testStudySummary } from '../../../server/test-support/study-summary';

const summary = (n: number): StudySummary => testStudySummary('1.2.826.0.1.3680043.10.1234.600', n);

/**
 * A proxy in front of the hub that can betray one request: forward it, let the hub answer, and
 * cut the connection before the answer reaches the client ('drop-answer'); or cut the
 * connection after part of the request body ('cut-body').
 */
async function startProxy(target: () => number, betray: { mode: 'drop-answer' | 'cut-body' | null; match: RegExp }): Promise<{ url: string; server: Server; betrayed: number }> {
  const state = { url: '', server: null as unknown as Server, betrayed: 0 };
  state.server = createServer((incoming, outgoing) => {
    const treacherous = betray.mode !== null && betray.match.test(`${incoming.method} ${incoming.url}`);
    const mode = treacherous ? betray.mode : null;
    if (treacherous) {
      betray.mode = null;
      state.betrayed++;
    }
    const upstream = httpRequest(
      { host: '127.0.0.1', port: target(), method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        if (mode === 'drop-answer') {
          answer.resume();
          answer.on('end', () => outgoing.socket?.destroy());
          return;
        }
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.socket?.destroy());
    if (mode === 'cut-body') {
      let sent = 0;
      incoming.on('data', (chunk: Buffer) => {
        if (sent > 64 * 1024) return;
        sent += chunk.length;
        upstream.write(chunk);
        if (sent > 64 * 1024) {
          upstream.destroy();
          outgoing.socket?.destroy();
        }
      });
    } else incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}`;
  return state;
}

describe.each(HUB_ENGINES)('sync client against a real hub (%s)', (engine) => {
  let dir: string;
  let hub: TestHub;
  let local: IndexDatabase;
  let token: string;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'studyshare-sync-'));
    hub = new TestHub(path.join(dir, 'hub'), engine);
    await hub.start();
    token = await hub.setUpSite();
    local = openIndexDatabase(path.join(dir, 'local.sqlite'));
  });

  afterEach(async () => {
    local?.close();
    await hub.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps what was done while the hub was down and sends it once when it is back', async () => {
    await hub.stop();
    const statuses: SyncStatus[] = [];
    const sync = new SyncClient(local, new HubClient(hub.url, token), { onStatus: (s) => statuses.push(s) });
    for (let n = 0; n < 30; n++) sync.enqueue({ kind: 'study.publish', study: summary(n), private: false });
    await sync.sync();
    expect(sync.status()).toMatchObject({ state: 'offline', pending: 30 });
    expect(sync.status().message).toMatch(/cannot be reached/);

    await hub.start();
    await sync.sync();
    expect(sync.status()).toMatchObject({ state: 'online', pending: 0, rejected: [] });
    expect(await hub.count('studies')).toBe(30);
    await sync.sync();
    expect(await hub.count('studies')).toBe(30);
    expect(statuses.some((s) => s.state === 'syncing')).toBe(true);
  });

  it('runs again for a sync asked for while a run is under way: what was queued meanwhile does not wait for the next timer', async () => {
    const asked: { second: Promise<void> | null } = { second: null };
    const sync = new SyncClient(local, new HubClient(hub.url, token), {
      // After this run's push: a new publish, and a sync asked for, while the run goes on.
      onPulled: () => {
        if (asked.second !== null) return;
        sync.enqueue({ kind: 'study.publish', study: summary(2), private: false });
        asked.second = sync.sync();
      },
    });
    sync.enqueue({ kind: 'study.publish', study: summary(1), private: false });
    const first = sync.sync();
    // Both asked for while the run goes on share the one run after it.
    expect(sync.sync()).toBe(sync.sync());
    await first;
    expect(asked.second).not.toBeNull();
    await asked.second;
    expect(sync.status()).toMatchObject({ state: 'online', pending: 0 });
    expect(await hub.count('studies')).toBe(2);
  });

  it('survives the hub stopping between two batches of a push, doubling nothing', async () => {
    let stopped = false;
    const sync = new SyncClient(local, new HubClient(hub.url, token), {
      batchSize: 10,
      onStatus: (status) => {
        // Right after the first batch is settled, the hub goes away: it stops listening and
        // drops its connections at once, before the client can send the next batch.
        if (!stopped && status.state === 'syncing' && status.pending === 30) {
          stopped = true;
          hub.app?.server.close();
          hub.app?.server.closeAllConnections();
        }
      },
    });
    for (let n = 0; n < 40; n++) sync.enqueue({ kind: 'study.publish', study: summary(n), private: false });
    await sync.sync();
    expect(stopped).toBe(true);
    expect(sync.status().state).toBe('offline');
    expect(sync.status().pending).toBe(30);
    await hub.stop();
    await hub.start();
    await sync.sync();
    expect(sync.status()).toMatchObject({ state: 'online', pending: 0 });
    expect(await hub.count('studies')).toBe(40);
    expect(await hub.count('operations')).toBe(40);
  });

  it('sends a batch again when its answer was lost, and the hub applies it once', async () => {
    const betray = { mode: 'drop-answer' as 'drop-answer' | 'cut-body' | null, match: /^POST \/api\/operations/ };
    const proxy = await startProxy(() => hub.port, betray);
    const sync = new SyncClient(local, new HubClient(proxy.url, token));
    const ids = Array.from({ length: 5 }, (_, n) => sync.enqueue({ kind: 'study.publish', study: summary(n), private: false }));
    await sync.sync();
    expect(proxy.betrayed).toBe(1);
    expect(sync.status()).toMatchObject({ state: 'offline', pending: 5 });
    // The hub did apply them: the answer is what got lost.
    expect(await hub.count('studies')).toBe(5);
    await sync.sync();
    expect(sync.status()).toMatchObject({ state: 'online', pending: 0 });
    expect(await hub.count('studies')).toBe(5);
    expect(await hub.count('operations')).toBe(5);
    for (const id of ids) expect(sync.result(id)).toMatchObject({ status: 'applied', value: { created: true } });
    proxy.server.close();
  });

  it('uploads again a file whose upload was cut off, and stores it once, intact', async () => {
    const sync = new SyncClient(local, new HubClient(hub.url, token));
    const publish = sync.enqueue({ kind: 'study.publish', study: summary(1), private: false });
    await sync.sync();
    const result = sync.result(publish);
    if (result?.status !== 'applied') throw new Error('publish failed');
    const studyId = result.value.studyId as string;

    const file = path.join(dir, 'big.dcm');
    // The file is an instance of the study it is uploaded to (the hub refuses any other).
    const bytes = Buffer.from(writeInstance({ studyInstanceUid: summary(1).studyInstanceUid, seriesInstanceUid: '1.2.3.1', sopInstanceUid: '1.2.3.1', rows: 1024, columns: 1536 }));
    writeFileSync(file, bytes);
    const betray = { mode: 'cut-body' as 'drop-answer' | 'cut-body' | null, match: /^PUT \/api\/studies\// };
    const proxy = await startProxy(() => hub.port, betray);
    const viaProxy = new SyncClient(local, new HubClient(proxy.url, token));
    viaProxy.queueUploads(studyId, [{ sopInstanceUid: '1.2.3.1', path: file, size: bytes.length }]);
    await viaProxy.sync();
    expect(proxy.betrayed).toBe(1);
    expect(viaProxy.status()).toMatchObject({ state: 'offline', uploadsPending: 1 });
    // Nothing half-written is left on the hub.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await hub.count('study_files')).toBe(0);

    await viaProxy.sync();
    expect(viaProxy.status()).toMatchObject({ state: 'online', uploadsPending: 0 });
    expect(await hub.count('study_files')).toBe(1);
    // The hub learns of the cut when its side of the connection closes, which can come after the
    // retry has finished: the unfinished file must then go, and nothing but the one file stay.
    await vi.waitFor(() => expect(readdirSync(path.join(dir, 'hub', 'blobs', studyId))).toEqual(['1.2.3.1.dcm']), { timeout: 10_000, interval: 50 });
    const hubBytes = readFileSync(path.join(dir, 'hub', 'blobs', studyId, '1.2.3.1.dcm'));
    expect(createHash('sha256').update(hubBytes).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    proxy.server.close();
  });

  it('pulls what the user may see by cursor, and shows a refused operation with its reason', async () => {
    const sync = new SyncClient(local, new HubClient(hub.url, token));
    sync.enqueue({ kind: 'study.publish', study: summary(7), private: false });
    const bad = sync.enqueue({ kind: 'share.remove', shareId: '00000000-0000-4000-8000-000000000000' });
    await sync.sync();
    expect(sync.status().rejected).toEqual([{ id: bad, kind: 'share.remove', reason: 'That share does not exist.', studyUid: null, target: null }]);
    const cached = local.prepare('SELECT study_uid FROM hub_studies').all();
    expect(cached).toEqual([{ study_uid: summary(7).studyInstanceUid }]);
    const cursor = local.prepare("SELECT value FROM sync_state WHERE key = 'cursor'").get() as { value: string };
    expect(Number(cursor.value)).toBeGreaterThan(0);
  });

  it('stops and says so when the session has ended, keeping what waits', async () => {
    const sync = new SyncClient(local, new HubClient(hub.url, 'expired-or-made-up'));
    sync.enqueue({ kind: 'study.publish', study: summary(1), private: false });
    await sync.sync();
    // Nothing waiting is dropped: the count stays, and the state says what to do.
    expect(sync.status()).toMatchObject({ state: 'session-expired', pending: 1, message: 'Your hub session has ended. Sign in again.' });
  });

  it('survives the hub stopping in the middle of an upload, and finishes it after the restart', async () => {
    const sync = new SyncClient(local, new HubClient(hub.url, token));
    const publish = sync.enqueue({ kind: 'study.publish', study: summary(2), private: false });
    await sync.sync();
    const result = sync.result(publish);
    if (result?.status !== 'applied') throw new Error('publish failed');
    const studyId = result.value.studyId as string;
    const file = path.join(dir, 'large.dcm');
    const bytes = Buffer.from(writeInstance({ studyInstanceUid: summary(2).studyInstanceUid, seriesInstanceUid: '1.2.3.1', sopInstanceUid: '1.2.3.2', rows: 3072, columns: 4096 }));
    writeFileSync(file, bytes);
    sync.queueUploads(studyId, [{ sopInstanceUid: '1.2.3.2', path: file, size: bytes.length }]);

    // The hub goes down while the body is still arriving.
    hub.onUpload = () => {
      hub.onUpload = null;
      hub.app?.server.close();
      hub.app?.server.closeAllConnections();
    };
    await sync.sync();
    expect(sync.status()).toMatchObject({ state: 'offline', uploadsPending: 1 });
    await hub.stop();
    await hub.start();
    expect(await hub.count('study_files')).toBe(0);

    await sync.sync();
    expect(sync.status()).toMatchObject({ state: 'online', uploadsPending: 0 });
    expect(await hub.count('study_files')).toBe(1);
    const stored = readFileSync(path.join(dir, 'hub', 'blobs', studyId, '1.2.3.2.dcm'));
    expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(readdirSync(path.join(dir, 'hub', 'blobs', studyId))).toEqual(['1.2.3.2.dcm']);
  });
});
