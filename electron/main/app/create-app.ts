/**
 * The composition root shared by the Electron shell and browser mode: opens the index in the
 * data folder, creates the services and the contract's handlers, and the bus their events go to.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { HostInfo } from '../../../shared/contract';
import { AppError } from '../api/app-error';
import type { Handlers } from '../api/dispatch';
import { EventBus } from '../api/event-bus';
import { openIndexDatabase, type IndexDatabase } from '../db/connection';
import { ImportManager } from '../dicom-import/import-manager';
import type { ImportOptions } from '../dicom-import/import-service';
import { findStudy, listSeries } from '../study-index/study-lookup';
import { queryStudies } from '../study-index/study-query';

export interface HostServices {
  readonly kind: HostInfo['kind'];
  /** A native folder picker, where the host has one. */
  readonly pickFolder?: () => Promise<readonly string[]>;
}

export interface StudyshareApp {
  readonly handlers: Handlers;
  readonly bus: EventBus;
  readonly db: IndexDatabase;
  readonly imports: ImportManager;
  close(): void;
}

export const APP_VERSION = '0.1.0';

export interface AppOptions {
  /** Paces background imports (smaller batches, pauses between them). */
  readonly importPacing?: Pick<ImportOptions, 'batchFiles' | 'pauseBetweenBatchesMs'>;
}

export function createStudyshareApp(dataDir: string, host: HostServices, options: AppOptions = {}): StudyshareApp {
  mkdirSync(dataDir, { recursive: true });
  const db = openIndexDatabase(path.join(dataDir, 'index.sqlite'));
  const bus = new EventBus();
  const imports = new ImportManager(db, bus, path.join(dataDir, 'library'), options.importPacing);

  const handlers: Handlers = {
    'host:info': () => ({ kind: host.kind, version: APP_VERSION, platform: process.platform }),
    'studies:query': (query) => queryStudies(db, query),
    'studies:details': ({ studyInstanceUid }) => {
      const study = findStudy(db, studyInstanceUid);
      if (study === null) throw new AppError('not-found', 'That study is no longer in the index.');
      return { study, series: listSeries(db, studyInstanceUid) };
    },
    'import:pick-folder': async () => {
      if (host.pickFolder === undefined) {
        throw new AppError('not-available', 'There is no folder picker in browser mode: type the folder path instead.');
      }
      return { paths: await host.pickFolder() };
    },
    'import:start': ({ paths, copyToLibrary }) => imports.start(paths, copyToLibrary),
    'import:cancel': ({ importId }) => imports.cancel(importId),
  };

  return {
    handlers,
    bus,
    db,
    imports,
    close() {
      imports.cancelAll();
      db.close();
    },
  };
}
