/**
 * DICOM networking (issue 17): the PACS nodes this workstation sends to and queries, the
 * listener's settings, and a record of each send and retrieval (who, to or from which node,
 * what, how it went) kept on this desktop.
 */
import type { Migration } from './index';

export const dicomNodes0050: Migration = {
  version: 50,
  name: 'dicom-nodes',
  up(db) {
    db.exec(`
      CREATE TABLE dicom_nodes (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        ae_title TEXT NOT NULL CHECK (length(ae_title) BETWEEN 1 AND 16),
        host TEXT NOT NULL,
        port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
        -- How studies come back from it: C-MOVE to our listener, or C-GET on the query's association.
        retrieve TEXT NOT NULL DEFAULT 'move' CHECK (retrieve IN ('move', 'get')),
        created_at TEXT NOT NULL,
        UNIQUE (ae_title, host, port)
      ) STRICT;

      -- One row: the listener is off until someone turns it on.
      CREATE TABLE dicom_listener (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        enabled INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
        port INTEGER NOT NULL DEFAULT 11112 CHECK (port BETWEEN 1 AND 65535),
        ae_title TEXT NOT NULL DEFAULT 'STUDYSHARE' CHECK (length(ae_title) BETWEEN 1 AND 16),
        -- Newline-separated; empty: anyone.
        allowed_ae_titles TEXT NOT NULL DEFAULT '',
        allowed_addresses TEXT NOT NULL DEFAULT '',
        auto_publish INTEGER NOT NULL DEFAULT 0 CHECK (auto_publish IN (0, 1))
      ) STRICT;
      INSERT INTO dicom_listener (id) VALUES (1);

      CREATE TABLE dicom_transfers (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('send', 'retrieve')),
        node_ae_title TEXT NOT NULL,
        node_address TEXT NOT NULL,
        -- Who did it at this workstation (the signed-in person's name).
        actor TEXT NOT NULL,
        -- Study Instance UIDs, newline-separated (no patient data).
        studies TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        state TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed', 'cancelled')),
        instances INTEGER NOT NULL DEFAULT 0,
        succeeded INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE INDEX dicom_transfers_started ON dicom_transfers (started_at);
    `);
  },
};
