/**
 * Imports DICOM files into the local index: walks the chosen folders, skips files unchanged since
 * the last import, reads each header, optionally copies the file into the managed library, and
 * records instances in batched transactions. One bad file is reported and skipped; the rest goes
 * on. Progress is reported as it goes; an AbortSignal stops it after the current file, keeping
 * everything committed so far, so running the import again resumes where it stopped.
 */
import { copyFileSync, mkdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { ImportFileFailure, ImportProgress, ImportSummary } from '../../../shared/types/import';
import { IndexWriteSession, type FileFacts } from '../study-index/study-index-writer';
import { listFiles } from './file-walk';
import { ImportFileError } from './import-error';
import type { InstanceHeader } from './instance-header';
import { HeaderFileReader } from './read-header-file';

export interface ImportOptions {
  /** Files or folders (searched recursively). */
  readonly paths: readonly string[];
  /** Copy each new instance into this managed library folder instead of indexing it in place. */
  readonly copyTo?: string;
  /** The files are in the managed library already (found there without an index row): indexed where they are, as managed. */
  readonly alreadyInLibrary?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ImportProgress) => void;
  /** How often progress is reported, at most (default 100 ms). */
  readonly progressIntervalMs?: number;
  /** Files per transaction (default 500). */
  readonly batchFiles?: number;
  /** A pause between batches (default none), so a paced import leaves the process to others. */
  readonly pauseBetweenBatchesMs?: number;
}

/** Files per transaction: large enough to amortise the commit, small enough to cancel quickly. */
const DEFAULT_BATCH_FILES = 500;

const ERRNO_REASONS: Readonly<Record<string, string>> = {
  EACCES: 'The file cannot be read: permission denied.',
  EPERM: 'The file cannot be read: permission denied.',
  ENOENT: 'The file disappeared during the import.',
  EISDIR: 'This is a folder, not a file.',
  EIO: 'The disk reported a read error for this file.',
};

function failureOf(filePath: string, error: unknown): ImportFileFailure {
  if (error instanceof ImportFileError) return { path: filePath, code: error.code, reason: error.message };
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && ERRNO_REASONS[code] !== undefined) {
    return { path: filePath, code: 'unreadable', reason: ERRNO_REASONS[code] };
  }
  return { path: filePath, code: 'unreadable', reason: `The file could not be read (${code ?? 'unexpected error'}).` };
}

/** UIDs are digits and dots (validated by the header reader), so they are safe as file names. */
export function libraryPath(libraryDir: string, header: InstanceHeader): string {
  return path.join(libraryDir, header.study.uid, header.series.uid, `${header.instance.sopInstanceUid}.dcm`);
}

/** Copies through a temporary name so that a crash never leaves a half-written file in place. */
function copyIntoLibrary(source: string, target: string): void {
  mkdirSync(path.dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.partial`;
  try {
    copyFileSync(source, temporary);
    renameSync(temporary, target);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // nothing to clean up
    }
    throw new ImportFileError('copy-failed', `The file could not be copied into the library (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
}

export async function importPaths(db: Database.Database, options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const session = new IndexWriteSession(db);
  const reader = new HeaderFileReader();
  const errors: ImportFileFailure[] = [];
  const counts = { filesSeen: 0, filesDone: 0, imported: 0, duplicates: 0, unchanged: 0, dicomdirs: 0, bytes: 0 };
  const interval = options.progressIntervalMs ?? 100;
  let lastProgress = 0;
  let filesTotal: number | null = null;

  const report = (force: boolean): void => {
    if (options.onProgress === undefined) return;
    const now = performance.now();
    if (!force && now - lastProgress < interval) return;
    lastProgress = now;
    options.onProgress({ ...counts, filesTotal, errors: errors.length });
  };

  const walk = await listFiles(options.paths, options.signal);
  for (const { path: unreadablePath, error } of walk.unreadable) {
    errors.push(
      error.code === 'ENOENT'
        ? { path: unreadablePath, code: 'unreadable', reason: 'No such file or folder.' }
        : failureOf(unreadablePath, error),
    );
  }
  filesTotal = walk.files.length;
  counts.filesSeen = walk.files.length;
  report(true);

  const libraryDir = options.copyTo === undefined ? undefined : path.resolve(options.copyTo);
  const importOne = (filePath: string): void => {
    const info = statSync(filePath);
    const known = session.knownFile(filePath);
    if (known !== undefined && known.size === info.size && known.mtimeMs === Math.trunc(info.mtimeMs)) {
      counts.unchanged++;
      if (known.outcome === 'instance') session.noteUnchanged(known.sopInstanceUid);
      return;
    }
    const result = reader.read(filePath);
    const facts: FileFacts = { sourcePath: filePath, storedPath: filePath, size: info.size, mtimeMs: info.mtimeMs, managed: options.alreadyInLibrary === true };
    if (result.kind === 'dicomdir') {
      session.recordDicomdir(facts);
      counts.dicomdirs++;
      return;
    }
    const { header } = result;
    let stored = facts;
    if (libraryDir !== undefined) {
      const existing = session.existingInstance(header.instance.sopInstanceUid);
      if (existing === undefined || existing.sourcePath === filePath) {
        const target = libraryPath(libraryDir, header);
        copyIntoLibrary(filePath, target);
        stored = { ...facts, storedPath: target, managed: true };
      }
    }
    const outcome = session.recordInstance(header, stored);
    if (outcome === 'duplicate') counts.duplicates++;
    else {
      counts.imported++;
      counts.bytes += info.size;
    }
  };

  // A savepoint per file: a file that fails half-way leaves no trace in the batch.
  const importOneAtomically = db.transaction(importOne);
  const runBatch = db.transaction((batch: readonly string[]) => {
    for (const filePath of batch) {
      if (options.signal?.aborted) break;
      try {
        importOneAtomically(filePath);
      } catch (error) {
        session.forgetCachedIds();
        errors.push(failureOf(filePath, error));
      }
      counts.filesDone++;
      report(false);
    }
    session.refreshAggregates();
  });

  let cancelled = false;
  const batchFiles = options.batchFiles ?? DEFAULT_BATCH_FILES;
  for (let start = 0; start < walk.files.length; start += batchFiles) {
    if (options.signal?.aborted) {
      cancelled = true;
      break;
    }
    runBatch(walk.files.slice(start, start + batchFiles));
    // Let cancellation and other events in between batches.
    const pause = options.pauseBetweenBatchesMs ?? 0;
    await new Promise<void>((resolve) => (pause > 0 ? setTimeout(resolve, pause) : setImmediate(resolve)));
  }
  if (options.signal?.aborted && counts.filesDone < walk.files.length) cancelled = true;
  report(true);

  return {
    filesSeen: counts.filesSeen,
    imported: counts.imported,
    duplicates: counts.duplicates,
    unchanged: counts.unchanged,
    dicomdirs: counts.dicomdirs,
    errors,
    studies: session.studiesSeen.size,
    series: session.seriesSeen.size,
    instances: session.instancesSeen.size,
    bytes: counts.bytes,
    seconds: Math.round(performance.now() - started) / 1000,
    cancelled,
  };
}
