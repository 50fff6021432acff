/** The ordered list of schema migrations; versions go in steps of 10 so fixes can slot between. */
import type Database from 'better-sqlite3';
import { studyIndex0010 } from './0010-study-index';
import { sync0020 } from './0020-sync';
import { outboxLabels0030 } from './0030-outbox-labels';
import { workstation0040 } from './0040-workstation';
import { dicomNodes0050 } from './0050-dicom-nodes';
import { syncRetries0060 } from './0060-sync-retries';
import { comments0070 } from './0070-comments';
import { readingPhysicians0080 } from './0080-reading-physicians';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: (db: Database.Database) => void;
}

export const MIGRATIONS: readonly Migration[] = [studyIndex0010, sync0020, outboxLabels0030, workstation0040, dicomNodes0050, syncRetries0060, comments0070, readingPhysicians0080];
