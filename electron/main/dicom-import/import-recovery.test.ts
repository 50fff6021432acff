/**
 * An import killed with SIGKILL part-way (issue 19, item 4): at the next start the library holds
 * no file without an index row and no cut copy, the import is offered again, and resuming it
 * indexes every instance exactly once.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../api/event-bus';
import { openIndexDatabase } from '../db/connection';
import { writeInstance } from '../dicom-write/synthetic-study';
import { ImportManager } from './import-manager';
import { recoverLibrary, unfinishedImports } from './import-recovery';

const ROOT = path.resolve(__dirname, '../../..');

function libraryFiles(libraryDir: string): string[] {
  try {
    return readdirSync(libraryDir, { recursive: true })
      .map(String)
      .filter((name) => name.endsWith('.dcm') || name.endsWith('.partial'))
      .map((name) => path.join(libraryDir, name));
  } catch {
    return [];
  }
}

describe('an import killed part-way', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-import-kill-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is offered again at the next start; the library is put right and resuming indexes everything once', { timeout: 120_000 }, async () => {
    const source = path.join(dir, 'source');
    mkdirSync(source, { recursive: true });
    const count = 400;
    for (let n = 1; n <= count; n++) {
      const study = `1.2.826.0.1.3680043.10.1234.77.${1 + (n % 8)}`;
      writeFileSync(
        path.join(source, `${n}.dcm`),
        writeInstance({ studyInstanceUid: study, seriesInstanceUid: `${study}.1`, sopInstanceUid: `${study}.1.${n}`, rows: 128, columns: 128 }),
      );
    }
    const indexFile = path.join(dir, 'index.sqlite');
    const libraryDir = path.join(dir, 'library');
    openIndexDatabase(indexFile).close();

    // The import runs in its own process, killed once it is well under way.
    const child = spawn(process.execPath, ['--import', 'tsx', 'electron/main/dicom-import/import-child.ts', indexFile, libraryDir, source], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const done = [...buffered.matchAll(/"filesDone":(\d+)/g)].map((match) => Number(match[1]));
        if (buffered.includes('finished')) reject(new Error('the import finished before it could be killed'));
        if (done.some((n) => n >= 90)) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => resolve());
    });
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    expect(child.signalCode).toBe('SIGKILL');

    const db = openIndexDatabase(indexFile);
    try {
      const indexedBefore = (db.prepare('SELECT count(*) AS n FROM instances').get() as { n: number }).n;
      expect(indexedBefore).toBeLessThan(count);
      const unfinished = unfinishedImports(db);
      expect(unfinished).toMatchObject([{ paths: [source], copyToLibrary: true }]);

      // The next start: the library first.
      const recovery = await recoverLibrary(db, libraryDir);
      const stored = new Set((db.prepare('SELECT stored_path AS p FROM files').all() as { p: string }[]).map((row) => row.p));
      const left = libraryFiles(libraryDir);
      expect(left.filter((file) => file.endsWith('.partial'))).toEqual([]);
      expect(left.filter((file) => !stored.has(file))).toEqual([]);
      expect(recovery.orphansRemoved).toBe(0);
      // Orphans found were indexed in place, as managed files.
      expect((db.prepare('SELECT count(*) AS n FROM instances').get() as { n: number }).n).toBe(indexedBefore + recovery.orphansIndexed);

      // Resuming: every instance, once.
      const bus = new EventBus();
      const manager = new ImportManager(db, bus, libraryDir);
      expect(manager.unfinished().map((job) => job.id)).toEqual([unfinished[0].id]);
      const finished = new Promise<void>((resolve) => bus.subscribe((name) => name === 'import:finished' && resolve()));
      manager.resume(unfinished[0].id);
      await finished;
      expect((db.prepare('SELECT count(*) AS n FROM instances').get() as { n: number }).n).toBe(count);
      expect(manager.unfinished()).toEqual([]);
      expect(unfinishedImports(db)).toEqual([]);
      const after = new Set((db.prepare("SELECT stored_path AS p FROM files WHERE outcome = 'instance'").all() as { p: string }[]).map((row) => row.p));
      const inLibrary = libraryFiles(libraryDir);
      expect(inLibrary).toHaveLength(count);
      expect(inLibrary.filter((file) => !after.has(file))).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('removes cut copies and files that are not DICOM, and indexes complete orphans in place', async () => {
    const libraryDir = path.join(dir, 'library2');
    const series = path.join(libraryDir, '1.2.3', '1.2.3.1');
    mkdirSync(series, { recursive: true });
    writeFileSync(path.join(series, '1.2.3.1.1.dcm.4242.partial'), Buffer.alloc(100));
    writeFileSync(path.join(series, '1.2.3.1.2.dcm'), Buffer.from('not a DICOM file at all'));
    const orphan = path.join(series, '1.2.3.1.3.dcm');
    writeFileSync(orphan, writeInstance({ studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.1', sopInstanceUid: '1.2.3.1.3', rows: 16, columns: 16 }));
    const db = openIndexDatabase(path.join(dir, 'index2.sqlite'));
    try {
      expect(await recoverLibrary(db, libraryDir)).toEqual({ partialsRemoved: 1, orphansIndexed: 1, orphansRemoved: 1 });
      expect(libraryFiles(libraryDir)).toEqual([orphan]);
      expect(db.prepare('SELECT stored_path AS path, managed FROM files').all()).toEqual([{ path: orphan, managed: 1 }]);
      // Nothing more to do the next time.
      expect(await recoverLibrary(db, libraryDir)).toEqual({ partialsRemoved: 0, orphansIndexed: 0, orphansRemoved: 0 });
      // No library yet: nothing to do.
      expect(await recoverLibrary(db, path.join(dir, 'none'))).toEqual({ partialsRemoved: 0, orphansIndexed: 0, orphansRemoved: 0 });
    } finally {
      db.close();
    }
  });
});
