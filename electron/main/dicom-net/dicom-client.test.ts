/**
 * Sending (C-STORE SCU) against DCMTK's storescp and our own listener, and the failures a
 * person meets: a node that does not answer, nothing at the address, an instance the node
 * refuses — each with its sentence, the rest of the send going on.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TRANSFER_SYNTAX } from '../../../shared/dicom/transfer-syntax';
import { openIndexDatabase } from '../db/connection';
import { testUid, writeInstance } from '../dicom-write/synthetic-study';
import { freePort } from '../net/free-port';
import { DicomNetError, echo, storeFiles } from './dicom-client';
import { DicomListener } from './dicom-listener';
import { hasDcmtkNetworkTools, startTool, waitForPort } from './test-support/dcmtk';

const available = hasDcmtkNetworkTools();
const hasGdcm = (() => {
  try {
    execFileSync('gdcmconv', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const root = mkdtempSync(path.join(tmpdir(), 'studyshare-scu-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const client = { callingAeTitle: 'STUDYSHARE', connectTimeoutMs: 1500 };

function writeFiles(folder: string, study: number, count: number): string[] {
  mkdirSync(folder, { recursive: true });
  return Array.from({ length: count }, (_, i) => {
    const file = path.join(folder, `${i}.dcm`);
    writeFileSync(file, writeInstance({ studyInstanceUid: testUid(810, study), seriesInstanceUid: testUid(810, study, 1), sopInstanceUid: testUid(810, study, 1, i + 1), instanceNumber: i + 1, rows: 64, columns: 64 }));
    return file;
  });
}

/** A real JPEG 2000 file (gdcmconv encodes it), so decompressing for the peer is real too. */
function jpeg2000File(folder: string): string {
  const raw = path.join(folder, 'raw.dcm');
  const j2k = path.join(folder, 'j2k.dcm');
  writeFileSync(raw, writeInstance({ studyInstanceUid: testUid(811), seriesInstanceUid: testUid(811, 1), sopInstanceUid: testUid(811, 1, 1), rows: 64, columns: 64 }));
  execFileSync('gdcmconv', ['--j2k', raw, j2k]);
  return j2k;
}

async function withStorescp<T>(args: readonly string[], run: (port: number, folder: string) => Promise<T>): Promise<T> {
  const port = await freePort();
  const folder = mkdtempSync(path.join(root, 'storescp-'));
  const child = startTool('storescp', ['-aet', 'PACS', '-od', folder, ...args, String(port)]);
  try {
    await waitForPort(port);
    return await run(port, folder);
  } finally {
    child.kill('SIGTERM');
  }
}

function syntaxOf(file: string): string {
  return /\[([0-9.]+)\]/.exec(execFileSync('dcmdump', ['-M', '-Un', '+P', '0002,0010', file]).toString())?.[1] ?? '';
}

describe.skipIf(!available)('sending to a PACS', () => {
  it('sends a study to storescp, each instance confirmed', async () => {
    const files = writeFiles(path.join(root, 'plain'), 1, 20);
    await withStorescp([], async (port, folder) => {
      const seen: string[] = [];
      const results = await storeFiles({ aeTitle: 'PACS', host: '127.0.0.1', port }, files, { ...client, onResult: (r) => seen.push(r.outcome) });
      expect(results.map((r) => r.outcome)).toEqual(Array(20).fill('sent'));
      expect(seen).toHaveLength(20);
      expect(readdirSync(folder)).toHaveLength(20);
      // The data set arrives byte for byte (sent as the file holds it, not re-encoded).
      const dataSet = (file: string) => execFileSync('dcmdump', ['+L', '-Un', file]).toString().split('\n').filter((line) => !line.startsWith('(0002') && !line.startsWith('#')).join('\n');
      const received = readdirSync(folder).map((name) => path.join(folder, name));
      const first = received.find((file) => dataSet(file).includes(testUid(810, 1, 1, 1) + ']'));
      expect(first).toBeDefined();
      expect(dataSet(first as string)).toBe(dataSet(files[0]));
    });
  });

  it('sends implicit and explicit little-endian files each in its own syntax, none re-encoded', async () => {
    const folder = path.join(root, 'mixed-le');
    mkdirSync(folder, { recursive: true });
    const files = [TRANSFER_SYNTAX.implicitLittleEndian, TRANSFER_SYNTAX.explicitLittleEndian, TRANSFER_SYNTAX.implicitLittleEndian].map((syntax, i) => {
      const file = path.join(folder, `${i}.dcm`);
      writeFileSync(file, writeInstance({ studyInstanceUid: testUid(812), seriesInstanceUid: testUid(812, 1), sopInstanceUid: testUid(812, 1, i + 1), instanceNumber: i + 1, rows: 64, columns: 64 }, { transferSyntaxUid: syntax }));
      return file;
    });
    // storescp takes both little-endian syntaxes, and picks explicit for a context offering both:
    // without a context of its own, the implicit files were parsed and encoded again as explicit.
    await withStorescp([], async (port, received) => {
      const results = await storeFiles({ aeTitle: 'PACS', host: '127.0.0.1', port }, files, client);
      expect(results.map((r) => r.outcome)).toEqual(['sent', 'sent', 'sent']);
      const stored = readdirSync(received).map((name) => path.join(received, name));
      const syntaxFor = (uid: string): string => syntaxOf(stored.find((file) => execFileSync('dcmdump', ['-Un', '+P', '0008,0018', file]).toString().includes(uid)) as string);
      expect([1, 2, 3].map((n) => syntaxFor(testUid(812, 1, n)))).toEqual([TRANSFER_SYNTAX.implicitLittleEndian, TRANSFER_SYNTAX.explicitLittleEndian, TRANSFER_SYNTAX.implicitLittleEndian]);
    });
  });

  it.skipIf(!hasGdcm)('sends JPEG 2000 as it is to a node that takes it, and decompressed to one that takes only uncompressed', async () => {
    const folder = path.join(root, 'j2k');
    mkdirSync(folder, { recursive: true });
    const j2k = jpeg2000File(folder);
    await withStorescp(['+xv'], async (port, received) => {
      const [result] = await storeFiles({ aeTitle: 'PACS', host: '127.0.0.1', port }, [j2k], client);
      expect(result.outcome).toBe('sent');
      expect(syntaxOf(path.join(received, readdirSync(received)[0]))).toBe(TRANSFER_SYNTAX.jpeg2000Lossless);
    });
    // storescp's default accepts only uncompressed syntaxes: the file goes decompressed.
    await withStorescp([], async (port, received) => {
      const [result] = await storeFiles({ aeTitle: 'PACS', host: '127.0.0.1', port }, [j2k], client);
      expect(result.outcome).toBe('sent');
      const stored = path.join(received, readdirSync(received)[0]);
      expect([TRANSFER_SYNTAX.explicitLittleEndian, TRANSFER_SYNTAX.implicitLittleEndian]).toContain(syntaxOf(stored));
      // The decompressed pixels are the original ones (lossless).
      expect(execFileSync('dcmdump', ['+P', '7fe0,0010', stored]).toString()).toMatch(/PixelData/);
    });
  }, 60_000);

  it('reports per instance what the node refused, and a retry of the refused ones', async () => {
    const dir = mkdtempSync(path.join(root, 'own-'));
    const db = openIndexDatabase(path.join(dir, 'index.sqlite'));
    const listener = new DicomListener(db, path.join(dir, 'library'));
    const port = await listener.start({ port: 0, aeTitle: 'PEER', allowedAeTitles: [], allowedAddresses: [] });
    try {
      const files = writeFiles(path.join(dir, 'send'), 2, 3);
      const bad = path.join(dir, 'send', 'bad.dcm');
      writeFileSync(bad, writeInstance({ studyInstanceUid: 'not a uid', seriesInstanceUid: testUid(810, 2, 9), sopInstanceUid: testUid(810, 2, 9, 1) }));
      const notDicom = path.join(dir, 'send', 'notes.txt');
      writeFileSync(notDicom, 'not an image');
      const results = await storeFiles({ aeTitle: 'PEER', host: '127.0.0.1', port }, [files[0], bad, notDicom, files[1], files[2]], client);
      expect(results.map((r) => r.outcome)).toEqual(['sent', 'failed', 'failed', 'sent', 'sent']);
      expect(results[1].reason).toMatch(/could not understand/);
      expect(results[2].reason).toMatch(/could not be read as DICOM/);
      const retried = await storeFiles({ aeTitle: 'PEER', host: '127.0.0.1', port }, [bad], client);
      expect(retried[0].outcome).toBe('failed');
    } finally {
      await listener.stop();
      db.close();
    }
  });
});

describe('a node that does not answer', () => {
  it('times out with a sentence when the node accepts the connection but never answers', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = performance.now();
      const error = await echo({ aeTitle: 'SILENT', host: '127.0.0.1', port }, client).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DicomNetError);
      expect(error).toMatchObject({ code: 'timeout', message: expect.stringMatching(/SILENT at 127\.0\.0\.1:\d+ did not answer within 2 s/) });
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it('says nothing answers at an address where nothing listens', async () => {
    const port = await freePort();
    await expect(echo({ aeTitle: 'GONE', host: '127.0.0.1', port }, client)).rejects.toMatchObject({ code: 'unreachable', message: expect.stringMatching(/Nothing answers at 127\.0\.0\.1/) });
  });
});
