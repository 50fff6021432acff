/**
 * A small pool of worker threads that parse DICOM headers for the hub, so that a hostile file
 * (a deflate bomb, a header of millions of elements) costs one worker's time and capped heap and
 * never stalls the event loop that serves everyone else.
 *
 * - At most two workers (the hub's machines have few cores; a header parse is milliseconds),
 *   started on first use and unreferenced, so they never keep a process alive.
 * - Each worker's heap is capped; a task that runs past TASK_TIMEOUT_MS or exhausts the heap
 *   ends its worker (a new one starts for the next task) and is refused as too complex.
 * - Where the worker's code is: next to this module as TypeScript when the hub runs from source
 *   (tsx, the tests: the worker loads tsx's loader first), or as `dicom-worker.mjs` beside the
 *   bundle (scripts/build-hub.mjs writes it for the server, electron.vite.config.ts for the
 *   desktop's embedded hub). A bundle without it parses on the calling thread, within the same
 *   bounds.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { HeaderAnswer, HeaderTask } from './dicom-worker';
import { NotDicomError, readDicomHeader, type DicomHeader } from './parse-header';

const POOL_SIZE = Math.max(1, Math.min(2, availableParallelism()));
/** A bounded header parse takes well under a second; ten means the file is built to be slow. */
export const TASK_TIMEOUT_MS = 10_000;
const RESOURCE_LIMITS = { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 };

type Pending = { readonly task: HeaderTask; resolve(header: DicomHeader | null): void; reject(error: Error): void };

function tooComplex(): NotDicomError {
  return new NotDicomError('The uploaded file’s header is too complex to read within the hub’s limits; nothing was stored.', 'too-complex');
}

/** How to start a worker here, or null to parse on this thread. */
function workerSource(): { readonly code: string | URL; readonly eval: boolean } | null {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const entry = new URL('./dicom-worker.ts', here).href;
    // tsx's ESM API (its package's "./esm/api" import entry), registered in the worker before
    // the entry is imported: a worker does not inherit vitest's transform.
    const api = pathToFileURL(path.join(path.dirname(createRequire(here).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
    const code = `import(${JSON.stringify(api)}).then((tsx) => tsx.register()).then(() => import(${JSON.stringify(entry)}));`;
    return { code, eval: true };
  }
  const bundled = new URL('./dicom-worker.mjs', here);
  return existsSync(fileURLToPath(bundled)) ? { code: bundled, eval: false } : null;
}

class DicomWorkerPool {
  private readonly idle: Worker[] = [];
  private readonly running = new Map<Worker, { pending: Pending; timer: NodeJS.Timeout }>();
  private readonly queue: Pending[] = [];
  private nextId = 1;

  constructor(private readonly source: { readonly code: string | URL; readonly eval: boolean }) {}

  parse(bytes: Uint8Array, complete: boolean, last: boolean): Promise<DicomHeader | null> {
    // A copy of its own, moved (not copied again) to the worker.
    const own = new Uint8Array(bytes);
    return new Promise((resolve, reject) => {
      this.queue.push({ task: { id: this.nextId++, bytes: own, complete, last }, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.running.size < POOL_SIZE ? this.start() : undefined);
      if (worker === undefined) return;
      const pending = this.queue.shift()!;
      const timer = setTimeout(() => this.fail(worker, tooComplex()), TASK_TIMEOUT_MS);
      timer.unref();
      this.running.set(worker, { pending, timer });
      worker.postMessage(pending.task, [pending.task.bytes.buffer as ArrayBuffer]);
    }
  }

  private start(): Worker {
    const worker = new Worker(this.source.code, { eval: this.source.eval, resourceLimits: RESOURCE_LIMITS, stdout: false, stderr: false });
    worker.unref();
    worker.on('message', (answer: HeaderAnswer) => {
      const job = this.running.get(worker);
      if (job === undefined || job.pending.task.id !== answer.id) return;
      clearTimeout(job.timer);
      this.running.delete(worker);
      this.idle.push(worker);
      if ('header' in answer) job.pending.resolve(answer.header);
      else if ('refusal' in answer) job.pending.reject(new NotDicomError(answer.refusal.message, answer.refusal.code));
      else job.pending.reject(new Error(`The DICOM worker failed (${answer.failure}).`));
      this.dispatch();
    });
    // Out of heap (ERR_WORKER_OUT_OF_MEMORY) or any crash: the task is refused, the worker replaced.
    worker.on('error', () => this.fail(worker, tooComplex()));
    worker.on('exit', () => this.fail(worker, tooComplex()));
    return worker;
  }

  private fail(worker: Worker, error: Error): void {
    const idleAt = this.idle.indexOf(worker);
    if (idleAt >= 0) this.idle.splice(idleAt, 1);
    const job = this.running.get(worker);
    this.running.delete(worker);
    void worker.terminate();
    if (job !== undefined) {
      clearTimeout(job.timer);
      job.pending.reject(error);
    }
    this.dispatch();
  }
}

let pool: DicomWorkerPool | null | undefined;

/**
 * readDicomHeader (server/dicom/parse-header.ts) on a worker thread: the header, null when more
 * bytes are needed, or a NotDicomError saying why the file is refused.
 */
export function parseHeaderOffThread(bytes: Uint8Array, complete: boolean, last = complete): Promise<DicomHeader | null> {
  if (pool === undefined) {
    const source = workerSource();
    pool = source === null ? null : new DicomWorkerPool(source);
  }
  if (pool === null) {
    try {
      return Promise.resolve(readDicomHeader(bytes, complete, last));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
  return pool.parse(bytes, complete, last);
}
