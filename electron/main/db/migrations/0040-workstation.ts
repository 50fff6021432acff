/**
 * The workstation lock (issue 18, item 13): local profiles for a desktop that uses no hub (a
 * name and a scrypt hash of the password), the workstation's own settings (the lock time), and
 * which local studies this desktop knows to be on the hub.
 *
 * `published_studies` is kept apart from `hub_studies` on purpose: `hub_studies` is the cache of
 * what the hub lets the *current* hub user see and is dropped when someone else signs in, so it
 * cannot say that a study is on the hub at all. A study once known to be published stays under
 * the hub's visibility rules on this desktop (see study-index/local-visibility.ts); its uploader
 * is recorded when this desktop published it.
 */
import type { Migration } from './index';

export const workstation0040: Migration = {
  version: 40,
  name: 'workstation',
  up(db) {
    db.exec(`
      CREATE TABLE local_profiles (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        -- The name as typed to sign in: trimmed and case-folded, unique.
        name_key TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        admin INTEGER NOT NULL CHECK (admin IN (0, 1)),
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE workstation_settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE published_studies (
        study_uid TEXT NOT NULL,
        hub_study_id TEXT NOT NULL,
        -- The hub user who published it from this desktop; NULL when it was learnt from the hub.
        uploader_id TEXT,
        known_at TEXT NOT NULL,
        PRIMARY KEY (study_uid, hub_study_id)
      ) STRICT, WITHOUT ROWID;

      -- What this desktop already knew before the table existed: the hub cache, and the studies
      -- it published (whose uploader it did not record).
      INSERT OR IGNORE INTO published_studies (study_uid, hub_study_id, uploader_id, known_at)
        SELECT study_uid, hub_study_id, NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM hub_studies;
      INSERT OR IGNORE INTO published_studies (study_uid, hub_study_id, uploader_id, known_at)
        SELECT json_extract(payload, '$.study.studyInstanceUid'), json_extract(result, '$.value.studyId'), NULL, coalesce(settled_at, created_at)
        FROM outbox
        WHERE kind = 'study.publish' AND state = 'applied'
          AND json_extract(payload, '$.study.studyInstanceUid') IS NOT NULL AND json_extract(result, '$.value.studyId') IS NOT NULL;
    `);
  },
};
