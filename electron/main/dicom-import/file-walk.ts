/** Lists the files under the paths a user chose, depth first, in a stable (sorted) order. */
import { opendir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface WalkResult {
  readonly files: readonly string[];
  /** Paths that could not be listed, with why (e.g. a folder without read permission). */
  readonly unreadable: readonly { path: string; error: NodeJS.ErrnoException }[];
}

export async function listFiles(roots: readonly string[], signal?: AbortSignal): Promise<WalkResult> {
  const files: string[] = [];
  const unreadable: { path: string; error: NodeJS.ErrnoException }[] = [];

  async function visit(folder: string): Promise<void> {
    if (signal?.aborted) return;
    const entries: { name: string; isDirectory: boolean; isFile: boolean }[] = [];
    try {
      for await (const entry of await opendir(folder)) {
        entries.push({ name: entry.name, isDirectory: entry.isDirectory(), isFile: entry.isFile() });
      }
    } catch (error) {
      unreadable.push({ path: folder, error: error as NodeJS.ErrnoException });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      // Symbolic links are not followed: a link back up the tree would never end.
      if (entry.isDirectory) await visit(full);
      else if (entry.isFile) files.push(full);
    }
  }

  for (const root of roots) {
    const absolute = path.resolve(root);
    try {
      const info = await stat(absolute);
      if (info.isDirectory()) await visit(absolute);
      else files.push(absolute);
    } catch (error) {
      unreadable.push({ path: absolute, error: error as NodeJS.ErrnoException });
    }
  }
  return { files, unreadable };
}
