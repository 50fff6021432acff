import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterAll, describe, expect, it } from 'vitest';
import { zipStream } from './zip-stream';

describe('zipStream', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-zip-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes an archive that another implementation (Python’s zipfile) reads back intact', async () => {
    writeFileSync(path.join(dir, 'a.dcm'), Buffer.from('first file'));
    writeFileSync(path.join(dir, 'b.dcm'), Buffer.alloc(100_000, 7));
    const archive = path.join(dir, 'out.zip');
    writeFileSync(archive, await buffer(zipStream([{ name: 'Study/1-1.dcm', file: path.join(dir, 'a.dcm') }, { name: 'Study/Série 2/1.dcm', file: path.join(dir, 'b.dcm') }], new Date(2026, 10, 24, 10, 30))));
    const listing = execFileSync('python3', [
      '-c',
      'import sys, zipfile, hashlib\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nfor i in z.infolist(): print(i.filename, i.file_size, hashlib.sha256(z.read(i)).hexdigest()[:8], i.date_time)',
      archive,
    ]).toString();
    expect(listing.trim().split('\n')).toEqual([
      'Study/1-1.dcm 10 bf41cf94 (2026, 11, 24, 10, 30, 0)',
      expect.stringMatching(/^Study\/Série 2\/1\.dcm 100000 [0-9a-f]{8} \(2026, 11, 24, 10, 30, 0\)$/),
    ]);
  });
});
