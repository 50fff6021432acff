import { chmodSync, existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImportProgress } from '../../../shared/types/import';
import { TRANSFER_SYNTAX } from '../../../shared/dicom/transfer-syntax';
import { openIndexDatabase, type IndexDatabase } from '../db/connection';
import { encodeDicom } from '../dicom-write/dicom-writer';
import { testUid, writeInstance, type InstanceSpec } from '../dicom-write/synthetic-study';
import { listSeries, listStudyFiles } from '../study-index/study-lookup';
import { queryStudies } from '../study-index/study-query';
import { studyQuerySchema } from '../../../shared/types/study';
import { tempDir } from '../test-support/temp-dir';
import { importPaths } from './import-service';

function instance(study: number, series: number, index: number, overrides: Partial<InstanceSpec> = {}): InstanceSpec {
  return {
    patientName: `Patient${study}^Test`,
    patientId: `P${study}`,
    studyInstanceUid: testUid(study),
    studyDate: '20240101',
    seriesInstanceUid: testUid(study, series),
    modality: series === 2 ? 'MR' : 'CT',
    seriesNumber: series,
    sopInstanceUid: testUid(study, series, index),
    instanceNumber: index,
    ...overrides,
  };
}

/** Writes `studies` × `series` × `perSeries` files in nested folders, one transfer syntax each. */
function writeCorpus(root: string, studies: number, series: number, perSeries: number): number {
  const syntaxes = Object.values(TRANSFER_SYNTAX);
  let written = 0;
  for (let st = 1; st <= studies; st++) {
    for (let se = 1; se <= series; se++) {
      const folder = path.join(root, `study${st}`, `series${se}`);
      mkdirSync(folder, { recursive: true });
      for (let i = 1; i <= perSeries; i++) {
        const transferSyntaxUid = syntaxes[written % syntaxes.length];
        writeFileSync(path.join(folder, `img${i}.dcm`), writeInstance(instance(st, se, i), { transferSyntaxUid }));
        written++;
      }
    }
  }
  return written;
}

function openDb(dir: string): IndexDatabase {
  return openIndexDatabase(path.join(dir, 'index.sqlite'));
}

const allStudies = (db: IndexDatabase) => queryStudies(db, studyQuerySchema.parse({ limit: 1000, sort: { column: 'patientId', direction: 'asc' } }));

describe('importPaths', () => {
  it('imports nested folders of every transfer syntax into studies, series and instances', async () => {
    const dir = tempDir();
    const written = writeCorpus(path.join(dir, 'in'), 3, 2, 5);
    const db = openDb(dir);
    const summary = await importPaths(db, { paths: [path.join(dir, 'in')] });
    expect(summary).toMatchObject({ filesSeen: written, imported: written, duplicates: 0, errors: [], studies: 3, series: 6, instances: 30, cancelled: false });
    // Seconds, with millisecond precision: a 30-file import takes more than a millisecond.
    expect(summary.seconds).toBeGreaterThan(0.001);
    expect(summary.seconds).toBeLessThan(60);
    const page = allStudies(db);
    expect(page.total).toBe(3);
    expect(page.rows.map((r) => [r.patientId, r.seriesCount, r.instanceCount, r.modalities])).toEqual([
      ['P1', 2, 10, ['CT', 'MR']],
      ['P2', 2, 10, ['CT', 'MR']],
      ['P3', 2, 10, ['CT', 'MR']],
    ]);
    expect(listSeries(db, testUid(1)).map((s) => [s.seriesNumber, s.modality, s.instanceCount])).toEqual([
      [1, 'CT', 5],
      [2, 'MR', 5],
    ]);
    db.close();
  });

  it('counts duplicates (same SOP Instance UID in another file) without doubling them', async () => {
    const dir = tempDir();
    const bytes = writeInstance(instance(1, 1, 1));
    mkdirSync(path.join(dir, 'a'));
    mkdirSync(path.join(dir, 'b'));
    writeFileSync(path.join(dir, 'a', 'one.dcm'), bytes);
    writeFileSync(path.join(dir, 'b', 'copy-of-one.dcm'), bytes);
    // The same instance re-encoded in another transfer syntax is still the same instance.
    writeFileSync(path.join(dir, 'b', 'implicit.dcm'), writeInstance(instance(1, 1, 1), { transferSyntaxUid: TRANSFER_SYNTAX.implicitLittleEndian }));
    const db = openDb(dir);
    const summary = await importPaths(db, { paths: [path.join(dir, 'a'), path.join(dir, 'b')] });
    expect(summary).toMatchObject({ filesSeen: 3, imported: 1, duplicates: 2, instances: 1, studies: 1 });
    expect(allStudies(db).rows[0].instanceCount).toBe(1);
    // A second run finds all three unchanged and reads none of them.
    const again = await importPaths(db, { paths: [path.join(dir, 'a'), path.join(dir, 'b')] });
    expect(again).toMatchObject({ imported: 0, duplicates: 0, unchanged: 3, instances: 1 });
    db.close();
  });

  it('reports every bad file with a reason and imports the rest', async () => {
    const dir = tempDir();
    const input = path.join(dir, 'in');
    mkdirSync(input);
    writeFileSync(path.join(input, 'good.dcm'), writeInstance(instance(1, 1, 1)));
    writeFileSync(path.join(input, 'empty.dcm'), '');
    writeFileSync(path.join(input, 'notes.txt'), 'Patient called, will bring CD tomorrow.');
    const full = writeInstance(instance(1, 1, 2, { rows: 64, columns: 64 }));
    writeFileSync(path.join(input, 'truncated.dcm'), full.subarray(0, full.length - 512));
    const garbage = new Uint8Array(600).fill(0x7a);
    garbage.set(new TextEncoder().encode('DICM'), 128);
    writeFileSync(path.join(input, 'corrupt.dcm'), garbage);
    writeFileSync(path.join(input, 'good2.dcm'), writeInstance(instance(1, 1, 3)));
    const db = openDb(dir);
    const summary = await importPaths(db, { paths: [input] });
    expect(summary.imported).toBe(2);
    expect(summary.errors.map((e) => [path.basename(e.path), e.code])).toEqual([
      ['corrupt.dcm', expect.stringMatching(/corrupt|truncated/)],
      ['empty.dcm', 'empty-file'],
      ['notes.txt', 'not-dicom'],
      ['truncated.dcm', 'truncated'],
    ]);
    for (const error of summary.errors) expect(error.reason).toMatch(/^[A-Z].*\.$/);
    // Errors are not remembered as done: the next run reports them again.
    const again = await importPaths(db, { paths: [input] });
    expect(again.errors).toHaveLength(4);
    expect(again.unchanged).toBe(2);
    db.close();
  });

  it('reports an unreadable file and goes on', async () => {
    if (process.getuid?.() === 0) {
      // root reads everything: simulate with a path that vanishes instead.
      const dir = tempDir();
      const db = openDb(dir);
      const summary = await importPaths(db, { paths: [path.join(dir, 'missing-folder')] });
      expect(summary.errors).toEqual([{ path: path.join(dir, 'missing-folder'), code: 'unreadable', reason: 'No such file or folder.' }]);
      db.close();
      return;
    }
    const dir = tempDir();
    const input = path.join(dir, 'in');
    mkdirSync(input);
    writeFileSync(path.join(input, 'locked.dcm'), writeInstance(instance(1, 1, 1)));
    chmodSync(path.join(input, 'locked.dcm'), 0o000);
    const db = openDb(dir);
    const summary = await importPaths(db, { paths: [input] });
    expect(summary.errors[0].reason).toBe('The file cannot be read: permission denied.');
    db.close();
  });

  it('recognises a DICOMDIR and indexes the files it sits beside', async () => {
    const dir = tempDir();
    const input = path.join(dir, 'cd');
    mkdirSync(path.join(input, 'DICOM'), { recursive: true });
    writeFileSync(
      path.join(input, 'DICOMDIR'),
      encodeDicom(
        [
          { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.1.3.10' },
          { tag: 0x00080018, vr: 'UI', value: testUid(500) },
          { tag: 0x00041220, vr: 'SQ', value: [[{ tag: 0x00041430, vr: 'CS', value: 'PATIENT' }]] },
        ],
        { transferSyntaxUid: TRANSFER_SYNTAX.explicitLittleEndian },
      ),
    );
    writeFileSync(path.join(input, 'DICOM', 'IM000001'), writeInstance(instance(1, 1, 1)));
    const db = openDb(dir);
    const summary = await importPaths(db, { paths: [input] });
    expect(summary).toMatchObject({ filesSeen: 2, imported: 1, dicomdirs: 1, errors: [] });
    db.close();
  });

  it('reports progress with a known total and ends at 100 %', async () => {
    const dir = tempDir();
    const written = writeCorpus(path.join(dir, 'in'), 2, 1, 30);
    const db = openDb(dir);
    const events: ImportProgress[] = [];
    await importPaths(db, { paths: [path.join(dir, 'in')], onProgress: (p) => events.push(p), progressIntervalMs: 0 });
    expect(events.length).toBeGreaterThan(written);
    expect(events[0]).toMatchObject({ filesTotal: written, filesDone: 0 });
    expect(events.at(-1)).toMatchObject({ filesTotal: written, filesDone: written, imported: written });
    const done = events.map((e) => e.filesDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    db.close();
  });

  it('cancels part-way, keeps what was committed, and resumes without re-reading it', async () => {
    const dir = tempDir();
    const written = writeCorpus(path.join(dir, 'in'), 4, 2, 100);
    const db = openDb(dir);
    const controller = new AbortController();
    const first = await importPaths(db, {
      paths: [path.join(dir, 'in')],
      signal: controller.signal,
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.filesDone === 250) controller.abort();
      },
    });
    expect(first.cancelled).toBe(true);
    expect(first.imported).toBe(250);
    const afterCancel = allStudies(db);
    expect(afterCancel.rows.reduce((n, r) => n + r.instanceCount, 0)).toBe(250);

    const second = await importPaths(db, { paths: [path.join(dir, 'in')] });
    expect(second).toMatchObject({ cancelled: false, unchanged: 250, imported: written - 250, instances: written });
    expect(allStudies(db).rows.reduce((n, r) => n + r.instanceCount, 0)).toBe(written);
    db.close();
  });

  it('re-reads a file that changed since the last import and applies its corrections', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'one.dcm');
    writeFileSync(file, writeInstance(instance(1, 1, 1, { patientName: 'Smiht^Jon' })));
    const db = openDb(dir);
    await importPaths(db, { paths: [file] });
    writeFileSync(file, writeInstance(instance(1, 1, 1, { patientName: 'Smith^John', studyDescription: 'Corrected' })));
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const summary = await importPaths(db, { paths: [file] });
    expect(summary).toMatchObject({ imported: 1, unchanged: 0, duplicates: 0 });
    const [study] = allStudies(db).rows;
    expect(study).toMatchObject({ patientName: 'Smith^John', studyDescription: 'Corrected', instanceCount: 1 });
    expect(queryStudies(db, studyQuerySchema.parse({ text: 'smiht' })).total).toBe(0);
    expect(queryStudies(db, studyQuerySchema.parse({ text: 'smith' })).total).toBe(1);
    db.close();
  });

  it('drops the old instance when a file is overwritten with a different one', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'one.dcm');
    writeFileSync(file, writeInstance(instance(1, 1, 1)));
    const db = openDb(dir);
    await importPaths(db, { paths: [file] });
    writeFileSync(file, writeInstance(instance(2, 1, 1, { rows: 20 })));
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    await importPaths(db, { paths: [file] });
    expect(allStudies(db).rows.map((r) => r.patientId)).toEqual(['P2']);
    db.close();
  });

  it('copies into a managed library when asked, and indexes the copies', async () => {
    const dir = tempDir();
    writeCorpus(path.join(dir, 'in'), 1, 2, 3);
    const library = path.join(dir, 'library');
    const db = openDb(dir);
    const summary = await importPaths(db, { paths: [path.join(dir, 'in')], copyTo: library });
    expect(summary.imported).toBe(6);
    const files = listStudyFiles(db, testUid(1));
    expect(files).toHaveLength(6);
    for (const file of files) {
      expect(file.startsWith(library + path.sep)).toBe(true);
      expect(existsSync(file)).toBe(true);
    }
    expect(readdirSync(path.join(library, testUid(1)))).toEqual([testUid(1, 1), testUid(1, 2)].sort());
    // No half-copied leftovers.
    expect(readdirSync(path.join(library, testUid(1), testUid(1, 1))).every((f) => f.endsWith('.dcm'))).toBe(true);
    db.close();
  });

  it('indexes in place by default, pointing at the original files', async () => {
    const dir = tempDir();
    writeCorpus(path.join(dir, 'in'), 1, 1, 2);
    const db = openDb(dir);
    await importPaths(db, { paths: [path.join(dir, 'in')] });
    expect(listStudyFiles(db, testUid(1))).toEqual([
      path.join(dir, 'in', 'study1', 'series1', 'img1.dcm'),
      path.join(dir, 'in', 'study1', 'series1', 'img2.dcm'),
    ]);
    db.close();
  });
});
