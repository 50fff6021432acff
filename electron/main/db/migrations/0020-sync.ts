/**
 * The sync client's tables: the outbox of operations waiting for the hub (each with the id the
 * hub deduplicates on), the cursor and cache of what the hub says this user can see, and the
 * file uploads still to do. Everything the user did is here before any network is tried.
 */
import type { Migration } from './index';

export const sync0020: Migration = {
  version: 20,
  name: 'sync',
  up(db) {
    db.exec(`
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'applied', 'rejected')),
        attempts INTEGER NOT NULL DEFAULT 0,
        result TEXT,
        error_code TEXT,
        error_message TEXT,
        created_at TEXT NOT NULL,
        settled_at TEXT
      ) STRICT;
      CREATE INDEX outbox_pending ON outbox(state, seq);

      CREATE TABLE sync_state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE hub_studies (
        hub_study_id TEXT PRIMARY KEY,
        study_uid TEXT NOT NULL,
        private INTEGER NOT NULL,
        summary TEXT NOT NULL,
        actions TEXT NOT NULL,
        shares TEXT NOT NULL,
        seq INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX hub_studies_by_uid ON hub_studies(study_uid);

      CREATE TABLE uploads (
        hub_study_id TEXT NOT NULL,
        sop_instance_uid TEXT NOT NULL,
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        PRIMARY KEY (hub_study_id, sop_instance_uid)
      ) STRICT;
    `);
  },
};
