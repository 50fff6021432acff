/**
 * Guest zips from the blob store, checked by two other implementations: Info-ZIP's `unzip -t`
 * and Python's zipfile. Past 65,535 entries the archive needs zip64 (the classic end record
 * counts entries in 16 bits); the case is made cheap by pointing every entry at one tiny blob.
 * The other zip64 trigger, an archive over 4 GiB, takes minutes to write and test, so it is a
 * bench: `npm run bench:zip64`.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { folderBlobStore } from '../blobs/folder-blob-store';
import { s3BlobStore } from '../blobs/s3-blob-store';
import { startTestS3Server } from '../test-support/s3-server';
import { studyZip } from './study-zip';

const PYTHON_LIST = [
  '-c',
  'import sys, zipfile, hashlib\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nfor i in z.infolist(): print(i.filename, i.file_size, hashlib.sha256(z.read(i)).hexdigest()[:8], i.date_time)',
];
const PYTHON_COUNT = ['-c', 'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(len(z.infolist()), sum(i.file_size for i in z.infolist()))'];

describe('study zips', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-zip-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes an archive from the folder store and from S3 that Python’s zipfile and unzip read back intact', async () => {
    const server = await startTestS3Server();
    const s3 = s3BlobStore({ bucket: server.bucket, prefix: '' }, server.clientConfig);
    try {
      for (const [name, store] of [['folder', folderBlobStore(path.join(dir, 'blobs'))], ['s3', s3]] as const) {
        await store.put('study/a.dcm', Readable.from([Buffer.from('first file')]));
        await store.put('study/b.dcm', Readable.from([Buffer.alloc(100_000, 7)]));
        const archive = path.join(dir, `${name}.zip`);
        const entries = [
          { name: 'Study/1-1.dcm', key: 'study/a.dcm', size: 10 },
          { name: 'Study/Série 2/1.dcm', key: 'study/b.dcm', size: 100_000 },
        ];
        await pipeline(studyZip(store, entries, new Date(2026, 10, 24, 10, 30)), createWriteStream(archive));
        expect(execFileSync('python3', [...PYTHON_LIST, archive]).toString().trim().split('\n')).toEqual([
          'Study/1-1.dcm 10 bf41cf94 (2026, 11, 24, 10, 30, 0)',
          expect.stringMatching(/^Study\/Série 2\/1\.dcm 100000 [0-9a-f]{8} \(2026, 11, 24, 10, 30, 0\)$/),
        ]);
        expect(execFileSync('unzip', ['-t', archive]).toString()).toContain('No errors detected');
      }
    } finally {
      s3.client.destroy();
      await server.close();
    }
  });

  it('closes the blob being copied when the download is cut, and opens no other', async () => {
    const folder = folderBlobStore(path.join(dir, 'blobs'));
    await folder.put('cut/a.dcm', Readable.from([Buffer.alloc(4 * 1024 * 1024, 1)]));
    await folder.put('cut/b.dcm', Readable.from([Buffer.alloc(10, 2)]));
    // The real folder store, watched: which blob streams it handed out, and whether each was closed.
    const opened: Readable[] = [];
    const watched = { ...folder, get: async (key: string) => {
      const stream = await folder.get(key);
      opened.push(stream);
      return stream;
    } };
    const output = studyZip(watched, [{ name: 'a.dcm', key: 'cut/a.dcm', size: 4 * 1024 * 1024 }, { name: 'b.dcm', key: 'cut/b.dcm', size: 10 }], new Date());
    // Read a little, as a guest whose connection then drops.
    await new Promise<void>((resolve) => output.once('data', () => resolve()));
    output.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(opened).toHaveLength(1);
    expect(opened[0].destroyed).toBe(true);
  });

  it('writes zip64 past 65,535 entries, and both readers list every one', { timeout: 120_000 }, async () => {
    const store = folderBlobStore(path.join(dir, 'blobs'));
    await store.put('many/one.dcm', Readable.from([Buffer.from('tiny')]));
    const count = 65_536 + 100;
    const entries = Array.from({ length: count }, (_, i) => ({ name: `Study/${i}.dcm`, key: 'many/one.dcm', size: 4 }));
    const archive = path.join(dir, 'many.zip');
    await pipeline(studyZip(store, entries, new Date()), createWriteStream(archive));
    expect(execFileSync('python3', [...PYTHON_COUNT, archive]).toString().trim()).toBe(`${count} ${count * 4}`);
    const tested = execFileSync('unzip', ['-tq', archive]).toString();
    expect(tested).toContain('No errors detected');
  });

  it('fails the download rather than leave a file out when a blob is missing', async () => {
    const store = folderBlobStore(path.join(dir, 'blobs'));
    const zip = studyZip(store, [{ name: 'gone.dcm', key: 'missing/gone.dcm', size: 1 }], new Date());
    await expect(pipeline(zip, createWriteStream(path.join(dir, 'broken.zip')))).rejects.toThrow('No blob is stored under missing/gone.dcm');
  });
});
