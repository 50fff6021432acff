/**
 * Which engine a hub database runs on, for the rare places that must differ (a migration's column
 * types, a lock only PostgreSQL has). Read from the executor's adapter, so it works on a
 * transaction as well as on the database handle, and needs no setting passed around.
 */
import { PostgresAdapter } from 'kysely';

/** Any Kysely instance or transaction, whatever its tables. */
export function isPostgres(db: { getExecutor(): { readonly adapter: unknown } }): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
