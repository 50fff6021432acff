/**
 * Name of Physician(s) Reading Study (0008,1060) in the study index (issue 14): every value of
 * the attribute, joined by `\`, as the files carry it, so that publishing a study tells the hub
 * who read it and the hub links those *reading* physicians as it links the referring one. Studies
 * indexed before this migration have none until a file of theirs is imported again.
 */
import type { Migration } from './index';

export const readingPhysicians0080: Migration = {
  version: 80,
  name: 'reading-physicians',
  up(db) {
    db.exec(`ALTER TABLE studies ADD COLUMN reading_physician_names TEXT;`);
  },
};
