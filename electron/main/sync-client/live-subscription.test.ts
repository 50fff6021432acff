/**
 * The desktop's live subscription against real hub processes (issue 16, part 4): two hub
 * processes on one PostgreSQL database — a share made through one wakes a desktop connected to
 * the other, which then pulls it; the hub it is connected to goes away (SIGKILL): the desktop
 * drops to the periodic pull (live: false), reconnects with backoff when the hub is back, and
 * with its Last-Event-ID is told at once of the share made meanwhile. The reconnect delay's
 * bounds (exponential, capped, jittered) are checked as a table.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUserRoute, setupRoute } from '../../../shared/hub-api/accounts';
import { postOperationsRoute } from '../../../shared/hub-api/sync';
import { createTestPostgresDatabase } from '../../../server/test-support/test-database';
import { eventually } from '../../../server/test-support/eventually';
import { testStudySummary } from '../../../server/test-support/study-summary';
import { freePort } from '../net/free-port';
import { HubClient } from './hub-client';
import { LiveSubscription, reconnectDelay } from './live-subscription';

const ROOT = path.resolve(import.meta.dirname, '../../..');

describe('reconnectDelay', () => {
  it.each([
    [0, 0, 500],
    [0, 1, 1000],
    [3, 0, 4000],
    [3, 1, 8000],
    [10, 1, 60_000],
    [50, 0.5, 45_000],
  ])('attempt %i with random %f waits %i ms', (attempt, random, expected) => {
    expect(reconnectDelay(attempt, 1000, 60_000, () => random)).toBe(expected);
  });
});

interface HubProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stderr: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

async function startHub(port: number, dataDir: string, databaseUrl: string): Promise<HubProcess> {
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('HUB_'))), HUB_DATABASE_URL: databaseUrl };
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/server.ts', '--port', String(port), '--data', dataDir, '--public-url', 'https://hub.example.org'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (/hub: listening on/.test(stderr)) resolve();
    });
    void exited.then(() => reject(new Error(`the hub exited: ${stderr}`)));
  });
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      child.kill(signal);
      await exited;
    },
  };
}

describe('live subscription through two hub processes on one PostgreSQL database', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-live-'));
  let database: Awaited<ReturnType<typeof createTestPostgresDatabase>>;
  const hubs: HubProcess[] = [];
  const ports: number[] = [];
  let admin: HubClient;
  let readerId = '';
  let readerToken = '';

  beforeAll(async () => {
    database = await createTestPostgresDatabase();
    for (const name of ['a', 'b']) {
      const port = await freePort();
      ports.push(port);
      hubs.push(await startHub(port, path.join(dir, name), database.url));
    }
    const code = /first-run setup code: (\S+)/.exec(hubs[0].stderr())![1];
    admin = new HubClient(hubs[0].url);
    const { token } = await admin.call(setupRoute, { body: { accountName: 'North', adminName: 'Ada Admin', email: 'ada@north.example', password: 'correct horse battery', setupToken: code } });
    admin.setToken(token);
    const added = await admin.call(addUserRoute, { body: { name: 'Rhea Reader', email: 'rhea@north.example', password: 'long enough password', role: 'Radiologist' } });
    readerId = added.user.id;
    readerToken = await new HubClient(hubs[1].url).signIn('rhea@north.example', 'long enough password');
    await admin.call(postOperationsRoute, { body: { operations: [{ id: randomUUID(), kind: 'study.publish', study: testStudySummary('1.2.826.0.1.3680043.10.1234.1650', 1, 'Live'), private: true }] } });
  }, 90_000);

  afterAll(async () => {
    for (const hub of hubs) await hub.stop().catch(() => undefined);
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const share = async (n: number) => {
    const { results } = await admin.call(postOperationsRoute, { body: { operations: [{ id: randomUUID(), kind: 'study.publish', study: testStudySummary('1.2.826.0.1.3680043.10.1234.1650', n, 'Live'), private: true }] } });
    const studyId = (results[0] as unknown as { value: { studyId: string } }).value.studyId;
    const shared = await admin.call(postOperationsRoute, { body: { operations: [{ id: randomUUID(), kind: 'share.create', shareId: randomUUID(), study: { id: studyId }, target: { userId: readerId } }] } });
    expect(shared.results[0].status).toBe('applied');
    return studyId;
  };

  it('wakes a desktop on one process for a share made through the other; falls back when that hub dies and catches up on reconnecting', async () => {
    const reader = new HubClient(hubs[1].url, readerToken);
    const signals: number[] = [];
    const liveStates: boolean[] = [];
    const subscription = new LiveSubscription({ client: () => reader, onSignal: (signal) => signals.push(signal.changes), onLive: (live) => liveStates.push(live), firstRetryMs: 200, maxRetryMs: 1000 });
    subscription.start();
    try {
      await eventually(() => subscription.live, (live) => live);
      // The first connect says "pull once".
      await eventually(() => signals.length, (n) => n >= 1);
      const before = signals.length;
      const first = await share(2);
      await eventually(() => signals.length, (n) => n > before);
      const pulled = await reader.changes(0);
      expect(pulled.changes.filter((c) => c.visible).map((c) => c.studyId)).toContain(first);

      // The hub the desktop is connected to dies: the desktop falls back (live: false).
      await hubs[1].stop('SIGKILL');
      await eventually(() => subscription.live, (live) => !live);
      expect(liveStates).toEqual([true, false]);
      // Meanwhile a share is made through the other process.
      const afterDeath = signals.length;
      const second = await share(3);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(signals.length).toBe(afterDeath);
      // Back on the same address: the desktop reconnects by itself and, resuming from its
      // Last-Event-ID, is told at once that something came in.
      hubs[1] = await startHub(ports[1], path.join(dir, 'b'), database.url);
      await eventually(() => subscription.live, (live) => live);
      await eventually(() => signals.length, (n) => n > afterDeath);
      expect((await reader.changes(0)).changes.map((c) => c.studyId)).toContain(second);
    } finally {
      await subscription.stop();
    }
    expect(subscription.live).toBe(false);
  }, 90_000);

  it('stops and reports an ended session instead of retrying with it', async () => {
    const token = await new HubClient(hubs[0].url).signIn('rhea@north.example', 'long enough password');
    const client = new HubClient(hubs[0].url, token);
    let ended = 0;
    const subscription = new LiveSubscription({ client: () => (ended === 0 ? client : null), onSignal: () => undefined, onSessionEnded: () => ended++, firstRetryMs: 100, idleWaitMs: 100 });
    subscription.start();
    try {
      await eventually(() => subscription.live, (live) => live);
      // Signed out elsewhere: the next connection is refused with 401.
      await new HubClient(hubs[1].url, token).request('DELETE', '/api/sessions');
      subscription.restart();
      await eventually(() => ended, (n) => n === 1);
      expect(subscription.live).toBe(false);
    } finally {
      await subscription.stop();
    }
  }, 60_000);
});
