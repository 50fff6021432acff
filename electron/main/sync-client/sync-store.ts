/**
 * What the desktop keeps locally on a hub's behalf, beyond the outbox's own reads and writes:
 * how much still waits to be sent, the cache of what the hub showed, and the two ways that
 * state is let go — another person signing in on this desktop, or the desktop switching hubs.
 */
import type Database from 'better-sqlite3';

export interface Waiting {
  /** Operations in the outbox not yet taken by the hub. */
  readonly changes: number;
  /** Study files not yet uploaded. */
  readonly files: number;
}

export function waitingCounts(db: Database.Database): Waiting {
  const changes = (db.prepare("SELECT count(*) AS n FROM outbox WHERE state = 'pending'").get() as { n: number }).n;
  const files = (db.prepare("SELECT count(*) AS n FROM uploads WHERE state = 'pending'").get() as { n: number }).n;
  return { changes, files };
}

/** How many of a hub study's files this desktop sends have not been confirmed by the hub (waiting, delayed or refused), of all it sends. */
export function filesWaiting(db: Database.Database, hubStudyId: string): { readonly waiting: number; readonly total: number } {
  const row = db.prepare("SELECT count(*) AS total, sum(state != 'done') AS waiting FROM uploads WHERE hub_study_id = ? AND discarded_at IS NULL").get(hubStudyId) as {
    total: number;
    waiting: number | null;
  };
  return { waiting: row.waiting ?? 0, total: row.total };
}

/** Studies cached from the hub (what "On the hub" and sharing views read offline). */
export function cachedHubStudies(db: Database.Database): number {
  return (db.prepare('SELECT count(DISTINCT hub_study_id) AS n FROM hub_studies').get() as { n: number }).n;
}

/** Marks what still waits as refused (it will never be sent), with the reason shown in the refused list. */
function settleWaiting(db: Database.Database, code: string, reason: string): void {
  db.prepare("UPDATE uploads SET state = 'failed', error = ? WHERE state = 'pending'").run(reason);
  db.prepare("UPDATE outbox SET state = 'rejected', error_code = ?, error_message = ?, settled_at = ? WHERE state = 'pending'").run(code, reason, new Date().toISOString());
}

/** Drops the hub cache and its cursor (the next pull starts from the beginning). */
function dropCache(db: Database.Database): void {
  db.prepare('DELETE FROM hub_studies').run();
  // The comments the previous user could read go with the rest of their cache (issue 16).
  db.prepare('DELETE FROM comment_cache').run();
  db.prepare("DELETE FROM sync_state WHERE key IN ('cursor', 'user_id')").run();
}

/**
 * One desktop, several people over time: what the hub showed the previous user (the cache and
 * its cursor) is dropped when someone else signs in, and what they queued but never sent is
 * marked refused rather than sent under the new user's name.
 */
export function rememberSignedInUser(db: Database.Database, userId: string): void {
  const last = (db.prepare("SELECT value FROM sync_state WHERE key = 'user_id'").get() as { value: string } | undefined)?.value;
  if (last === userId) return;
  db.transaction(() => {
    if (last !== undefined) {
      dropCache(db);
      settleWaiting(db, 'other-user', 'Signed in as someone else before it was sent.');
    }
    db.prepare("INSERT INTO sync_state (key, value) VALUES ('user_id', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(userId);
  })();
}

/**
 * Leaving a hub: its cache goes (it described that hub's studies), and whatever still waits for
 * it is either already sent or, when the user chose to, discarded here — recorded as refused
 * with the reason, so the user can still see what was not sent. Returns how many were discarded.
 */
export function leaveHub(db: Database.Database, discard: boolean): Waiting {
  return db.transaction(() => {
    const waiting = waitingCounts(db);
    if (discard) settleWaiting(db, 'discarded', 'Discarded when this desktop switched hubs.');
    dropCache(db);
    return discard ? waiting : { changes: 0, files: 0 };
  })();
}
