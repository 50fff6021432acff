/**
 * Hub migrations 0230 (changes addressed to one person) and 0240 (the download policy) on
 * existing data, on both engines: existing feed rows stay for everyone, existing sites keep
 * today's behaviour (everyone who can view may download), and the tables refuse what the rules
 * do not know (a policy that is not one of the three, a role listed twice).
 */
import { Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { hubMigrations } from '../migrations';
import { HUB_ENGINES, unmigratedHubDatabase } from '../../test-support/test-database';

describe.each(HUB_ENGINES)('hub migrations 0230 and 0240 on existing data (%s)', (engine) => {
  it('keeps existing changes for everyone and every site on “everyone who can view”, and refuses what the rules do not know', async () => {
    const { db, close } = await unmigratedHubDatabase(engine);
    try {
      const migrator = new Migrator({ db, provider: hubMigrations });
      expect((await migrator.migrateTo('0220-access-requests')).error).toBeUndefined();
      const at = '2026-01-01T00:00:00.000Z';
      await sql`INSERT INTO accounts (id, name, created_at) VALUES ('site-a', 'A', ${at})`.execute(db);
      await sql`INSERT INTO roles (id, account_id, name, permissions, built_in) VALUES ('r-tech', 'site-a', 'Technologist', '["studies.view"]', 1)`.execute(db);
      await sql`INSERT INTO users (id, account_id, email, name, password_hash, role_id, active, created_at) VALUES ('u-1', 'site-a', 'u@a.example', 'U', 'x', 'r-tech', 1, ${at})`.execute(db);
      await sql`INSERT INTO studies (id, account_id, study_uid, uploader_id, private, summary, updated_at) VALUES ('s-1', 'site-a', '1.2.3', 'u-1', 0, '{}', ${at})`.execute(db);
      await sql`INSERT INTO changes (study_id, at) VALUES ('s-1', ${at})`.execute(db);
      expect((await migrator.migrateTo('0240-download-policy')).error).toBeUndefined();
      expect((await sql<{ for_user_id: string | null }>`SELECT for_user_id FROM changes`.execute(db)).rows).toEqual([{ for_user_id: null }]);
      expect((await sql<{ download_policy: string }>`SELECT download_policy FROM accounts`.execute(db)).rows).toEqual([{ download_policy: 'viewers' }]);
      await expect(sql`UPDATE accounts SET download_policy = 'everyone'`.execute(db)).rejects.toThrow(/check/i);
      await sql`INSERT INTO download_roles (account_id, role_id) VALUES ('site-a', 'r-tech')`.execute(db);
      await expect(sql`INSERT INTO download_roles (account_id, role_id) VALUES ('site-a', 'r-tech')`.execute(db)).rejects.toThrow(/unique|duplicate|primary/i);
      await sql`INSERT INTO changes (study_id, at, for_user_id) VALUES ('s-1', ${at}, 'u-1')`.execute(db);
      expect(Number((await sql<{ n: number }>`SELECT count(*) AS n FROM changes WHERE for_user_id = 'u-1'`.execute(db)).rows[0].n)).toBe(1);
    } finally {
      await close();
    }
  });
});
