/**
 * Issue 19's proof against a hub in its own process (server/server.ts, SQLite): killed with
 * SIGKILL in the middle of a push and in the middle of a resumable upload, and frozen with
 * SIGSTOP. Each time the desktop loses nothing and doubles nothing (operations applied exactly
 * once, the file's SHA-256 equal), says what is wrong, and finishes by itself once the hub is back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testStudySummary } from '../../../server/test-support/study-summary';
import { openIndexDatabase, type IndexDatabase } from '../db/connection';
import { writeInstance } from '../dicom-write/synthetic-study';
import { freePort } from '../test-support/free-port';
import { HubClient } from './hub-client';
import { SyncClient } from './sync-client';

const ROOT = path.resolve(__dirname, '../../..');
const summary = (n: number) => testStudySummary('1.2.826.0.1.3680043.10.1234.719', n);
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe.skipIf(process.platform !== 'linux')('a hub process killed or frozen under the desktop (issue 19)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-hub-kill-'));
  const data = path.join(dir, 'hub');
  let port = 0;
  let child: ChildProcess | null = null;
  let token = '';
  let local: IndexDatabase;

  /** Starts the hub on the same data and port; answers its stderr so far once it listens. */
  async function startHub(): Promise<string> {
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('HUB_')));
    const started = spawn(process.execPath, ['--import', 'tsx', 'server/server.ts', '--port', String(port), '--data', data, '--public-url', `http://127.0.0.1:${port}`], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = started;
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      started.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        if (/hub: listening on/.test(stderr)) resolve();
      });
      started.once('exit', () => reject(new Error(`the hub exited: ${stderr}`)));
    });
    return stderr;
  }

  async function kill(signal: NodeJS.Signals): Promise<void> {
    const running = child!;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    if (signal === 'SIGKILL') await exited;
  }

  /** Reads the hub's database as it is on disk (WAL: a reader beside the running hub). */
  function hubCount(sql: string): number {
    const db = new Database(path.join(data, 'hub.sqlite'), { readonly: true });
    try {
      return (db.prepare(sql).get() as { n: number }).n;
    } finally {
      db.close();
    }
  }

  beforeAll(async () => {
    port = await freePort();
    const stderr = await startHub();
    const setupToken = /first-run setup code: (\S+)/.exec(stderr)![1];
    const setup = await fetch(`http://127.0.0.1:${port}/api/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accountName: 'Site', adminName: 'Admin', email: 'admin@site.example', password: 'long enough password', setupToken }),
    });
    token = ((await setup.json()) as { token: string }).token;
    local = openIndexDatabase(path.join(dir, 'local.sqlite'));
  }, 60_000);

  afterAll(async () => {
    local?.close();
    if (child !== null && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT');
      await kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('SIGKILL in the middle of a push: after the restart every operation is applied exactly once', { timeout: 120_000 }, async () => {
    let killed = false;
    const sync = new SyncClient(local, new HubClient(`http://127.0.0.1:${port}`, token), {
      batchSize: 50,
      onStatus: (status) => {
        // A few batches in: the hub dies between (or during) two batches.
        if (!killed && status.state === 'syncing' && status.pending <= 850) {
          killed = true;
          void kill('SIGKILL');
        }
      },
    });
    sync.enqueueMany(Array.from({ length: 1000 }, (_, n) => ({ operation: { kind: 'study.publish' as const, study: summary(n), private: false } })));
    await sync.sync();
    expect(killed).toBe(true);
    expect(sync.status().state).toBe('offline');
    const left = sync.status().pending;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(1000);

    await startHub();
    await sync.sync();
    expect(sync.status()).toMatchObject({ state: 'online', pending: 0, rejected: [] });
    expect(hubCount('SELECT count(*) AS n FROM studies')).toBe(1000);
    expect(hubCount("SELECT count(*) AS n FROM operations WHERE kind = 'study.publish'")).toBe(1000);
  });

  it('SIGKILL in the middle of a large upload: after the restart it resumes and the file arrives intact, once', { timeout: 120_000 }, async () => {
    const sync = new SyncClient(local, new HubClient(`http://127.0.0.1:${port}`, token));
    const publish = sync.enqueue({ kind: 'study.publish', study: summary(2000), private: false });
    await sync.sync();
    const result = sync.result(publish);
    if (result?.status !== 'applied') throw new Error('publish failed');
    const studyId = result.value.studyId as string;
    // 2600 × 2600 × 16 bits: 13.5 MB, sent in chunks (above 8 MiB).
    const sop = `${summary(2000).studyInstanceUid}.1.1`;
    const bytes = writeInstance({ studyInstanceUid: summary(2000).studyInstanceUid, seriesInstanceUid: `${summary(2000).studyInstanceUid}.1`, sopInstanceUid: sop, rows: 2600, columns: 2600 });
    const file = path.join(dir, 'large.dcm');
    writeFileSync(file, bytes);
    sync.queueUploads(studyId, [{ sopInstanceUid: sop, path: file, size: bytes.length }]);
    let sent = 0;
    let killed = false;
    await sync
      .uploadPending(undefined, (n) => {
        sent += n;
        if (!killed && sent > 7 * 1024 * 1024) {
          killed = true;
          void kill('SIGKILL');
        }
      })
      .catch(() => undefined);
    expect(killed).toBe(true);
    expect(sync.status().uploadsPending).toBe(1);
    expect(hubCount('SELECT count(*) AS n FROM study_files')).toBe(0);
    // What the hub had kept of it before it died.
    const kept = hubCount('SELECT coalesce(max(received), 0) AS n FROM upload_sessions');
    expect(kept).toBeGreaterThan(0);

    await startHub();
    const before = sent;
    await sync.uploadPending(undefined, (n) => (sent += n));
    expect(sync.status().uploadsPending).toBe(0);
    // Resumed where the hub was, not from the start.
    expect(sent - before).toBeLessThanOrEqual(bytes.length - kept + 1);
    expect(hubCount('SELECT count(*) AS n FROM study_files')).toBe(1);
    expect(sha(readFileSync(path.join(data, 'blobs', studyId, `${sop}.dcm`)))).toBe(sha(bytes));
    expect(hubCount('SELECT count(*) AS n FROM upload_sessions')).toBe(0);
  });

  it('SIGSTOP: "not answering" after the idle timeout with everything kept; after SIGCONT it all goes', { timeout: 120_000 }, async () => {
    const sync = new SyncClient(local, new HubClient(`http://127.0.0.1:${port}`, token, { timeoutMs: 1500 }));
    sync.enqueue({ kind: 'study.publish', study: summary(3000), private: false });
    await kill('SIGSTOP');
    await sync.sync();
    expect(sync.status()).toMatchObject({ state: 'not-answering', pending: 1 });
    child!.kill('SIGCONT');
    await sync.sync();
    expect(sync.status()).toMatchObject({ state: 'online', pending: 0 });
    expect(hubCount('SELECT count(*) AS n FROM studies')).toBe(1002);
  });
});
