/**
 * bench:import — generates a corpus of 5,000 instances over 50 studies (128×128 16-bit images by
 * default, mixed transfer syntaxes), reads it once so it sits in the page cache, then imports it
 * into fresh indexes and prints instances/s and MB/s.
 *
 *   npm run bench:import [-- --studies 50 --per-study 100 --size 128 --runs 3]
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { TRANSFER_SYNTAX } from '../../shared/dicom/transfer-syntax';
import { openIndexDatabase } from '../../electron/main/db/connection';
import { importPaths } from '../../electron/main/dicom-import/import-service';
import { testUid, writeInstance } from '../../electron/main/dicom-write/synthetic-study';

const { values } = parseArgs({
  options: {
    studies: { type: 'string', default: '50' },
    'per-study': { type: 'string', default: '100' },
    size: { type: 'string', default: '128' },
    runs: { type: 'string', default: '3' },
    copy: { type: 'boolean', default: false },
  },
});
const studies = Number(values.studies);
const perStudy = Number(values['per-study']);
const size = Number(values.size);
const runs = Number(values.runs);

const workDir = path.resolve('.bench/import');
const corpus = path.join(workDir, `corpus-${studies}x${perStudy}-${size}`);

function makeCorpus(): void {
  if (existsSync(`${corpus}.complete`)) return;
  rmSync(corpus, { recursive: true, force: true });
  const syntaxes = [
    TRANSFER_SYNTAX.explicitLittleEndian,
    TRANSFER_SYNTAX.implicitLittleEndian,
    TRANSFER_SYNTAX.explicitLittleEndian,
    TRANSFER_SYNTAX.jpeg2000Lossless,
    TRANSFER_SYNTAX.explicitBigEndian,
  ];
  const seriesPerStudy = 4;
  for (let st = 1; st <= studies; st++) {
    for (let i = 0; i < perStudy; i++) {
      const se = (i % seriesPerStudy) + 1;
      const folder = path.join(corpus, `P${st}`, `S${se}`);
      mkdirSync(folder, { recursive: true });
      const bytes = writeInstance(
        {
          specificCharacterSet: 'ISO_IR 100',
          patientName: `Bench${st}^Patient`,
          patientId: `BENCH${st}`,
          patientBirthDate: '19700101',
          patientSex: st % 2 ? 'F' : 'M',
          studyInstanceUid: testUid(900, st),
          studyDate: '20240101',
          studyTime: '120000',
          accessionNumber: `ACC${st}`,
          studyDescription: 'CT Thorax Abdomen',
          institutionName: 'Bench Hospital',
          seriesInstanceUid: testUid(900, st, se),
          modality: se === 4 ? 'SR' : 'CT',
          seriesNumber: se,
          sopInstanceUid: testUid(900, st, se, i + 1),
          instanceNumber: i + 1,
          rows: size,
          columns: size,
        },
        { transferSyntaxUid: syntaxes[(st + i) % syntaxes.length] },
      );
      writeFileSync(path.join(folder, `IM${String(i + 1).padStart(5, '0')}.dcm`), bytes);
    }
  }
  writeFileSync(`${corpus}.complete`, '');
}

function warmPageCache(folder: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    bytes += readFileSync(full).length;
    files++;
  }
  return { files, bytes };
}

async function main(): Promise<void> {
  const started = performance.now();
  makeCorpus();
  const { files, bytes } = warmPageCache(corpus);
  console.log(`corpus: ${files} instances in ${studies} studies, ${(bytes / 1e6).toFixed(1)} MB (${size}×${size} 16-bit), ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const results: { seconds: number; imported: number }[] = [];
  for (let run = 1; run <= runs; run++) {
    const dbFile = path.join(workDir, `run-${run}.sqlite`);
    for (const suffix of ['', '-wal', '-shm']) rmSync(dbFile + suffix, { force: true });
    const library = path.join(workDir, 'library');
    rmSync(library, { recursive: true, force: true });
    const db = openIndexDatabase(dbFile);
    const t0 = performance.now();
    const summary = await importPaths(db, { paths: [corpus], copyTo: values.copy ? library : undefined });
    const seconds = (performance.now() - t0) / 1000;
    db.close();
    if (summary.errors.length > 0 || summary.imported !== files) {
      throw new Error(`import was not clean: ${summary.imported} imported, ${summary.errors.length} errors`);
    }
    results.push({ seconds, imported: summary.imported });
    console.log(
      `run ${run}: ${summary.imported} instances in ${seconds.toFixed(3)} s = ${Math.round(summary.imported / seconds)} instances/s, ${(bytes / 1e6 / seconds).toFixed(0)} MB/s`,
    );
  }
  // Re-import of the unchanged corpus: every file is skipped after a stat.
  const db = openIndexDatabase(path.join(workDir, 'run-1.sqlite'));
  const t1 = performance.now();
  const again = await importPaths(db, { paths: [corpus] });
  const rerun = (performance.now() - t1) / 1000;
  db.close();
  console.log(`re-run over unchanged files: ${again.unchanged} skipped in ${rerun.toFixed(3)} s = ${Math.round(again.unchanged / rerun)} files/s`);

  const sorted = [...results].sort((a, b) => a.seconds - b.seconds);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(
    `bench:import median: ${Math.round(median.imported / median.seconds)} instances/s, ${(bytes / 1e6 / median.seconds).toFixed(0)} MB/s` +
      ` (best ${Math.round(sorted[0].imported / sorted[0].seconds)} instances/s; target ≥ 5000)`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
