/**
 * The filing thread on a real file system: files land whole under their names through a
 * temporary one, batches and lone files alike; a folder removed meanwhile is made again; a file
 * that cannot be written fails alone, with the system's code, and leaves nothing behind; a thread
 * that dies fails what it held and the next file gets a new one.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FilingError, LibraryFiler } from './library-filer';

const root = mkdtempSync(path.join(tmpdir(), 'studyshare-filer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

/** Every file under a folder, relative to it. */
function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** A filer and an empty library folder for one test; the filer is closed after it. */
async function withFiler(body: (filer: LibraryFiler, library: string) => Promise<void>): Promise<void> {
  const library = path.join(root, `l${++counter}`);
  mkdirSync(library, { recursive: true });
  const filer = new LibraryFiler();
  try {
    await body(filer, library);
  } finally {
    await filer.close();
  }
}

function bytes(n: number, size = 1000): Buffer {
  return Buffer.alloc(size, n % 251);
}

describe('LibraryFiler', () => {
  it('files many instances (several batches) and a lone one, each whole under its name, no temporary left', () =>
    withFiler(async (filer, library) => {
      const targets = Array.from({ length: 40 }, (_, n) => path.join(library, `study${n % 3}`, `series${n % 2}`, `${n}.dcm`));
      await Promise.all(targets.map((target, n) => filer.file(target, `${target}.t${n}.partial`, bytes(n))));
      // One alone: sent at the batch's timer, not held for more.
      const lone = path.join(library, 'study9', 'series0', 'lone.dcm');
      await filer.file(lone, `${lone}.partial`, bytes(99));
      expect(filesUnder(library)).toEqual([...targets, lone].map((target) => path.relative(library, target)).sort());
      for (const [n, target] of targets.entries()) expect(readFileSync(target).equals(bytes(n))).toBe(true);
    }));

  it('writes only the bytes of a view on a larger buffer', () =>
    withFiler(async (filer, library) => {
      const whole = Buffer.from('....instance bytes....', 'latin1');
      const target = path.join(library, 'a', 'view.dcm');
      await filer.file(target, `${target}.partial`, whole.subarray(4, 18));
      expect(readFileSync(target, 'latin1')).toBe('instance bytes');
    }));

  it('moves a handed-over buffer that is all its own memory (left empty here), and copies a handed-over view (left whole)', () =>
    withFiler(async (filer, library) => {
      const own = Buffer.concat([Buffer.from('header:'), bytes(7, 8000)]);
      const expected = Buffer.from(own);
      const movedTarget = path.join(library, 'a', 'moved.dcm');
      const filing = filer.file(movedTarget, `${movedTarget}.partial`, own, { handOver: true });
      filer.flush();
      // Moved to the thread, not cloned: nothing is left of it on this side.
      expect(own.byteLength).toBe(0);
      await filing;
      expect(readFileSync(movedTarget).equals(expected)).toBe(true);

      const whole = Buffer.concat([Buffer.from('....'), bytes(8, 8000)]);
      const view = whole.subarray(4);
      const copiedTarget = path.join(library, 'a', 'copied.dcm');
      await filer.file(copiedTarget, `${copiedTarget}.partial`, view, { handOver: true });
      expect(view.byteLength).toBe(8000);
      expect(readFileSync(copiedTarget).equals(bytes(8, 8000))).toBe(true);
      expect(whole.subarray(0, 4).toString('latin1')).toBe('....');
    }));

  it("makes a series' folder again when it was removed after an earlier file there (the study deleted while it arrives)", () =>
    withFiler(async (filer, library) => {
      const first = path.join(library, 'study', 'series', '1.dcm');
      await filer.file(first, `${first}.partial`, bytes(1));
      rmSync(path.join(library, 'study'), { recursive: true });
      const second = path.join(library, 'study', 'series', '2.dcm');
      await filer.file(second, `${second}.partial`, bytes(2));
      expect(filesUnder(library)).toEqual([path.join('study', 'series', '2.dcm')]);
    }));

  it('fails a file it cannot write with the system code, leaves no temporary, and files the others of its batch', () =>
    withFiler(async (filer, library) => {
      // A file where the study's folder should be: the series' folder cannot be made under it.
      writeFileSync(path.join(library, 'blocked'), 'not a folder');
      const bad = path.join(library, 'blocked', 'series', 'x.dcm');
      const good = path.join(library, 'open', 'series', 'y.dcm');
      const [badResult, goodResult] = await Promise.allSettled([filer.file(bad, `${bad}.partial`, bytes(1)), filer.file(good, `${good}.partial`, bytes(2))]);
      expect(badResult.status).toBe('rejected');
      const error = (badResult as PromiseRejectedResult).reason as FilingError;
      expect(error).toBeInstanceOf(FilingError);
      expect(error.code).toBe('ENOTDIR');
      expect(goodResult.status).toBe('fulfilled');
      expect(filesUnder(library)).toEqual(['blocked', path.join('open', 'series', 'y.dcm')]);
    }));

  it('fails what a thread that died held, and gives the next file a new thread', () =>
    withFiler(async (filer, library) => {
      const first = path.join(library, 's', 'r', 'first.dcm');
      await filer.file(first, `${first}.partial`, bytes(1));
      // Sixteen files of 4 MiB go as one batch; the thread is stopped right after it is sent.
      const held = Array.from({ length: 16 }, (_, n) => path.join(library, 's', 'r', `held${n}.dcm`));
      const holding = held.map((target, n) => filer.file(target, `${target}.partial`, bytes(n, 4 << 20)));
      const thread = (filer as unknown as { current: { worker: { terminate(): Promise<number> } } }).current;
      await thread.worker.terminate();
      const settled = await Promise.allSettled(holding);
      // Each was either written before the stop or failed with the reason; none is left waiting.
      for (const result of settled) {
        if (result.status === 'rejected') expect(String(result.reason)).toMatch(/filing thread stopped/);
      }
      expect(settled.some((result) => result.status === 'rejected')).toBe(true);
      const after = path.join(library, 's', 'r', 'after.dcm');
      await filer.file(after, `${after}.partial`, bytes(3));
      expect(readFileSync(after).equals(bytes(3))).toBe(true);
    }));

  it('keeps a script alive while it files, and lets it end when idle (no close needed)', () => {
    const library = path.join(root, `l${++counter}`);
    const script = path.join(root, `alive-${counter}.mts`);
    const target = path.join(library, 'a', 'b.dcm');
    writeFileSync(
      script,
      [
        `import { LibraryFiler } from ${JSON.stringify(path.join(import.meta.dirname, 'library-filer.ts'))};`,
        `const filer = new LibraryFiler();`,
        `await filer.file(${JSON.stringify(target)}, ${JSON.stringify(`${target}.partial`)}, Buffer.from('filed'));`,
        `console.log('done');`,
      ].join('\n'),
    );
    // A thread held only while it works: the script prints, then ends by itself (the timeout would kill a hung one).
    const out = execFileSync(process.execPath, ['--import', 'tsx', script], { timeout: 30_000 }).toString();
    expect(out.trim()).toBe('done');
    expect(readFileSync(target, 'utf8')).toBe('filed');
  });
});
