/**
 * What a queued operation is about, in words the person at the screen knows: the study (its
 * UID when it is a local one) and a label for the target ("North Wing", an address). The hub
 * never sees these; the outbox payload stays exactly what the hub validates. They let the UI
 * show a share as pending or refused, on the right study, while the hub is away. A refusal the
 * person has read can be dismissed; it stays in the outbox as a record.
 */
import type { Migration } from './index';

export const outboxLabels0030: Migration = {
  version: 30,
  name: 'outbox-labels',
  up(db) {
    db.exec(`
      ALTER TABLE outbox ADD COLUMN study_uid TEXT;
      ALTER TABLE outbox ADD COLUMN hub_study_id TEXT;
      ALTER TABLE outbox ADD COLUMN target_label TEXT;
      ALTER TABLE outbox ADD COLUMN dismissed_at TEXT;
      CREATE INDEX outbox_by_study_uid ON outbox(study_uid) WHERE study_uid IS NOT NULL;
      CREATE INDEX outbox_by_hub_study ON outbox(hub_study_id) WHERE hub_study_id IS NOT NULL;
    `);
  },
};
