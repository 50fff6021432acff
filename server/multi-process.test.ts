/**
 * Several hub processes on one PostgreSQL database, as behind a load balancer: two real
 * `server/server.ts` processes share the database (and nothing else in memory), and what one
 * does the other must see and respect — sessions, writes, the guest-link PIN lock, the mail queue
 * (each message sent once), and the change feed a desktop pulls while switching between them.
 * PostgreSQL only: SQLite is one file for one process (the embedded hub, small sites).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudySummary } from '../shared/types/study';
import { openIndexDatabase, type IndexDatabase } from '../electron/main/db/connection';
import { HubClient } from '../electron/main/sync-client/hub-client';
import { SyncClient } from '../electron/main/sync-client/sync-client';
import { createTestPostgresDatabase } from './test-support/test-database';
import { describeDatabaseUrl } from './db/open-hub-db';
import { testStudySummary } from './test-support/study-summary';

const ROOT = path.resolve(import.meta.dirname, '..');
const LISTENING_LINE = /^hub: listening on (http:\/\/127\.0\.0\.1:\d+)$/m;
const SETUP_CODE_LINE = /^hub: first-run setup code: ([0-9A-HJKMNP-TV-Z]{10})$/m;

interface HubProcess {
  readonly child: ChildProcess;
  stderr: string;
  readonly exited: Promise<number | null>;
  waitForStderr(pattern: RegExp): Promise<RegExpMatchArray>;
}

/** Starts server/server.ts with exactly the given HUB_* settings (none leak in from whoever runs the tests). */
export function startHubProcess(args: ReadonlyArray<string>, settings: Readonly<Record<string, string>>): HubProcess {
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('HUB_'))), ...settings };
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/server.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const waiters: Array<() => void> = [];
  const hub: HubProcess = {
    child,
    stderr: '',
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    waitForStderr: (pattern) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          const match = hub.stderr.match(pattern);
          if (match !== null) resolve(match);
          return match !== null;
        };
        if (check()) return;
        waiters.push(() => void check());
        void hub.exited.then(() => {
          if (!check()) reject(new Error(`the hub exited before its stderr matched ${pattern}; stderr: ${hub.stderr}`));
        });
      }),
  };
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    hub.stderr += chunk;
    for (const waiter of waiters) waiter();
  });
  return hub;
}

const summary = (n: number): StudySummary => testStudySummary('1.2.826.0.1.3680043.10.1234.700', n, 'Multi');

/** Runs `work` over `items` with at most `width` at a time. */
async function inParallel<T, R>(items: readonly T[], width: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index], index);
      }
    }),
  );
  return results;
}

describe('two hub processes on one PostgreSQL database', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-multi-'));
  const received: string[] = [];
  let smtp: SMTPServer;
  let database: Awaited<ReturnType<typeof createTestPostgresDatabase>>;
  const hubs: HubProcess[] = [];
  const urls: string[] = [];
  let adminToken = '';

  const call = async (hub: number, method: string, pathname: string, token?: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const response = await fetch(`${urls[hub]}${pathname}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: text === '' ? null : (JSON.parse(text) as unknown) };
  };
  const publish = async (hub: number, n: number): Promise<string> => {
    const answer = await call(hub, 'POST', '/api/operations', adminToken, { operations: [{ id: randomUUID(), kind: 'study.publish', study: summary(n), private: false }] });
    expect(answer.status).toBe(200);
    expect(answer.json.results[0].status).toBe('applied');
    return answer.json.results[0].value.studyId as string;
  };

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        stream.resume();
        stream.on('end', () => {
          received.push(session.envelope.rcptTo.map((r) => r.address).join(','));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    database = await createTestPostgresDatabase();
    const settings = { HUB_DATABASE_URL: database.url, HUB_SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}?ignoreTLS=true` };
    // Both start at once on an empty database: the migrations run once (the Migrator's lock).
    for (const name of ['a', 'b']) {
      hubs.push(startHubProcess(['--port', '0', '--data', path.join(dir, name), '--public-url', 'https://hub.example.org'], settings));
    }
    for (const hub of hubs) urls.push((await hub.waitForStderr(LISTENING_LINE))[1]);
  }, 60_000);

  afterAll(async () => {
    for (const hub of hubs) {
      hub.child.kill('SIGTERM');
      await hub.exited;
    }
    await database?.drop();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('shares sessions and data: set up on one, signed in on the other, what one writes the other lists', async () => {
    const code = hubs[0].stderr.match(SETUP_CODE_LINE)?.[1];
    expect(code).toMatch(/^[0-9A-Z]{10}$/);
    const setup = await call(0, 'POST', '/api/setup', undefined, { accountName: 'North', adminName: 'Ada Admin', email: 'ada@north.example', password: 'correct horse battery', setupToken: code });
    expect(setup.status).toBe(201);
    adminToken = setup.json.token;
    // The other process knows the site and the session: both are in the database only.
    expect((await call(1, 'GET', '/api/hub')).json).toMatchObject({ needsSetup: false });
    expect((await call(1, 'GET', '/api/me', adminToken)).json).toMatchObject({ email: 'ada@north.example' });
    const signedIn = await call(1, 'POST', '/api/sessions', undefined, { email: 'ada@north.example', password: 'correct horse battery' });
    expect(signedIn.status).toBe(201);
    expect((await call(0, 'GET', '/api/me', signedIn.json.token)).status).toBe(200);
    // Signing out on one ends the session on both.
    expect((await call(0, 'DELETE', '/api/sessions', signedIn.json.token)).status).toBeLessThan(300);
    expect((await call(1, 'GET', '/api/me', signedIn.json.token)).status).toBe(401);

    const studyId = await publish(0, 1);
    const listed = await call(1, 'GET', `/api/studies/${studyId}`, adminToken);
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.json)).toContain(summary(1).studyInstanceUid);
  });

  it('locks a guest link after its allowed wrong PINs, counted across both processes', async () => {
    const studyId = await publish(1, 2);
    const link = await call(0, 'POST', '/api/guest-links', adminToken, { studyIds: [studyId], protection: { kind: 'pin', pin: '4711' }, maxAttempts: 5 });
    expect(link.status).toBe(201);
    const token = link.json.token as string;
    // Twelve wrong PINs at once, alternating between the processes.
    const answers = await inParallel(Array.from({ length: 12 }, (_, i) => i), 6, async (i) => (await call(i % 2, 'POST', `/g/${token}/open`, undefined, { password: '0000' })).status);
    expect(answers.filter((status) => status === 401)).toHaveLength(4);
    expect(answers.filter((status) => status === 423)).toHaveLength(8);
    // Locked for good, on both, even with the right PIN.
    for (const hub of [0, 1]) expect((await call(hub, 'POST', `/g/${token}/open`, undefined, { password: '4711' })).status).toBe(423);
  });

  it('makes one share of two identical shares sent at once through the two processes (issue 19, item 6)', async () => {
    const studyId = await publish(0, 3);
    const reader = await call(0, 'POST', '/api/users', adminToken, { name: 'Rhea Reader', email: 'rhea@north.example', password: 'long enough password', role: 'Radiologist' });
    expect(reader.status).toBe(201);
    const userId = reader.json.user.id as string;
    // Eight rounds of the same share (other operation ids, as two desktops would send it), each pair at once on both.
    for (let round = 0; round < 8; round++) {
      const answers = await Promise.all(
        [0, 1].map((hub) => call(hub, 'POST', '/api/operations', adminToken, { operations: [{ id: randomUUID(), kind: 'share.create', shareId: randomUUID(), study: { id: studyId }, target: { userId } }] })),
      );
      for (const answer of answers) expect(answer.json.results[0].status).toBe('applied');
    }
    const details = await call(1, 'GET', `/api/studies/${studyId}`, adminToken);
    const shares = (details.json as { shares: { target: { name: string } }[] }).shares;
    expect(shares.filter((share) => share.target.name === 'Rhea Reader')).toHaveLength(1);
  });

  it('sends each queued mail exactly once while both processes flush the same queue', async () => {
    const addresses = Array.from({ length: 12 }, (_, i) => `person${i}@north.example`);
    for (const [i, email] of addresses.entries()) {
      expect((await call(i % 2, 'POST', '/api/users', adminToken, { name: `Person ${i}`, email, password: 'long enough password', role: 'Physician' })).status).toBe(201);
    }
    // Each request queues one mail and makes its process flush right after: the two processes'
    // flushes race over the same rows.
    await inParallel(addresses, 6, async (email, i) => expect((await call(i % 2, 'POST', '/api/password-resets', undefined, { email })).status).toBeLessThan(300));
    // Until the queue says every mail went (bounded: each flush is triggered above; 300 × 50 ms).
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: database.url });
    await client.connect();
    try {
      let unsent = -1;
      for (let attempt = 0; attempt < 300; attempt++) {
        unsent = Number((await client.query("select count(*) as n from mails where sent_at is null and to_address like 'person%'")).rows[0].n);
        if (unsent === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(unsent).toBe(0);
    } finally {
      await client.end();
    }
    // A message is counted when the SMTP server took it, before its sender records it as sent.
    expect(received.filter((to) => to.startsWith('person')).sort()).toEqual([...addresses].sort());
  });

  it('feeds a desktop that switches between the processes every change exactly once, while both take writes', async () => {
    const local: IndexDatabase = openIndexDatabase(path.join(dir, 'desktop.sqlite'));
    const seen = new Map<string, number>();
    /** A HubClient that notes every study each page of the feed brings. */
    class CountingClient extends HubClient {
      override async changes(after: number, limit?: number) {
        const page = await super.changes(after, limit);
        for (const change of page.changes) seen.set(change.studyId, (seen.get(change.studyId) ?? 0) + 1);
        return page;
      }
    }
    const clients = urls.map((url) => new CountingClient(url, adminToken));
    try {
      // Whatever the earlier tests published is pulled first, so only the new studies count below.
      await new SyncClient(local, clients[0]).pull();
      seen.clear();
      const published: string[] = [];
      let writing = true;
      const writes = inParallel(Array.from({ length: 40 }, (_, i) => 100 + i), 8, async (n, i) => published.push(await publish(i % 2, n))).finally(() => {
        writing = false;
      });
      // Pulls while the writes run, from one process and then the other (bounded by the writes).
      let pulls = 0;
      while (writing && pulls < 1000) {
        await new SyncClient(local, clients[pulls % 2]).pull();
        pulls++;
      }
      await writes;
      for (const client of clients) await new SyncClient(local, client).pull();
      expect(published).toHaveLength(40);
      expect([...seen.keys()].sort()).toEqual([...published].sort());
      expect([...seen.values()].every((times) => times === 1)).toBe(true);
      const cached = local.prepare('SELECT count(*) AS n FROM hub_studies').get() as { n: number };
      expect(cached.n).toBeGreaterThanOrEqual(40);
    } finally {
      for (const client of clients) await client.close();
      local.close();
    }
  });

  it('names the database by host, port and name only when it cannot be reached at start, and exits non-zero', async () => {
    const unreachable = 'postgres://hubuser:s3cret-pass@127.0.0.1:1/studyshare';
    expect(describeDatabaseUrl(unreachable)).toBe('127.0.0.1:1/studyshare');
    const hub = startHubProcess(['--port', '0', '--data', path.join(dir, 'c')], { HUB_DATABASE_URL: unreachable });
    expect(await hub.exited).toBe(1);
    expect(hub.stderr).toBe('hub: The hub database at 127.0.0.1:1/studyshare could not be reached or opened (ECONNREFUSED); check that PostgreSQL runs there and that HUB_DATABASE_URL is right.\n');
    expect(hub.stderr).not.toMatch(/hubuser|s3cret/);
  });
});
