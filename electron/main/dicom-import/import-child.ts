/**
 * An import in a process of its own, as the app runs one (ImportManager: recorded before it
 * starts, copied into the library, indexed in batches), for the crash test that kills it with
 * SIGKILL part-way (import-recovery.test.ts). Prints one line per progress report.
 *
 *   node --import tsx electron/main/dicom-import/import-child.ts <index.sqlite> <library> <folder>
 */
import { openIndexDatabase } from '../db/connection';
import { EventBus } from '../api/event-bus';
import { ImportManager } from './import-manager';

const [indexFile, libraryDir, folder] = process.argv.slice(2);
const db = openIndexDatabase(indexFile);
const bus = new EventBus();
bus.subscribe((name, payload) => {
  if (name === 'import:progress') process.stdout.write(`${JSON.stringify({ filesDone: (payload as { filesDone: number }).filesDone })}\n`);
  if (name === 'import:finished') {
    process.stdout.write('finished\n');
    db.close();
  }
});
// Reported every few files (progressIntervalMs is the import's default): the kill lands between and inside transactions.
new ImportManager(db, bus, libraryDir, { batchFiles: 20 }).start([folder], true);
