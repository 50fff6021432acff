/**
 * The database going away while the hub runs, and coming back: requests answer 503 with
 * Retry-After and the code `database-unavailable` (not a 500, not a crash), /readyz says the
 * database does not answer, and once it is back the same hub process works again without a
 * restart. The desktop keeps an operation pushed meanwhile in its outbox and sends it, once, after.
 *
 * PostgreSQL for the outage (a SQLite file does not go away while the hub holds it open); for
 * SQLite, the same handler's check is shown on a real SQLITE_BUSY below.
 *
 * The outage is made on the test cluster without stopping it (other suites share it): the
 * database is closed to new connections (ALLOW_CONNECTIONS false) and the hub's connections are
 * ended (pg_terminate_backend), which is what a restart or a failover looks like to the hub.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudySummary } from '../shared/types/study';
import { openIndexDatabase, type IndexDatabase } from '../electron/main/db/connection';
import { HubClient } from '../electron/main/sync-client/hub-client';
import { SyncClient } from '../electron/main/sync-client/sync-client';
import { buildHub } from './app';
import { isDatabaseUnavailable, openHubDatabase } from './db/open-hub-db';
import type { HubDatabase } from './db/schema';
import { createTestPostgresDatabase, testPostgresBaseUrl } from './test-support/test-database';
import { testStudySummary } from './test-support/study-summary';

const summary: StudySummary = testStudySummary('1.2.826.0.1.3680043.10.1234.800', 1, 'Outage');

describe('the hub when its PostgreSQL database goes away and comes back', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-outage-'));
  let database: Awaited<ReturnType<typeof createTestPostgresDatabase>>;
  let name = '';
  let db: Kysely<HubDatabase>;
  let hub: FastifyInstance;
  let url = '';
  let token = '';
  let local: IndexDatabase;

  /** Runs one statement on the cluster's maintenance database (never through the hub's pool). */
  const admin = async (text: string): Promise<void> => {
    const client = new pg.Client({ connectionString: `${testPostgresBaseUrl()}/postgres` });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  const takeAway = async (): Promise<void> => {
    await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`);
  };
  const bringBack = (): Promise<void> => admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);

  beforeAll(async () => {
    database = await createTestPostgresDatabase();
    name = new URL(database.url).pathname.slice(1);
    db = await openHubDatabase(database.url);
    mkdirSync(path.join(dir, 'blobs'));
    hub = buildHub({ db, blobDir: path.join(dir, 'blobs'), publicUrl: 'https://hub.example.org' });
    await hub.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(hub.server.address() as AddressInfo).port}`;
    const setup = await hub.inject({ method: 'POST', url: '/api/setup', payload: { accountName: 'Site', adminName: 'Admin', email: 'admin@site.example', password: 'long enough password' } });
    token = setup.json().token;
    local = openIndexDatabase(path.join(dir, 'desktop.sqlite'));
  });

  afterAll(async () => {
    local?.close();
    await hub?.close();
    await bringBack().catch(() => undefined);
    await db?.destroy().catch(() => undefined);
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 database-unavailable with Retry-After meanwhile, keeps the desktop’s operation, and applies it once when the database is back', async () => {
    const me = () => hub.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } });
    expect((await me()).statusCode).toBe(200);

    await takeAway();
    // Each request meets either a connection that was ended or a database refusing new ones.
    for (let i = 0; i < 3; i++) {
      const away = await me();
      expect(away.statusCode).toBe(503);
      expect(away.headers['retry-after']).toBe('5');
      expect(away.json()).toEqual({ error: { code: 'database-unavailable', message: 'The hub cannot reach its database right now. Try again in a moment.' } });
    }
    const ready = await hub.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'unavailable', reason: 'database not answering' });
    expect((await hub.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    // The desktop pushes while the database is away: the hub's 503 is "try later", never "refused".
    const client = new HubClient(url, token);
    // (Its retries a millisecond apart: the test does not wait out the backoff.)
    const sync = new SyncClient(local, client, { backoff: { baseMs: 1, capMs: 1 } });
    sync.enqueue({ kind: 'study.publish', study: summary, private: false });
    await sync.sync();
    // The hub answered, with its reason: a hub error, tried again by itself, not "unreachable".
    expect(sync.status()).toMatchObject({ state: 'hub-error', pending: 1, delayed: 1, rejected: [], message: 'The hub cannot reach its database right now. Try again in a moment.' });

    await bringBack();
    // The same process, no restart: the pool opens new connections on the next request.
    expect((await me()).statusCode).toBe(200);
    expect((await hub.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ok' });
    await sync.sync();
    expect(sync.status()).toMatchObject({ state: 'online', pending: 0, rejected: [] });
    await sync.sync();
    const studies = await db.selectFrom('studies').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(studies.n)).toBe(1);
    const operations = await db.selectFrom('operations').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(operations.n)).toBe(1);
    await client.close();
  });
});

describe('which failures mean "the database is away" (answered 503, not 500)', () => {
  it('a refused PostgreSQL connection and a SQLite file busy past its timeout do; a bad query does not', async () => {
    const refused = new pg.Client({ connectionString: 'postgres://nobody@127.0.0.1:1/none', connectionTimeoutMillis: 5000 });
    const connectError = await refused.connect().then(
      () => null,
      (error: unknown) => error,
    );
    expect(isDatabaseUnavailable(connectError)).toBe(true);

    const client = new pg.Client({ connectionString: `${testPostgresBaseUrl()}/postgres` });
    await client.connect();
    const queryError = await client.query('select * from no_such_table').then(
      () => null,
      (error: unknown) => error,
    );
    await client.end();
    expect(isDatabaseUnavailable(queryError)).toBe(false);

    const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-busy-'));
    const holder = new Database(path.join(dir, 'hub.sqlite'));
    const waiter = new Database(path.join(dir, 'hub.sqlite'), { timeout: 0 });
    try {
      holder.exec('CREATE TABLE t (x INTEGER); BEGIN IMMEDIATE; INSERT INTO t VALUES (1);');
      let busy: unknown = null;
      try {
        waiter.exec('INSERT INTO t VALUES (2)');
      } catch (error) {
        busy = error;
      }
      expect((busy as { code?: string }).code).toBe('SQLITE_BUSY');
      expect(isDatabaseUnavailable(busy)).toBe(true);
      holder.exec('ROLLBACK');
    } finally {
      holder.close();
      waiter.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
