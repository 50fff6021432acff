/** Opens the hub's database: SQLite through better-sqlite3 by default, migrated before use. */
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { hubMigrations } from './migrations';
import { withStatementCache } from './statement-cache';
import type { HubDatabase } from './schema';

export async function openHubDatabase(file: string): Promise<Kysely<HubDatabase>> {
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // What is deleted or cleared is overwritten, not left in free space: a sent mail's link
  // (registration, password reset) must not stay readable in a copy of the file.
  sqlite.pragma('secure_delete = ON');
  const db = new Kysely<HubDatabase>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  const { error } = await new Migrator({ db, provider: hubMigrations }).migrateToLatest();
  if (error !== undefined) {
    await db.destroy();
    throw error instanceof Error ? error : new Error('the hub database could not be migrated');
  }
  return db;
}
