/**
 * Whether the hub's database takes a write right now: one row upserted in `hub_write_checks`.
 * A database that opens and answers queries may still refuse writes — a SQLite file in a
 * read-only folder (its journal cannot be created), a full disk, a PostgreSQL replica — and the
 * hub would otherwise learn it at the first user's change. Checked at start (server.ts, the
 * embedded hub) and by /readyz.
 */
import type { Kysely } from 'kysely';
import type { HubDatabase } from './schema';

export async function checkDatabaseWritable(db: Kysely<HubDatabase>, now: Date = new Date()): Promise<void> {
  await db
    .insertInto('hub_write_checks')
    .values({ id: 1, checked_at: now.toISOString() })
    .onConflict((oc) => oc.column('id').doUpdateSet({ checked_at: now.toISOString() }))
    .execute();
}
