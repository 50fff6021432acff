/**
 * The blob store in a local folder (the hub's default, `<data>/blobs`): a blob streams into
 * `<key>.<random>.partial` beside its final place and is renamed onto its key once complete and
 * checked. A rename within one folder is atomic, so a reader sees the old blob or the new one,
 * never half of either; a crash leaves only `.partial` files, which sweepPartial removes.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertBlobKey, BlobNotFoundError, measuringStream, type BlobFacts, type BlobStore, type ByteRange, type PutOptions } from './blob-store';

export function folderBlobStore(root: string): BlobStore {
  const where = (key: string): string => {
    assertBlobKey(key);
    return path.join(root, ...key.split('/'));
  };
  return {
    kind: 'folder',

    async put(key: string, body: Readable, options: PutOptions = {}): Promise<BlobFacts> {
      const target = where(key);
      await mkdir(path.dirname(target), { recursive: true, mode: 0o700 }).catch(async (error: NodeJS.ErrnoException) => {
        // Node's recursive mkdir answers ENOENT for a folder it may not create on a read-only
        // disk: asked once without recursion, it gives the real reason (EROFS, EACCES), which
        // the hub reports as its storage not being writable rather than as a lost file.
        if (error.code !== 'ENOENT') throw error;
        await mkdir(path.dirname(target), { mode: 0o700 });
      });
      const partial = `${target}.${randomUUID()}.partial`;
      const measured = measuringStream(options);
      const file = createWriteStream(partial, { flags: 'wx', mode: 0o600 });
      try {
        await pipeline(body, measured.stream, file);
        await rename(partial, target);
      } catch (error) {
        // A body refused in its first bytes can fail the pipeline before the file's open has
        // finished; the open still creates it. Removed only once the stream has closed, so no
        // partial is left behind by a refusal that answered first.
        if (!file.closed) await once(file, 'close').catch(() => undefined);
        await rm(partial, { force: true });
        throw error;
      }
      return measured.facts();
    },

    async get(key: string, range?: ByteRange): Promise<Readable> {
      // Opened first, so that a missing blob is an error here rather than on the stream later.
      let handle;
      try {
        handle = await open(where(key), 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(key);
        throw error;
      }
      return handle.createReadStream(range === undefined ? {} : { start: range.start, end: range.end });
    },

    async head(key: string): Promise<{ size: number } | null> {
      const info = await stat(where(key)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null;
        throw error;
      });
      return info === null || !info.isFile() ? null : { size: info.size };
    },

    async delete(key: string): Promise<void> {
      await rm(where(key), { force: true });
    },

    async sweepPartial(olderThan: Date): Promise<number> {
      let removed = 0;
      let entries: string[];
      try {
        entries = await readdir(root, { recursive: true });
      } catch {
        return 0;
      }
      for (const entry of entries) {
        if (!entry.endsWith('.partial')) continue;
        const full = path.join(root, entry);
        const info = await stat(full).catch(() => null);
        // An upload in progress writes continuously, so its file is always fresh.
        if (info !== null && info.mtimeMs < olderThan.getTime()) {
          await rm(full, { force: true });
          removed++;
        }
      }
      return removed;
    },

    async check(): Promise<void> {
      // A real write, not access(W_OK): root passes permission checks, and a full disk, a
      // read-only mount or a path that is no longer a folder only show when writing.
      const probe = path.join(root, `.ready-${randomUUID()}`);
      await writeFile(probe, '');
      await rm(probe, { force: true });
    },
  };
}
