/**
 * Retries that never give up on recoverable errors and never spin (issue 19): every queued
 * operation and file upload gets its own next-attempt time (exponential backoff with jitter) and
 * the last reason it did not go through, with when that first happened, so one delayed or
 * refused item never blocks the others and the Sync panel can say what waits, why, since when
 * and when it is tried next. A file's SHA-256 is kept once computed (a resumable upload declares it).
 *
 * Imports that resume: an import is recorded (what it was given) before it starts and marked
 * finished when it ends, so one interrupted by a crash or a power cut is offered again at the
 * next start; running it again continues where it stopped (files already indexed are skipped).
 */
import type { Migration } from './index';

export const syncRetries0060: Migration = {
  version: 60,
  name: 'sync-retries-import-jobs',
  up(db) {
    db.exec(`
      ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT;
      ALTER TABLE outbox ADD COLUMN last_error TEXT;
      ALTER TABLE outbox ADD COLUMN failing_since TEXT;
      ALTER TABLE outbox ADD COLUMN discarded_at TEXT;
      ALTER TABLE uploads ADD COLUMN next_attempt_at TEXT;
      ALTER TABLE uploads ADD COLUMN failing_since TEXT;
      ALTER TABLE uploads ADD COLUMN sha256 TEXT;
      ALTER TABLE uploads ADD COLUMN queued_at TEXT;
      ALTER TABLE uploads ADD COLUMN discarded_at TEXT;
      CREATE INDEX uploads_pending ON uploads(state, next_attempt_at);

      CREATE TABLE import_jobs (
        id TEXT PRIMARY KEY,
        paths TEXT NOT NULL,
        copy_to_library INTEGER NOT NULL CHECK (copy_to_library IN (0, 1)),
        state TEXT NOT NULL CHECK (state IN ('running', 'finished', 'dismissed')),
        started_at TEXT NOT NULL,
        finished_at TEXT
      ) STRICT;
    `);
  },
};
