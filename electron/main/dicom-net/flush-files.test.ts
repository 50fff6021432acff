/**
 * How a retired journal segment's library files are made durable: one syncfs(2) of the library's
 * file system where it can be done (Linux with coreutils' sync), each file and folder flushed on
 * its own otherwise (a `sync` that is missing or fails), and nothing for nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { flushFiles, syncFileSystem } from './flush-files';

const root = mkdtempSync(path.join(tmpdir(), 'studyshare-flush-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function someFiles(): { files: string[]; folders: string[] } {
  const folder = path.join(root, `study-${Math.random().toString(36).slice(2)}`, 'series');
  mkdirSync(folder, { recursive: true });
  const files = [1, 2, 3].map((n) => path.join(folder, `${n}.dcm`));
  for (const file of files) writeFileSync(file, Buffer.alloc(1000, 1));
  return { files, folders: [folder, path.dirname(folder)] };
}

describe('flushFiles', () => {
  it.runIf(process.platform === 'linux')('flushes the whole file system in one call on Linux', async () => {
    const { files, folders } = someFiles();
    expect(await syncFileSystem(root)).toBe(true);
    expect(await flushFiles(root, files, folders)).toBe('file-system');
  });

  it('flushes each file and folder when the file system cannot be flushed at once', async () => {
    const { files, folders } = someFiles();
    expect(await syncFileSystem(root, 'studyshare-no-such-sync')).toBe(false);
    expect(await flushFiles(root, files, folders, { syncCommand: 'studyshare-no-such-sync' })).toBe('each-file');
  });

  it('fails, rather than claiming durability, when a file to flush each on its own is gone', async () => {
    const { files, folders } = someFiles();
    rmSync(files[1]);
    await expect(flushFiles(root, files, folders, { syncCommand: 'studyshare-no-such-sync' })).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('does nothing for no files', async () => {
    expect(await flushFiles(root, [], [])).toBe('nothing');
  });
});
