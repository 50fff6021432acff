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
import { importPaths, type ImportOptions } from './import-service';

/** Worklists refresh at most this often while an import is adding studies. */
const REFRESH_EVERY_MS = 1000;

export class ImportManager {
  private readonly running = new Map<string, AbortController>();

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
      .then((summary: ImportSummary) => this.finish(importId, summary, null))
      .catch(() => this.finish(importId, null, { code: 'import-failed', message: 'The import stopped because the study index could not be written.' }));
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

  private finish(importId: string, summary: ImportSummary | null, error: { code: string; message: string } | null): void {
    this.running.delete(importId);
    this.bus.emit('import:finished', { importId, summary, error });
    this.bus.emit('data:changed', { reason: 'import' });
  }
}
