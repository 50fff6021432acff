/**
 * An idle timeout for hub requests: the request is aborted when nothing has moved for a while —
 * no answer to the connection, no byte of the body taken by the socket, no byte of the answer
 * received — rather than after a fixed total time. A 23 MB instance over a 600 KB/s link takes
 * 40 s and keeps moving the whole time; a frozen hub moves nothing and is given up on after the
 * timeout, whatever the size.
 */
import { createReadStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';

export class IdleTimeout {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly ms: number) {
    this.touch();
  }

  /** Something moved: the wait starts again. */
  touch(): void {
    if (this.controller.signal.aborted) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.controller.abort(new Error(`Nothing moved for ${this.ms} ms.`)), this.ms);
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Whether the wait ran out (the request was aborted for it). */
  get fired(): boolean {
    return this.controller.signal.aborted;
  }

  /** The request is over: no more waiting. */
  done(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

/**
 * A file (or a byte range of it) as a request body that touches the timeout with every chunk the
 * request takes: fetch pulls the next chunk only when the socket has taken the last, so a stalled
 * link stops the touching. `onBytes` counts what was handed over (the bench's bytes sent).
 */
export function fileBody(filePath: string, options: { touch: () => void; onBytes?: (n: number) => void; start?: number; end?: number }): ReadableStream {
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      options.touch();
      options.onBytes?.(chunk.length);
      callback(null, chunk);
    },
  });
  const source = createReadStream(filePath, { start: options.start, end: options.end, highWaterMark: 64 * 1024 });
  source.on('error', (error) => counted.destroy(error));
  return Readable.toWeb(source.pipe(counted)) as ReadableStream;
}

/** An answer's body as text, touching the timeout with every chunk received. */
export async function readText(response: Response, idle: IdleTimeout): Promise<string> {
  if (response.body === null) return '';
  const decoder = new TextDecoder();
  let text = '';
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const next = (await reader.read()) as { done: boolean; value?: Uint8Array };
    if (next.done || next.value === undefined) break;
    idle.touch();
    text += decoder.decode(next.value, { stream: true });
  }
  return text + decoder.decode();
}

/** An answer's body as bytes, touching the timeout with every chunk received. */
export async function readBytes(response: Response, idle: IdleTimeout): Promise<Uint8Array> {
  if (response.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const next = (await reader.read()) as { done: boolean; value?: Uint8Array };
    if (next.done || next.value === undefined) break;
    idle.touch();
    chunks.push(next.value);
    size += next.value.length;
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}
