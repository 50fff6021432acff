/**
 * Makes many files (and their folders' entries) durable at once, for the receive journal's
 * retirement: a segment's ~1,000 library files must be on the disk before the segment is reused.
 *
 * Why not one fdatasync per file: each is its own disk cache flush, and on a virtual disk a flush
 * is a round trip to the host. A retirement then put ~1,000 flushes in the disk's queue while the
 * listener's journal waited behind them for its own, one per instance acknowledged: measured
 * (storescu → listener, 3,000 instances, load 11) a journal write took a median 3.0 ms during a
 * retirement against 1.1 ms outside one, and retirements covered a fifth of the receive.
 *
 * On Linux one `syncfs(2)` does it: every dirty file of the library's file system is written and
 * the file system's journal committed, with one flush. Node has no binding for it; coreutils'
 * `sync --file-system` is that one call (exit status non-zero when a write-back error was
 * recorded, since Linux 5.8). Where that is not available (Windows, macOS, a failure), each file
 * is flushed on its own, eight at a time, then each folder, as before.
 */
import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { promises as fs } from 'node:fs';

/** fsync a folder (a new or renamed entry in it becomes durable). Not possible on Windows: skipped there. */
export async function syncFolder(folder: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncFile(file: string): Promise<void> {
  const handle = await fs.open(file, 'r');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

async function inBatches<T>(items: readonly T[], run: (item: T) => Promise<void>, width = 8): Promise<void> {
  for (let start = 0; start < items.length; start += width) await Promise.all(items.slice(start, start + width).map(run));
}

/** A syncfs that has not answered in this long is taken as failed (the caller flushes each file). */
const SYNC_TIMEOUT_MS = 120_000;

/** One syncfs(2) of the file system holding `anyPath`; false when it could not be done here. */
export function syncFileSystem(anyPath: string, command = 'sync'): Promise<boolean> {
  if (process.platform !== 'linux') return Promise.resolve(false);
  return new Promise((resolve) => {
    execFile(command, ['--file-system', anyPath], { timeout: SYNC_TIMEOUT_MS, windowsHide: true }, (error) => resolve(error === null));
  });
}

/**
 * syncfs(2) of one file system, again and again, without starting a process from ours each
 * time: a small shell started once runs `sync --file-system` per request line and answers with
 * its exit status. Starting `sync` from the app's own process (a fork of a process of a few
 * hundred megabytes) held the event loop 15–46 ms per journal retirement while instances were
 * arriving (measured, storescu → listener); the shell's fork of itself is a fraction of a
 * millisecond, off our thread. The shell is started on the first flush and ended by `close`; it
 * never keeps the app alive. Where it cannot run (not Linux, it died, no answer in time) a flush
 * says false, as `syncFileSystem` does, and the caller flushes each file.
 */
export class FileSystemFlusher {
  private shell: ChildProcessByStdio<Writable, Readable, null> | null = null;
  private readonly waiting: { readonly resolve: (ok: boolean) => void; readonly timer: NodeJS.Timeout }[] = [];
  private closed = false;

  private readonly command: string;
  private readonly timeoutMs: number;

  constructor(
    private readonly anyPath: string,
    /** Tests only: another `sync`, and how long to wait for it. */
    options: { readonly syncCommand?: string; readonly timeoutMs?: number } = {},
  ) {
    this.command = options.syncCommand ?? 'sync';
    this.timeoutMs = options.timeoutMs ?? SYNC_TIMEOUT_MS;
  }

  /** One syncfs of the file system holding the path given; true once it is done without error. */
  flush(): Promise<boolean> {
    if (process.platform !== 'linux' || this.closed) return Promise.resolve(false);
    const shell = this.start();
    if (shell === null) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.stop(), this.timeoutMs);
      timer.unref();
      this.waiting.push({ resolve, timer });
      shell.stdin.write('\n');
    });
  }

  close(): void {
    this.closed = true;
    this.stop();
  }

  private start(): ChildProcessByStdio<Writable, Readable, null> | null {
    if (this.shell !== null) return this.shell;
    let shell: ChildProcessByStdio<Writable, Readable, null>;
    try {
      // The command and the path are arguments ($1, $2), never part of the script's text.
      shell = spawn('sh', ['-c', 'while read -r _; do "$1" --file-system -- "$2" >/dev/null 2>&1; echo "$?"; done', 'studyshare-flush', this.command, this.anyPath], {
        stdio: ['pipe', 'pipe', 'ignore'],
        windowsHide: true,
      });
    } catch {
      return null;
    }
    this.shell = shell;
    createInterface({ input: shell.stdout }).on('line', (status) => {
      const next = this.waiting.shift();
      if (next === undefined) return;
      clearTimeout(next.timer);
      next.resolve(status.trim() === '0');
    });
    // Gone (killed, or could not start): what waits is answered false; the next flush starts another.
    const gone = (): void => {
      if (this.shell === shell) this.shell = null;
      for (const { resolve, timer } of this.waiting.splice(0)) {
        clearTimeout(timer);
        resolve(false);
      }
    };
    shell.on('exit', gone);
    shell.on('error', gone);
    shell.stdin.on('error', () => undefined);
    shell.unref();
    // The pipes are sockets (child_process makes them so); unreferenced too, or they would hold the app open.
    (shell.stdin as unknown as Socket).unref();
    (shell.stdout as unknown as Socket).unref();
    return shell;
  }

  private stop(): void {
    const shell = this.shell;
    if (shell === null) return;
    shell.stdin.end();
    shell.kill();
  }
}

export type FlushWay = 'nothing' | 'file-system' | 'each-file';

/**
 * Every file in `files` and the folders in `folders` durable; says which way it was done.
 * `root` is a folder on the same file system (the library).
 */
export async function flushFiles(
  root: string,
  files: readonly string[],
  folders: readonly string[],
  options: { readonly syncCommand?: string; readonly flusher?: FileSystemFlusher } = {},
): Promise<FlushWay> {
  if (files.length === 0 && folders.length === 0) return 'nothing';
  if (await (options.flusher?.flush() ?? syncFileSystem(root, options.syncCommand))) return 'file-system';
  await inBatches(files, syncFile);
  await inBatches([...new Set(folders)], syncFolder);
  return 'each-file';
}
