/**
 * Writes received instances into the library — a temporary name beside the target, then a
 * rename, as the import's copies are — from one worker thread, in batches.
 *
 * Why a thread and batches (issue 17, session 28): each file through `fs/promises` was four trips
 * to libuv's pool (open, write, close, rename), each a wake-up of a pool thread and of the event
 * loop, plus the promise machinery around them, all on the main thread that also reads the next
 * instance and answers it. Filing was a fifth of an instance's time on the receive path (not
 * filing at all: −20–25 %, rounds from storescu alternating in one process), of which the main
 * thread's share was the wake-ups (futex: 0.11 ms an instance) and the JavaScript (0.15 ms). Here
 * the main thread posts one message per batch of up to BATCH_JOBS files (or after BATCH_WAIT_MS)
 * and the thread makes the calls synchronously. Session 26 tried a thread with one message per
 * instance and it was slower: the batch is what pays.
 *
 * The files are not flushed: the receive journal holds their bytes until its segment retires,
 * which flushes them (receive-journal.ts).
 */
import { Worker } from 'node:worker_threads';

/** Files posted to the thread in one message. */
const BATCH_JOBS = 16;
/** A batch not full after this long goes anyway (the last instances of a study). */
const BATCH_WAIT_MS = 5;

interface Job {
  readonly id: number;
  readonly target: string;
  readonly temporary: string;
  readonly data: Uint8Array;
}

interface Done {
  readonly id: number;
  readonly error?: { readonly message: string; readonly code?: string };
}

/**
 * The thread's code, plain CommonJS in a string (`eval: true`): no bundler (electron-vite for the
 * app, tsx and vitest under Node) rewrites or relocates it, so the same text runs everywhere
 * without a build entry of its own. `library-filer.test.ts` runs it.
 *
 * A folder is made once per thread and again when a write finds it gone (the study was deleted
 * while it arrived). A failed file leaves no temporary behind.
 */
const WORKER_SOURCE = `'use strict';
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const folders = new Set();
function write(job) {
  const folder = path.dirname(job.target);
  if (!folders.has(folder)) {
    fs.mkdirSync(folder, { recursive: true });
    folders.add(folder);
  }
  try {
    fs.writeFileSync(job.temporary, job.data, { mode: 0o600 });
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(job.temporary, job.data, { mode: 0o600 });
  }
}
parentPort.on('message', (jobs) => {
  const done = [];
  for (const job of jobs) {
    try {
      try {
        write(job);
        fs.renameSync(job.temporary, job.target);
      } catch (error) {
        try { fs.rmSync(job.temporary, { force: true }); } catch {}
        throw error;
      }
      done.push({ id: job.id });
    } catch (error) {
      done.push({ id: job.id, error: { message: String((error && error.message) || error), code: error && error.code } });
    }
  }
  parentPort.postMessage(done);
});
`;

/** A file the thread could not write; `code` is the system's (ENOSPC, EACCES…). */
export class FilingError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'FilingError';
  }
}

/** A view that spans all of an ArrayBuffer of its own (not shared, not a pool's slice), which can be moved as it is. */
function ownsItsMemory(data: Uint8Array): boolean {
  return data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.byteLength > 0;
}

/** The thread and the files it was sent and has not answered for. */
interface Thread {
  readonly worker: Worker;
  readonly sent: Set<number>;
}

export class LibraryFiler {
  private current: Thread | null = null;
  private batch: Job[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private nextId = 0;

  /**
   * Writes `data` to `temporary`, then renames it to `target`; resolves once it is there.
   *
   * `handOver`: the caller is done with `data`. Where it is the whole of its own memory (the
   * listener's instances are: one `Buffer.concat` of a Part 10 header and the data set, over the
   * pool's size), that memory is moved to the thread as it is and `data` is left empty (detached)
   * here; otherwise, and without `handOver`, the bytes are copied once into a buffer of their own,
   * which is moved. A clone would copy a view's whole underlying buffer (a PDU's, a journal
   * segment's). The copy was a twentieth of the main thread's time on the receive path (memmove
   * and the page faults of fresh memory, `perf`, session 29).
   */
  file(target: string, temporary: string, data: Uint8Array, options: { readonly handOver?: boolean } = {}): Promise<void> {
    const id = ++this.nextId;
    const bytes = options.handOver === true && ownsItsMemory(data) ? data : new Uint8Array(data);
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.batch.push({ id, target, temporary, data: bytes });
      if (this.batch.length >= BATCH_JOBS) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), BATCH_WAIT_MS);
    });
  }

  /** Sends the waiting files now (a release or a stop is waiting for them). */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.batch.length === 0) return;
    const jobs = this.batch;
    this.batch = [];
    const thread = this.thread();
    for (const job of jobs) thread.sent.add(job.id);
    // Held while it has files to answer for (a promise alone keeps no process alive), let go when idle.
    thread.worker.ref();
    thread.worker.postMessage(jobs, jobs.map((job) => job.data.buffer as ArrayBuffer));
  }

  /** Stops the thread once every file asked for is written or has failed; the next file starts a new one. */
  async close(): Promise<void> {
    this.flush();
    while (this.waiting.size > 0) await new Promise((resolve) => setTimeout(resolve, 2));
    const thread = this.current;
    this.current = null;
    await thread?.worker.terminate();
  }

  private thread(): Thread {
    if (this.current !== null) return this.current;
    const thread: Thread = { worker: new Worker(WORKER_SOURCE, { eval: true }), sent: new Set() };
    thread.worker.on('message', (done: readonly Done[]) => {
      for (const { id, error } of done) {
        const waiter = this.waiting.get(id);
        this.waiting.delete(id);
        thread.sent.delete(id);
        if (error === undefined) waiter?.resolve();
        else waiter?.reject(new FilingError(error.message, error.code));
      }
      // Idle, it must not keep a test run or a script alive.
      if (thread.sent.size === 0) thread.worker.unref();
    });
    const stopped = (reason: string): void => {
      if (this.current === thread) this.current = null;
      // What it was sent and had not answered for is failed (the journal keeps those instances
      // for the next start); files waiting for the next batch go to the next thread.
      for (const id of thread.sent) {
        this.waiting.get(id)?.reject(new FilingError(`The library filing thread stopped: ${reason}`, undefined));
        this.waiting.delete(id);
      }
      thread.sent.clear();
    };
    thread.worker.on('error', (error) => stopped(error.message));
    thread.worker.on('exit', (code) => stopped(`exit code ${code}`));
    this.current = thread;
    return thread;
  }
}
