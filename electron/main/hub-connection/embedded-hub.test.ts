/**
 * The hub inside the app refuses to start on a folder it cannot write, with the same one
 * sentence as a server hub (server/config/start-checks.ts), and starts once it can.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedHub } from './embedded-hub';

// A read-only file system is a tmpfs mounted so: root only (CI and this machine).
describe.skipIf(process.platform !== 'linux' || process.getuid?.() !== 0)('the embedded hub on storage it cannot write', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'studyshare-embedded-ro-'));
  const blobs = path.join(folder, 'blobs');
  afterAll(() => {
    execFileSync('umount', ['-l', blobs]);
    rmSync(folder, { recursive: true, force: true });
  });

  it('refuses with one sentence naming the folder and why, and starts once it is writable', async () => {
    mkdirSync(blobs);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,ro', 'tmpfs', blobs]);
    await expect(EmbeddedHub.start({ folder, lan: false, publicUrl: null })).rejects.toThrow(
      `cannot write study files to ${blobs} (EROFS); the hub needs storage it can write. Check its owner, permissions and free space.`,
    );
    execFileSync('mount', ['-o', 'remount,rw', blobs]);
    const hub = await EmbeddedHub.start({ folder, lan: false, publicUrl: null });
    expect(await hub.needsSetup()).toBe(true);
    await hub.close();
  });
});
