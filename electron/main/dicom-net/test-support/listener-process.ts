/**
 * A DICOM listener in a process of its own, for the crash test: it prints its port as one JSON
 * line and runs until it is killed (SIGKILL: nothing of the listener's own shutdown runs).
 *
 *   node --import tsx listener-process.ts <index.sqlite> <library>
 */
import { openIndexDatabase } from '../../db/connection';
import { DicomListener } from '../dicom-listener';

const [indexPath, library] = process.argv.slice(2);
if (indexPath === undefined || library === undefined) throw new Error('usage: listener-process.ts <index.sqlite> <library>');
const listener = new DicomListener(openIndexDatabase(indexPath), library);
const port = await listener.start({ port: 0, aeTitle: 'STUDYSHARE', allowedAeTitles: [], allowedAddresses: [] });
process.stdout.write(`${JSON.stringify({ port })}\n`);
// Kept alive by the listening socket until killed.
