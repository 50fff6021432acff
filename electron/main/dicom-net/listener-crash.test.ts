/**
 * Durability of what the listener acknowledges (issue 17): a listener process is killed with
 * SIGKILL in the middle of a study that storescu is sending; then, as after a power cut, every
 * library file that was never flushed is taken away (the worst a crash can do to them: the
 * journal is all that may be trusted). A new listener on the same library and index starts:
 * every instance storescu was told was stored is in the library, whole, and in the index.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openIndexDatabase } from '../db/connection';
import { parseInstanceHeader } from '../dicom-import/instance-header';
import { testUid, writeInstance } from '../dicom-write/synthetic-study';
import { DicomListener } from './dicom-listener';
import { hasDcmtkNetworkTools } from './test-support/dcmtk';

const available = hasDcmtkNetworkTools();
if (!available && process.env.CI) throw new Error('dcmtk is required in CI (.ci/run installs it)');

const root = mkdtempSync(path.join(tmpdir(), 'studyshare-crash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const COUNT = 80;

function writeStudy(folder: string): string[] {
  mkdirSync(folder, { recursive: true });
  return Array.from({ length: COUNT }, (_, n) => {
    const file = path.join(folder, `${String(n + 1).padStart(3, '0')}.dcm`);
    writeFileSync(file, writeInstance({ studyInstanceUid: testUid(731), seriesInstanceUid: testUid(731, 1), sopInstanceUid: testUid(731, 1, n + 1), instanceNumber: n + 1, rows: 128, columns: 128 }));
    return file;
  });
}

/** Starts the listener process; resolves with it and its port. */
async function startListenerProcess(index: string, library: string): Promise<{ child: ReturnType<typeof spawn>; port: number }> {
  const script = path.join(import.meta.dirname, 'test-support', 'listener-process.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, index, library], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.on('exit', (code) => reject(new Error(`listener process ended (${code})`)));
  });
  return { child, port };
}

/** Every file under the library except the journal's folder. */
function libraryFiles(library: string): string[] {
  return readdirSync(library, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.parentPath.includes('.incoming'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe.skipIf(!available)('DICOM listener killed mid-study', () => {
  it('has every acknowledged instance after a restart, even with the unflushed library files gone', async () => {
    const dir = path.join(root, 'kill');
    const index = path.join(dir, 'index.sqlite');
    const library = path.join(dir, 'library');
    mkdirSync(dir, { recursive: true });
    const files = writeStudy(path.join(dir, 'study'));
    const { child, port } = await startListenerProcess(index, library);

    // storescu sends the study one instance at a time; after the 25th success the listener dies.
    const acknowledged = await new Promise<number>((resolve) => {
      const sender = spawn('storescu', ['-v', '-aet', 'MODALITY', '-aec', 'STUDYSHARE', '127.0.0.1', String(port), ...files], { env: { ...process.env, TCP_NODELAY: '1' } });
      let log = '';
      const successes = (): number => (log.match(/Received Store Response \(Success\)/g) ?? []).length;
      const read = (chunk: Buffer): void => {
        log += chunk.toString('latin1');
        if (successes() >= 25 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
      };
      sender.stdout.on('data', read);
      sender.stderr.on('data', read);
      sender.on('close', () => resolve(successes()));
    });
    await new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
    expect(child.signalCode).toBe('SIGKILL');
    expect(acknowledged).toBeGreaterThanOrEqual(25);
    expect(acknowledged).toBeLessThan(COUNT);

    // A power cut loses what was never flushed: here, every library file (only the journal is trusted).
    for (const file of libraryFiles(library)) rmSync(file);
    const leftBehind = readdirSync(path.join(library, '.incoming')).filter((name) => name.endsWith('.journal'));
    expect(leftBehind.length).toBeGreaterThan(0);

    const db = openIndexDatabase(index);
    const listener = new DicomListener(db, library);
    try {
      await listener.start({ port: 0, aeTitle: 'STUDYSHARE', allowedAeTitles: [], allowedAddresses: [] });
      const indexed = new Set((db.prepare('SELECT sop_instance_uid AS uid FROM instances').all() as { uid: string }[]).map((row) => row.uid));
      for (let n = 0; n < acknowledged; n++) {
        const uid = testUid(731, 1, n + 1);
        expect(indexed.has(uid)).toBe(true);
        const stored = path.join(library, testUid(731), testUid(731, 1), `${uid}.dcm`);
        expect(existsSync(stored)).toBe(true);
        // Whole: the file parses to the end, with the instance's own UID.
        expect(parseInstanceHeader(readFileSync(stored))?.kind).toBe('instance');
      }
      // Replayed once: the journal the crash left is gone, and no temporary file remains.
      const incoming = readdirSync(path.join(library, '.incoming'));
      expect(incoming.filter((name) => leftBehind.includes(name) || name.endsWith('.partial'))).toEqual([]);
    } finally {
      await listener.stop();
      db.close();
    }
    expect(readdirSync(path.join(library, '.incoming'))).toEqual([]);
  }, 120_000);
});
