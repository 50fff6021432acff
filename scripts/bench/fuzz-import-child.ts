/**
 * bench:fuzz's import side, in its own process so its peak resident memory is the import's:
 * the desktop's import module (what `studyshare import` runs) on one file per line of stdin,
 * into one index, answering each with a JSON line: how it went, and how long it took.
 */
import { createInterface } from 'node:readline';
import { openIndexDatabase } from '../../electron/main/db/connection';
import { importPaths } from '../../electron/main/dicom-import/import-service';

const db = openIndexDatabase(process.argv[2]);
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  const started = performance.now();
  const summary = await importPaths(db, { paths: [line] });
  const outcome = summary.imported > 0 ? 'imported' : summary.duplicates > 0 ? 'duplicate' : summary.dicomdirs > 0 ? 'dicomdir' : (summary.errors[0]?.code ?? 'nothing');
  process.stdout.write(`${JSON.stringify({ outcome, ms: Math.round(performance.now() - started) })}\n`);
}
db.close();
