/**
 * A Writable that puts a received data set into a temporary file and makes it durable: small
 * instances (nearly all) are kept in memory and written with one call; a large one spills to
 * the file as it arrives, so a 2 GB multi-frame costs a megabyte of memory, not two gigabytes.
 * Ending the stream writes what is left of a spilled one; `result` then says whether all the
 * bytes were written, and `syncAndClose` makes them durable. One that never spilled is not
 * written at all: `result` carries its bytes. A write that fails (a full disk) does not throw into the network code: the
 * stream swallows the rest of the data set and `result` carries the error, so the association
 * can answer "out of resources" and go on.
 */
import { promises as fs } from 'node:fs';
import { Writable } from 'node:stream';

/** Kept in memory up to this many bytes before spilling to the file. */
const SPILL_BYTES = 1 << 20;

/** `data`: the whole file, when it stayed in memory (nothing was written to `path`). */
export type SpoolResult = { readonly ok: true; readonly size: number; readonly data?: Buffer } | { readonly ok: false; readonly error: NodeJS.ErrnoException };

export class SpoolFile extends Writable {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private written = 0;
  private handle: fs.FileHandle | null = null;
  private failure: NodeJS.ErrnoException | null = null;
  private settle!: (result: SpoolResult) => void;
  /** Settles once the stream has ended (or was destroyed). Never rejects. */
  readonly result: Promise<SpoolResult>;

  constructor(readonly path: string, header: Buffer) {
    super({ highWaterMark: 4 << 20, autoDestroy: false });
    this.result = new Promise((resolve) => (this.settle = resolve));
    this.chunks.push(header);
    this.buffered = header.length;
    // The network code attaches no error listener: an unhandled 'error' would end the process.
    this.on('error', () => {});
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.failure !== null) return callback();
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered < SPILL_BYTES) return callback();
    this.flushChunks().then(() => callback(), (error: unknown) => this.fail(error, callback));
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.failure !== null) {
      this.settle({ ok: false, error: this.failure });
      return callback();
    }
    if (this.handle === null) {
      // Never spilled: the caller gets the bytes and decides how they reach the disk (the receive journal).
      const data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
      this.chunks = [];
      this.buffered = 0;
      this.settle({ ok: true, size: data.length, data });
      callback();
      return;
    }
    const finish = async (): Promise<void> => {
      await this.flushChunks();
      await this.open();
    };
    finish().then(
      () => {
        this.settle({ ok: true, size: this.written });
        callback();
      },
      (error: unknown) =>
        this.fail(error, () => {
          this.settle({ ok: false, error: this.failure as NodeJS.ErrnoException });
          callback();
        }),
    );
  }

  /**
   * Makes the bytes durable (fdatasync) and closes the file. Called once the file has its
   * final name, side by side with the fsync of its folder, so the two waits overlap.
   */
  async syncAndClose(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    if (handle === null) return;
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const close = this.handle;
    this.handle = null;
    this.chunks = [];
    void (async () => {
      await close?.close().catch(() => undefined);
      await fs.unlink(this.path).catch(() => undefined);
      this.settle({ ok: false, error: Object.assign(new Error('The association ended before the instance was complete.'), { code: 'ECONNRESET' }) });
      callback(error);
    })();
  }

  /** Closes and removes the temporary file (after a refusal; once renamed into place, only closes). */
  async discard(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close().catch(() => undefined);
    await fs.unlink(this.path).catch(() => undefined);
  }

  private async open(): Promise<fs.FileHandle> {
    this.handle ??= await fs.open(this.path, 'w', 0o600);
    return this.handle;
  }

  private async flushChunks(): Promise<void> {
    if (this.chunks.length === 0) return;
    const data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
    this.chunks = [];
    this.buffered = 0;
    const handle = await this.open();
    let offset = 0;
    while (offset < data.length) {
      const { bytesWritten } = await handle.write(data, offset, data.length - offset);
      offset += bytesWritten;
    }
    this.written += data.length;
  }

  private fail(error: unknown, callback: () => void): void {
    this.failure = error as NodeJS.ErrnoException;
    this.chunks = [];
    this.buffered = 0;
    const handle = this.handle;
    this.handle = null;
    void (async () => {
      await handle?.close().catch(() => undefined);
      await fs.unlink(this.path).catch(() => undefined);
      callback();
    })();
  }
}
