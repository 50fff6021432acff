/**
 * What an import leaves when the app is killed or the machine goes off in the middle of it:
 * the import itself, unfinished (recorded in `import_jobs` before it starts, marked finished
 * when it ends, so the next start offers to run it again — which continues where it stopped,
 * since files already indexed are skipped); files copied into the managed library whose index
 * rows were in the transaction that never committed (orphans: complete files, renamed into place,
 * so they are indexed where they are); and copies cut short (`.partial`, removed). The DICOM
 * listener writes into the same library the same way, so its leftovers are recovered alike.
 */
import { randomUUID } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { importPaths } from './import-service';

export interface UnfinishedImport {
  readonly id: string;
  readonly paths: readonly string[];
  readonly copyToLibrary: boolean;
  readonly startedAt: string;
}

export interface LibraryRecovery {
  /** Copies cut short, removed. */
  readonly partialsRemoved: number;
  /** Complete files without an index row, indexed in place. */
  readonly orphansIndexed: number;
  /** Files without an index row that are not readable DICOM, removed. */
  readonly orphansRemoved: number;
}

export function recordImportStart(db: Database.Database, paths: readonly string[], copyToLibrary: boolean, now = new Date()): string {
  const id = randomUUID();
  db.prepare("INSERT INTO import_jobs (id, paths, copy_to_library, state, started_at) VALUES (?, ?, ?, 'running', ?)").run(id, JSON.stringify(paths), copyToLibrary ? 1 : 0, now.toISOString());
  return id;
}

/** The import ended (done, cancelled by the person, or failed with a reason shown): nothing to offer again. */
export function recordImportEnd(db: Database.Database, id: string, now = new Date()): void {
  db.prepare("UPDATE import_jobs SET state = 'finished', finished_at = ? WHERE id = ? AND state = 'running'").run(now.toISOString(), id);
}

/** The person chose not to resume it. */
export function dismissImport(db: Database.Database, id: string): boolean {
  return db.prepare("UPDATE import_jobs SET state = 'dismissed' WHERE id = ? AND state = 'running'").run(id).changes > 0;
}

/** Imports that were running when the app last stopped (none are running in this process yet). */
export function unfinishedImports(db: Database.Database): UnfinishedImport[] {
  const rows = db.prepare("SELECT id, paths, copy_to_library AS copy, started_at AS startedAt FROM import_jobs WHERE state = 'running' ORDER BY started_at").all() as {
    id: string;
    paths: string;
    copy: number;
    startedAt: string;
  }[];
  return rows.map((row) => ({ id: row.id, paths: JSON.parse(row.paths) as string[], copyToLibrary: row.copy === 1, startedAt: row.startedAt }));
}

async function* walk(dir: string): AsyncGenerator<string> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile()) yield full;
  }
}

/**
 * Finds what the library holds without an index row, at start, before any import or listener
 * runs: removes cut copies, indexes complete orphans in place, removes orphans that are not DICOM.
 */
export async function recoverLibrary(db: Database.Database, libraryDir: string): Promise<LibraryRecovery> {
  const known = db.prepare('SELECT 1 FROM files WHERE stored_path = ? LIMIT 1');
  let partialsRemoved = 0;
  const orphans: string[] = [];
  for await (const file of walk(libraryDir)) {
    if (file.endsWith('.partial')) {
      await rm(file, { force: true });
      partialsRemoved++;
    } else if (known.get(file) === undefined) orphans.push(file);
  }
  if (orphans.length === 0) return { partialsRemoved, orphansIndexed: 0, orphansRemoved: 0 };
  const summary = await importPaths(db, { paths: orphans, alreadyInLibrary: true });
  // What the index refused is not an instance anyone can use: it goes. A file that could not be
  // read (a disk error) stays, and is looked at again at the next start.
  const refused = summary.errors.filter((failure) => failure.code !== 'unreadable');
  for (const failure of refused) await rm(failure.path, { force: true });
  return { partialsRemoved, orphansIndexed: orphans.length - summary.errors.length, orphansRemoved: refused.length };
}
