/**
 * Hub databases for tests, on either engine: every hub test runs on SQLite and on PostgreSQL
 * (habit 14). PostgreSQL databases are made on the run's test cluster
 * (server/test-support/postgres-global-setup.ts), one per suite, with a random name, and dropped
 * after.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';
import { openHubDatabase } from '../db/open-hub-db';
import type { HubDatabase } from '../db/schema';

export type HubEngine = 'sqlite' | 'postgres';
export const HUB_ENGINES: readonly HubEngine[] = ['sqlite', 'postgres'];
export type TestHubDatabase = Awaited<ReturnType<typeof testHubDatabase>>;

/** The test cluster's base URL (no database name). */
export function testPostgresBaseUrl(): string {
  const url = inject('hubTestPgUrl');
  if (typeof url !== 'string' || url === '') {
    throw new Error('No test PostgreSQL server: vitest.config.ts must list server/test-support/postgres-global-setup.ts in test.globalSetup.');
  }
  return url;
}

async function onServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${testPostgresBaseUrl()}/postgres` });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new, empty PostgreSQL database on the test server (not migrated); returns its URL and how to drop it. */
export async function createTestPostgresDatabase(): Promise<{ readonly url: string; drop(): Promise<void> }> {
  const name = `hub_test_${randomBytes(8).toString('hex')}`;
  await onServer((client) => client.query(`CREATE DATABASE ${name}`));
  return {
    url: `${testPostgresBaseUrl()}/${name}`,
    // FORCE: a test that failed half-way may have left a connection open.
    drop: () => onServer((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** A fresh, migrated hub database for one suite: a temp SQLite file, or a new PostgreSQL database (CREATE DATABASE with a random name) on the test cluster. close() destroys it (DROP DATABASE). */
export async function testHubDatabase(engine: HubEngine): Promise<{ readonly db: Kysely<HubDatabase>; readonly url: string; close(): Promise<void> }> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-hub-db-'));
    const url = path.join(dir, 'hub.sqlite');
    const db = await openHubDatabase(url);
    return {
      db,
      url,
      async close() {
        // A test may have destroyed the handle itself (a hub without its database).
        await db.destroy().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const database = await createTestPostgresDatabase();
  let db: Kysely<HubDatabase>;
  try {
    db = await openHubDatabase(database.url);
  } catch (error) {
    await database.drop();
    throw error;
  }
  return {
    db,
    url: database.url,
    async close() {
      await db.destroy().catch(() => undefined);
      await database.drop();
    },
  };
}

/**
 * An empty database on `engine`, no migration run: for the migration tests, which migrate to a
 * point, write the rows of that time and then run the migration under test. close() destroys the
 * connection and the database (the temporary SQLite folder, or DROP DATABASE).
 */
export async function unmigratedHubDatabase(engine: HubEngine): Promise<{ readonly db: Kysely<unknown>; close(): Promise<void> }> {
  if (engine === 'sqlite') {
    const folder = mkdtempSync(path.join(tmpdir(), 'studyshare-migrate-'));
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(path.join(folder, 'hub.sqlite')) }) });
    return {
      db,
      close: async () => {
        await db.destroy();
        rmSync(folder, { recursive: true, force: true });
      },
    };
  }
  const postgres = await createTestPostgresDatabase();
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: postgres.url, max: 2 }) }) });
  return {
    db,
    close: async () => {
      await db.destroy();
      await postgres.drop();
    },
  };
}
