/**
 * Hub migration 0440 (one role per connection) on existing data, on both engines: a connection
 * already assigned takes its kind's built-in role of its own site (a Physician's Physician role, a
 * practice manager's Case Manager role, an external rep's Referrer role; Referrer when the kind's
 * role is gone), one in review or declined takes none, and a role must exist (a reference).
 */
import { Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { hubMigrations } from '../migrations';
import { HUB_ENGINES, unmigratedHubDatabase } from '../../test-support/test-database';

describe.each(HUB_ENGINES)('hub migration 0440 on existing connections (%s)', (engine) => {
  it('gives assigned connections their kind’s role of their own site, and none to the others', async () => {
    const { db, close } = await unmigratedHubDatabase(engine);
    try {
      // As the hub opens SQLite (server/db/open-hub-db.ts): references are enforced.
      if (engine === 'sqlite') await sql`PRAGMA foreign_keys = ON`.execute(db);
      const migrator = new Migrator({ db, provider: hubMigrations });
      expect((await migrator.migrateTo('0430-notifications')).error).toBeUndefined();
      const at = '2026-01-01T00:00:00.000Z';
      for (const site of ['a', 'b']) {
        await sql`INSERT INTO accounts (id, name, created_at, connection_code) VALUES (${`site-${site}`}, ${site}, ${at}, ${`CODE-${site}`})`.execute(db);
        // Site b has no Physician role any more (a renamed one): its physicians take Referrer.
        for (const name of site === 'a' ? ['Physician', 'Case Manager', 'Referrer'] : ['Case Manager', 'Referrer']) {
          await sql`INSERT INTO roles (id, account_id, name, permissions, built_in) VALUES (${`r-${site}-${name}`}, ${`site-${site}`}, ${name}, '["studies.view"]', 1)`.execute(db);
        }
      }
      const connections = [
        ['c1', 'ext1', 'site-a', 'physician', 'assigned', 'r-a-Physician'],
        ['c2', 'ext2', 'site-b', 'practice-manager', 'assigned', 'r-b-Case Manager'],
        ['c3', 'ext3', 'site-b', 'physician', 'assigned', 'r-b-Referrer'],
        ['c4', 'ext4', 'site-a', 'external-rep', 'review', null],
        ['c5', 'ext1', 'site-b', 'external-rep', 'declined', null],
      ] as const;
      for (const user of ['ext1', 'ext2', 'ext3', 'ext4']) {
        await sql`INSERT INTO users (id, account_id, email, name, password_hash, role_id, active, created_at) VALUES (${user}, NULL, ${`${user}@x.example`}, ${user}, 'x', NULL, 1, ${at})`.execute(db);
      }
      for (const [id, user, site, kind, status] of connections) {
        await sql`INSERT INTO site_connections (id, user_id, account_id, kind, status, created_at) VALUES (${id}, ${user}, ${site}, ${kind}, ${status}, ${at})`.execute(db);
      }
      expect((await migrator.migrateTo('0440-connection-roles')).error).toBeUndefined();
      const rows = (await sql<{ id: string; role_id: string | null }>`SELECT id, role_id FROM site_connections ORDER BY id`.execute(db)).rows;
      expect(Object.fromEntries(rows.map((row) => [row.id, row.role_id]))).toEqual(Object.fromEntries(connections.map((c) => [c[0], c[5]])));
      await expect(sql`UPDATE site_connections SET role_id = 'no-such-role' WHERE id = 'c1'`.execute(db)).rejects.toThrow(/foreign|constraint/i);
    } finally {
      await close();
    }
  });
});
