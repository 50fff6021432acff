/** The ordered list of schema migrations; versions go in steps of 10 so fixes can slot between. */
import type Database from 'better-sqlite3';
import { studyIndex0010 } from './0010-study-index';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: (db: Database.Database) => void;
}

export const MIGRATIONS: readonly Migration[] = [studyIndex0010];
