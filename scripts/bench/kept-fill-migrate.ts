/**
 * A kept scale fill (hub-scale.ts) outlives the migrations it was made with, and engineers add
 * migrations in parallel whose numbers may fall between ones the fill already ran (0260 after
 * 0300). The hub's own migrator refuses that, rightly for a real hub (releases ship them in order);
 * for a benchmark's fill the missing ones are applied out of order first, then the hub opens it.
 */
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { hubMigrations } from '../../server/db/migrations';
import { isPostgresUrl } from '../../server/db/open-hub-db';

export async function migrateKeptFill(target: string): Promise<void> {
  const postgres = isPostgresUrl(target);
  const db = postgres
    ? new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: target, max: 1 }) }) })
    : new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(target) }) });
  try {
    const { error, results } = await new Migrator({ db, provider: hubMigrations, allowUnorderedMigrations: true }).migrateToLatest();
    if (error !== undefined) throw error instanceof Error ? error : new Error(`the kept fill ${postgres ? 'database' : target} could not be migrated`);
    // A migration that rewrote rows (0500 copies each link's study date: 1.5M rows) leaves
    // PostgreSQL's visibility map cleared and its statistics stale: index-only scans then visit
    // the heap (a case manager's capped count took 86–220 ms instead of a few) until autovacuum
    // comes by. A real hub's autovacuum does that in time; the benchmark measures now.
    if (postgres && (results ?? []).some((result) => result.status === 'Success')) await sql`VACUUM (ANALYZE)`.execute(db);
    // Every migration has run now; one timestamp for all makes the hub's migrator read them in
    // name order (Kysely sorts executed migrations by timestamp, then name), which it accepts.
    await sql`UPDATE kysely_migration SET timestamp = (SELECT min(m.timestamp) FROM kysely_migration m)`.execute(db);
  } finally {
    await db.destroy();
  }
}
