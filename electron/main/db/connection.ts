/**
 * Opens the local index database with the settings every caller needs: WAL so the UI can read
 * while an import writes, foreign keys on, and migrations applied before anyone sees the handle.
 */
import Database from 'better-sqlite3';
import { migrate } from './migrate';

export type IndexDatabase = Database.Database;

export interface OpenOptions {
  /** Skip migrations and refuse writes: for benchmarks and inspection tools. */
  readonly readonly?: boolean;
}

export function openIndexDatabase(file: string, options: OpenOptions = {}): IndexDatabase {
  const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  try {
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      // NORMAL is durable across application crashes in WAL mode; only a power loss can lose the
      // last transactions, never corrupt the database.
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    db.pragma('temp_store = MEMORY');
    db.pragma('cache_size = -65536');
    db.pragma('mmap_size = 268435456');
    if (!options.readonly) migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
