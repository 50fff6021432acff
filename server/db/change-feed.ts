/**
 * Writing the change feed (`changes`), which desktops read by cursor: "everything after seq N".
 * That is only safe if no change can become visible later with a seq at or below a cursor a
 * client already holds. SQLite has one writer at a time, so seq order is commit order. On
 * PostgreSQL, two transactions draw seq values from the sequence and may commit in either order:
 * a client could read seq 8 while seq 7 is still uncommitted, move its cursor to 8, and never see
 * 7. So every transaction that records a change first takes one transaction-level advisory lock
 * (held until it commits or rolls back): writers of the feed run one after the other from that
 * point, and seq order equals commit order. The cost is that those writes serialise (from their
 * first change to their commit), which the hub's short transactions afford; the alternative
 * (serving only seqs below the oldest in-flight transaction) needs bookkeeping every reader
 * depends on.
 */
import { sql, type Transaction } from 'kysely';
import { isPostgres } from './dialect';
import type { HubDatabase } from './schema';

/** An arbitrary constant naming the change-feed lock among the database's advisory locks. */
export const CHANGE_FEED_LOCK = 0x5354_5543; // "STUC"

/**
 * Takes the change-feed lock now, for a write that will record a change and may first wait on a
 * row another feed writer holds (a unique index entry): taking this lock first keeps one order —
 * feed lock, then rows — so two such writers queue instead of deadlocking.
 */
export async function lockChangeFeed(trx: Transaction<HubDatabase>): Promise<void> {
  // Taking it again in the same transaction is free (advisory locks are re-entrant).
  if (isPostgres(trx)) await sql`select pg_advisory_xact_lock(${CHANGE_FEED_LOCK})`.execute(trx);
}

/** Records that a study (or its shares) changed, in the caller's transaction. */
export async function recordChange(trx: Transaction<HubDatabase>, studyId: string, at: string): Promise<void> {
  await lockChangeFeed(trx);
  await trx.insertInto('changes').values({ study_id: studyId, at }).execute();
}
