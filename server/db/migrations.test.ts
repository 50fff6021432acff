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
import { createTestPostgresDatabase, HUB_ENGINES, testHubDatabase, unmigratedHubDatabase } from '../test-support/test-database';

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

describe.each(HUB_ENGINES)('hub migrations on existing data (%s)', (engine) => {
  it('0130 copies each existing share\'s study site onto the share', async () => {
    const { db, close } = await unmigratedHubDatabase(engine);
    try {
      const migrator = new Migrator({ db, provider: hubMigrations });
      expect((await migrator.migrateTo('0120-uploader-site-index')).error).toBeUndefined();
      const at = '2026-01-01T00:00:00.000Z';
      await sql`INSERT INTO accounts (id, name, created_at) VALUES ('site-a', 'A', ${at}), ('site-b', 'B', ${at})`.execute(db);
      await sql`INSERT INTO users (id, account_id, email, name, password_hash, created_at) VALUES ('u1', 'site-a', 'u1@example.org', 'U1', 'x', ${at}), ('u2', 'site-b', 'u2@example.org', 'U2', 'x', ${at})`.execute(db);
      await sql`INSERT INTO studies (id, account_id, study_uid, uploader_id, summary, updated_at) VALUES ('st-a', 'site-a', '1.2.3', 'u1', '{}', ${at}), ('st-b', 'site-b', '1.2.4', 'u2', '{}', ${at})`.execute(db);
      await sql`INSERT INTO shares (id, study_id, user_id, shared_by, created_at) VALUES ('sh1', 'st-a', 'u2', 'u1', ${at}), ('sh2', 'st-b', 'u1', 'u2', ${at}), ('sh3', 'st-a', 'u1', 'u1', ${at})`.execute(db);
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const rows = await sql<{ id: string; study_account_id: string }>`SELECT id, study_account_id FROM shares ORDER BY id`.execute(db);
      expect(rows.rows).toEqual([
        { id: 'sh1', study_account_id: 'site-a' },
        { id: 'sh2', study_account_id: 'site-b' },
        { id: 'sh3', study_account_id: 'site-a' },
      ]);
    } finally {
      await close();
    }
  });
});

describe.each(HUB_ENGINES)('hub migration 0170 on existing data (%s)', (engine) => {
  it('closes live duplicate shares, keeping the earliest, and then lets no second live share in', async () => {
    const { db, close } = await unmigratedHubDatabase(engine);
    try {
      const migrator = new Migrator({ db, provider: hubMigrations });
      expect((await migrator.migrateTo('0160-site-workstation-lock-minutes')).error).toBeUndefined();
      const [t1, t2, t3] = ['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z'];
      await sql`INSERT INTO accounts (id, name, created_at) VALUES ('site-a', 'A', ${t1})`.execute(db);
      await sql`INSERT INTO users (id, account_id, email, name, password_hash, created_at) VALUES ('u1', 'site-a', 'u1@example.org', 'U1', 'x', ${t1}), ('u2', 'site-a', 'u2@example.org', 'U2', 'x', ${t1})`.execute(db);
      await sql`INSERT INTO worklists (id, kind, owner_id, account_id, name, share_code) VALUES ('w1', 'personal', 'u2', 'site-a', 'U2', 'C1')`.execute(db);
      await sql`INSERT INTO studies (id, account_id, study_uid, uploader_id, summary, updated_at) VALUES ('st', 'site-a', '1.2.3', 'u1', '{}', ${t1})`.execute(db);
      // Two live to the worklist (and one removed), two live to the person: the earliest of each stays.
      await sql`INSERT INTO shares (id, study_id, worklist_id, user_id, shared_by, created_at, removed_at) VALUES
        ('a-late', 'st', 'w1', NULL, 'u1', ${t3}, NULL), ('a-early', 'st', 'w1', NULL, 'u1', ${t2}, NULL), ('a-gone', 'st', 'w1', NULL, 'u1', ${t1}, ${t1}),
        ('b-2', 'st', NULL, 'u2', 'u1', ${t2}, NULL), ('b-1', 'st', NULL, 'u2', 'u1', ${t2}, NULL)`.execute(db);
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const live = await sql<{ id: string }>`SELECT id FROM shares WHERE removed_at IS NULL ORDER BY id`.execute(db);
      expect(live.rows.map((row) => row.id)).toEqual(['a-early', 'b-1']);
      await expect(sql`INSERT INTO shares (id, study_id, worklist_id, shared_by, created_at) VALUES ('a-again', 'st', 'w1', 'u1', ${t3})`.execute(db)).rejects.toThrow();
      // A removed share does not count: sharing again after a removal is allowed.
      await sql`UPDATE shares SET removed_at = ${t3} WHERE id = 'a-early'`.execute(db);
      await sql`INSERT INTO shares (id, study_id, worklist_id, shared_by, created_at) VALUES ('a-again', 'st', 'w1', 'u1', ${t3})`.execute(db);
    } finally {
      await close();
    }
  });
});

describe.each(HUB_ENGINES)('hub migration 0150 on existing data (%s)', (engine) => {
  it('gives each open session its sign-in time as its last use, so the idle timeout counts from there', async () => {
    const { db, close } = await unmigratedHubDatabase(engine);
    try {
      const migrator = new Migrator({ db, provider: hubMigrations });
      expect((await migrator.migrateTo('0130-share-study-site')).error).toBeUndefined();
      const at = '2026-01-01T00:00:00.000Z';
      await sql`INSERT INTO accounts (id, name, created_at) VALUES ('site-a', 'A', ${at})`.execute(db);
      await sql`INSERT INTO users (id, account_id, email, name, password_hash, created_at) VALUES ('u1', 'site-a', 'u1@example.org', 'U1', 'x', ${at})`.execute(db);
      await sql`INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ('t1', 'u1', ${at}, '2026-01-31T00:00:00.000Z')`.execute(db);
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const rows = await sql<{ token_hash: string; last_seen_at: string }>`SELECT token_hash, last_seen_at FROM sessions`.execute(db);
      expect(rows.rows).toEqual([{ token_hash: 't1', last_seen_at: at }]);
      const counters = await sql<{ n: number }>`SELECT count(*) AS n FROM rate_limits`.execute(db);
      expect(Number(counters.rows[0].n)).toBe(0);
    } finally {
      await close();
    }
  });
});

describe.each(HUB_ENGINES)('hub migration 0160 on existing data (%s)', (engine) => {
  it('gives every existing site the 15-minute workstation lock time, and the table keeps it within 1–240', async () => {
    const { db, close } = await unmigratedHubDatabase(engine);
    try {
      const migrator = new Migrator({ db, provider: hubMigrations });
      expect((await migrator.migrateTo('0150-sign-in-throttle-session-idle')).error).toBeUndefined();
      await sql`INSERT INTO accounts (id, name, created_at) VALUES ('site-a', 'A', '2026-01-01T00:00:00.000Z')`.execute(db);
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const rows = await sql<{ id: string; workstation_lock_minutes: number }>`SELECT id, workstation_lock_minutes FROM accounts`.execute(db);
      expect(rows.rows).toEqual([{ id: 'site-a', workstation_lock_minutes: 15 }]);
      await expect(sql`UPDATE accounts SET workstation_lock_minutes = 0`.execute(db)).rejects.toThrow(/check/i);
      await expect(sql`UPDATE accounts SET workstation_lock_minutes = 241`.execute(db)).rejects.toThrow(/check/i);
    } finally {
      await close();
    }
  });
});

describe.each(HUB_ENGINES)('hub migration 0200 on existing data (%s)', (engine) => {
  it('keeps every existing site on the whole-site policy, gives its built-in roles the new keys, and refuses a policy it does not know', async () => {
    const { db, close } = await unmigratedHubDatabase(engine);
    try {
      const migrator = new Migrator({ db, provider: hubMigrations });
      expect((await migrator.migrateTo('0170-one-live-share')).error).toBeUndefined();
      await sql`INSERT INTO accounts (id, name, created_at) VALUES ('site-a', 'A', '2026-01-01T00:00:00.000Z')`.execute(db);
      await sql`INSERT INTO roles (id, account_id, name, permissions, built_in) VALUES ('r-admin', 'site-a', 'Admin', '["studies.view","admin.users"]', 1), ('r-tech', 'site-a', 'Technologist', '["studies.view"]', 1), ('r-own', 'site-a', 'QA', '["studies.view"]', 0)`.execute(db);
      // Up to issue 13's migrations only: later ones (0400's studies.comment) give roles keys of their own.
      expect((await migrator.migrateTo('0220-access-requests')).error).toBeUndefined();
      const accounts = await sql<{ viewing_policy: string; uploader_marks_private: number }>`SELECT viewing_policy, uploader_marks_private FROM accounts`.execute(db);
      expect(accounts.rows).toEqual([{ viewing_policy: 'site', uploader_marks_private: 1 }]);
      const roles = await sql<{ id: string; permissions: string }>`SELECT id, permissions FROM roles ORDER BY id`.execute(db);
      expect(Object.fromEntries(roles.rows.map((r) => [r.id, JSON.parse(r.permissions) as string[]]))).toEqual({
        'r-admin': ['studies.view', 'admin.users', 'admin.policy', 'collections.create'],
        'r-own': ['studies.view'],
        'r-tech': ['studies.view'],
      });
      await expect(sql`UPDATE accounts SET viewing_policy = 'everyone'`.execute(db)).rejects.toThrow(/check/i);
      // Then 0400 gives the built-in roles (not a site's own) studies.comment, once.
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const later = await sql<{ id: string; permissions: string }>`SELECT id, permissions FROM roles ORDER BY id`.execute(db);
      expect(Object.fromEntries(later.rows.map((r) => [r.id, JSON.parse(r.permissions) as string[]]))).toEqual({
        'r-admin': ['studies.view', 'admin.users', 'admin.policy', 'collections.create', 'studies.comment'],
        'r-own': ['studies.view'],
        'r-tech': ['studies.view', 'studies.comment'],
      });
    } finally {
      await close();
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
      expect((await sql<{ n: string }>`select count(*) as n from accounts`.execute(db)).rows[0].n).toBe('0');
      const recorded = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
      expect(recorded.rows.map((row) => row.name)).toEqual(Object.keys(real).sort());
    } finally {
      await db.destroy();
    }
  });
});

describe.each(HUB_ENGINES)('hub migration 0190 on existing data (%s)', (engine) => {
  it('keeps the newest open invitation of each person, and then lets no second open one in', async () => {
    const { db, close } = await unmigratedHubDatabase(engine);
    try {
      const migrator = new Migrator({ db, provider: hubMigrations });
      expect((await migrator.migrateTo('0180-resumable-uploads-write-check')).error).toBeUndefined();
      const [t1, t2, t3] = ['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z'];
      await sql`INSERT INTO accounts (id, name, created_at) VALUES ('site-a', 'A', ${t1})`.execute(db);
      await sql`INSERT INTO users (id, account_id, email, name, password_hash, created_at) VALUES ('admin', 'site-a', 'admin@example.org', 'Admin', 'x', ${t1}), ('guest', NULL, 'guest@example.org', 'guest', '!invited', ${t1})`.execute(db);
      // Two open links for one person (the race this migration closes), and an accepted one.
      await sql`INSERT INTO invitations (id, token_hash, user_id, account_id, invited_by, created_at, expires_at, accepted_at) VALUES
        ('i-old', 'h1', 'guest', 'site-a', 'admin', ${t1}, ${t2}, NULL), ('i-new', 'h2', 'guest', 'site-a', 'admin', ${t2}, ${t3}, NULL), ('i-used', 'h3', 'guest', 'site-a', 'admin', ${t1}, ${t2}, ${t1})`.execute(db);
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const open = await sql<{ id: string }>`SELECT id FROM invitations WHERE accepted_at IS NULL AND superseded_at IS NULL`.execute(db);
      expect(open.rows.map((row) => row.id)).toEqual(['i-new']);
      await expect(
        sql`INSERT INTO invitations (id, token_hash, user_id, account_id, invited_by, created_at, expires_at) VALUES ('i-again', 'h4', 'guest', 'site-a', 'admin', ${t3}, ${t3})`.execute(db),
      ).rejects.toThrow();
      // Superseding the open one makes room for the new link (what sendInvitation does).
      await sql`UPDATE invitations SET superseded_at = ${t3} WHERE id = 'i-new'`.execute(db);
      await sql`INSERT INTO invitations (id, token_hash, user_id, account_id, invited_by, created_at, expires_at) VALUES ('i-again', 'h4', 'guest', 'site-a', 'admin', ${t3}, ${t3})`.execute(db);
    } finally {
      await close();
    }
  });
});
