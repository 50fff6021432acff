/**
 * Runs imports in the background for the UI: each gets an id, reports progress and its end as
 * events, can be cancelled, and tells worklists to refresh as studies arrive.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { ImportSummary } from '../../../shared/types/import';
import { AppError } from '../api/app-error';
import type { EventBus } from '../api/event-bus';
import { dismissImport, recordImportEnd, recordImportStart, unfinishedImports, type UnfinishedImport } from './import-recovery';
import { importPaths, type ImportOptions } from './import-service';

/** Worklists refresh at most this often while an import is adding studies. */
const REFRESH_EVERY_MS = 1000;

export class ImportManager {
  private readonly running = new Map<string, AbortController>();
  /** The import jobs started by this process (running ones are not "unfinished from last time"). */
  private readonly jobs = new Set<string>();

  constructor(
    private readonly db: Database.Database,
    private readonly bus: EventBus,
    private readonly libraryDir: string,
    private readonly pacing: Pick<ImportOptions, 'batchFiles' | 'pauseBetweenBatchesMs'> = {},
  ) {}

  start(paths: readonly string[], copyToLibrary: boolean): { importId: string } {
    for (const candidate of paths) {
      if (!path.isAbsolute(candidate)) throw new AppError('path-not-absolute', `Give the full path of the folder: ${candidate}`);
      if (!existsSync(candidate)) throw new AppError('path-not-found', `No such file or folder: ${candidate}`);
    }
    const importId = randomUUID();
    // Recorded before it starts: if the app stops before it ends, the next start offers it again.
    const job = recordImportStart(this.db, paths, copyToLibrary);
    this.jobs.add(job);
    const controller = new AbortController();
    this.running.set(importId, controller);
    let lastRefresh = 0;
    let lastImported = 0;
    void importPaths(this.db, {
      ...this.pacing,
      paths,
      copyTo: copyToLibrary ? this.libraryDir : undefined,
      signal: controller.signal,
      onProgress: (progress) => {
        this.bus.emit('import:progress', { importId, ...progress });
        const now = performance.now();
        if (progress.imported > lastImported && now - lastRefresh >= REFRESH_EVERY_MS) {
          lastRefresh = now;
          lastImported = progress.imported;
          this.bus.emit('data:changed', { reason: 'import' });
        }
      },
    })
      .then((summary: ImportSummary) => this.finish(importId, job, summary, null))
      .catch(() => this.finish(importId, job, null, { code: 'import-failed', message: 'The import stopped because the study index could not be written.' }));
    return { importId };
  }

  cancel(importId: string): { cancelled: boolean } {
    const controller = this.running.get(importId);
    if (controller === undefined) return { cancelled: false };
    controller.abort();
    return { cancelled: true };
  }

  /** Stops every running import (on shutdown); what was committed stays. */
  cancelAll(): void {
    for (const controller of this.running.values()) controller.abort();
  }

  get active(): number {
    return this.running.size;
  }

  /** Imports the app stopped in the middle of, last time (offered again at start). */
  unfinished(): UnfinishedImport[] {
    return unfinishedImports(this.db).filter((job) => !this.jobs.has(job.id));
  }

  /** Runs an unfinished import again; it continues where it stopped (files already indexed are skipped). */
  resume(jobId: string): { importId: string } {
    const job = this.unfinished().find((candidate) => candidate.id === jobId);
    if (job === undefined) throw new AppError('not-found', 'That import is no longer waiting to be resumed.');
    dismissImport(this.db, jobId);
    const existing = job.paths.filter((candidate) => existsSync(candidate));
    if (existing.length === 0) throw new AppError('path-not-found', 'The folders of that import are no longer there (a disc or drive removed?). Nothing was changed.');
    return this.start(existing, job.copyToLibrary);
  }

  /** Leaves an unfinished import as it is (what it indexed stays). */
  dismiss(jobId: string): { dismissed: boolean } {
    return { dismissed: dismissImport(this.db, jobId) };
  }

  private finish(importId: string, job: string, summary: ImportSummary | null, error: { code: string; message: string } | null): void {
    recordImportEnd(this.db, job);
    this.running.delete(importId);
    this.bus.emit('import:finished', { importId, summary, error });
    this.bus.emit('data:changed', { reason: 'import' });
  }
}
