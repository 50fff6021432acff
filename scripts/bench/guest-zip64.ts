/**
 * bench:zip64 — a guest zip over 4 GiB (the zip64 case too slow for the unit tests): 66 entries
 * that all point at one 64 MiB blob in a folder store, written by the same studyZip the guest
 * download uses, then checked by `unzip -t` and Python's zipfile. Needs about 4.3 GB of free
 * space in the temp folder for the archive; prints the times and removes everything.
 *
 *   npm run bench:zip64
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { folderBlobStore } from '../../server/blobs/folder-blob-store';
import { studyZip } from '../../server/guest-links/study-zip';
import { largeDicomStream } from '../../server/test-support/large-dicom';

const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-zip64-'));
try {
  const store = folderBlobStore(path.join(dir, 'blobs'));
  const blob = largeDicomStream(64 * 1024 * 1024);
  const { size } = await store.put('big/one.dcm', blob.stream);
  const entries = Array.from({ length: 66 }, (_, i) => ({ name: `Study/${i}.dcm`, key: 'big/one.dcm', size }));
  const archive = path.join(dir, 'study.zip');
  let started = Date.now();
  await pipeline(studyZip(store, entries, new Date()), createWriteStream(archive));
  console.log(`wrote ${(statSync(archive).size / 2 ** 30).toFixed(2)} GiB in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  started = Date.now();
  const tested = execFileSync('unzip', ['-tq', archive]).toString().trim();
  console.log(`unzip -t: ${tested} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  started = Date.now();
  const python = execFileSync('python3', ['-c', 'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(len(z.infolist()), "entries,", sum(i.file_size for i in z.infolist()), "bytes, all CRCs right")', archive]).toString().trim();
  console.log(`Python zipfile: ${python} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
