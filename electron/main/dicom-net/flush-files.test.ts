/**
 * How a retired journal segment's library files are made durable: one syncfs(2) of the library's
 * file system where it can be done (Linux with coreutils' sync), each file and folder flushed on
 * its own otherwise (a `sync` that is missing or fails), and nothing for nothing.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSystemFlusher, flushFiles, syncFileSystem } from './flush-files';

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

describe('FileSystemFlusher', () => {
  it.runIf(process.platform === 'linux')('flushes the file system again and again through one resident shell, and falls back once closed', async () => {
    const flusher = new FileSystemFlusher(root);
    try {
      expect(await flusher.flush()).toBe(true);
      // Requests that arrive together are each answered, in order.
      expect(await Promise.all([flusher.flush(), flusher.flush(), flusher.flush()])).toEqual([true, true, true]);
      const { files, folders } = someFiles();
      expect(await flushFiles(root, files, folders, { flusher })).toBe('file-system');
    } finally {
      flusher.close();
    }
    expect(await flusher.flush()).toBe(false);
  });

  it.runIf(process.platform === 'linux')('says it could not flush when its sync is missing, and flushFiles then flushes each file', async () => {
    const flusher = new FileSystemFlusher(root, { syncCommand: 'studyshare-no-such-sync' });
    try {
      expect(await flusher.flush()).toBe(false);
      const { files, folders } = someFiles();
      expect(await flushFiles(root, files, folders, { flusher })).toBe('each-file');
    } finally {
      flusher.close();
    }
  });

  it.runIf(process.platform === 'linux')('gives up on a sync that does not answer in time, and starts a new shell for the next flush', async () => {
    // Hangs the first time it runs, answers at once after.
    const hanging = path.join(root, 'hanging-sync');
    const marker = path.join(root, 'hung-once');
    writeFileSync(hanging, `#!/bin/sh\n[ -e '${marker}' ] && exit 0\ntouch '${marker}'\nexec sleep 30\n`);
    chmodSync(hanging, 0o755);
    const flusher = new FileSystemFlusher(root, { syncCommand: hanging, timeoutMs: 300 });
    try {
      const started = Date.now();
      expect(await flusher.flush()).toBe(false);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(await flusher.flush()).toBe(true);
    } finally {
      flusher.close();
    }
  });
});
