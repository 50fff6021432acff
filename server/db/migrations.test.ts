/**
 * The hub's migrations on both engines: they run from nothing to the latest, a second run does
 * nothing, and on PostgreSQL a migration that fails leaves the database as it was (each runs in
 * its own transaction there).
 */
import { Kysely, Migrator, PostgresDialect, sql, type Migration } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openHubDatabase } from './open-hub-db';
import { hubMigrations } from './migrations';
import { isPostgres } from './dialect';
import { createTestPostgresDatabase, HUB_ENGINES, testHubDatabase } from '../test-support/test-database';

describe.each(HUB_ENGINES)('hub migrations (%s)', (engine) => {
  it('run to the latest, record every migration, and a second open changes nothing', async () => {
    const hub = await testHubDatabase(engine);
    try {
      expect(isPostgres(hub.db)).toBe(engine === 'postgres');
      const names = Object.keys(await hubMigrations.getMigrations()).sort();
      const done = await hub.db.selectFrom('kysely_migration' as never).select('name' as never).orderBy('name' as never).execute();
      expect(done.map((row) => (row as { name: string }).name)).toEqual(names);
      // The sequence columns count up from 1 on both engines, and the insert's seq comes back.
      await hub.db.insertInto('mails').values({ to_address: 'a@example.org', subject: 's', body: 'b', created_at: '2026-01-01T00:00:00.000Z', sent_at: null, last_error: null }).execute();
      const mail = await hub.db.insertInto('mails').values({ to_address: 'b@example.org', subject: 's', body: 'b', created_at: '2026-01-01T00:00:00.000Z', sent_at: null, last_error: null }).returning('seq').executeTakeFirstOrThrow();
      expect(mail.seq).toBe(2);
      const count = await hub.db.selectFrom('mails').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      // pg returns count(*) (bigint) as a string unless told otherwise: the hub reads numbers.
      expect(count.n).toBe(2);
      const again = await openHubDatabase(hub.url);
      await again.destroy();
    } finally {
      await hub.close();
    }
  });
});

describe('hub migrations on PostgreSQL', () => {
  const dropped: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const drop of dropped) await drop();
  });

  // Kysely's Migrator on PostgreSQL runs one migrateToLatest (all pending migrations) in a single
  // transaction: a failure anywhere leaves the database as it was before that run.
  it('a migration that fails half-way leaves the database exactly as it was before it', async () => {
    const database = await createTestPostgresDatabase();
    dropped.push(database.drop);
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 2 }) }) });
    try {
      const real = await hubMigrations.getMigrations();
      expect((await new Migrator({ db, provider: hubMigrations }).migrateToLatest()).error).toBeUndefined();
      const broken: Migration = {
        async up(trx) {
          await trx.schema.alterTable('accounts').addColumn('half_column', 'text').execute();
          await trx.schema.createTable('half_done').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
          await sql`insert into accounts (id, name, created_at) values ('a', 'A', 'now')`.execute(trx);
          await sql`select no_such_function()`.execute(trx);
        },
      };
      const { error, results } = await new Migrator({ db, provider: { getMigrations: async () => ({ ...real, '9990-broken': broken }) } }).migrateToLatest();
      expect(error).toBeDefined();
      expect(results?.find((result) => result.migrationName === '9990-broken')?.status).toBe('Error');
      const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public'`.execute(db);
      const names = tables.rows.map((row) => row.table_name);
      expect(names).toContain('accounts');
      expect(names).not.toContain('half_done');
      const columns = await sql<{ column_name: string }>`select column_name from information_schema.columns where table_name = 'accounts'`.execute(db);
      expect(columns.rows.map((row) => row.column_name)).not.toContain('half_column');
      expect((await sql<{ n: string }>`select count(*) as n from accounts`.execute(db)).rows[0]!.n).toBe('0');
      const recorded = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
      expect(recorded.rows.map((row) => row.name)).toEqual(Object.keys(real).sort());
    } finally {
      await db.destroy();
    }
  });
});
