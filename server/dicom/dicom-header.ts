/**
 * Reads what the hub indexes about an instance (series, instance number, UIDs, image size) from a
 * file's first bytes only, stopping at the Pixel Data tag, so an upload can be placed while it
 * streams to the store and the guest viewer can describe an image without reading its pixels.
 *
 * How much is read is the one bounded reader's rule (server/dicom/bounded-header.ts, which the
 * desktop's import uses too): the first 64 KiB, then doubling while the header runs past what
 * is at hand, up to 16 MiB; a deflated data set inflated to 16 MiB at most. The parsing itself
 * (server/dicom/parse-header.ts) runs on the DICOM worker threads (dicom-workers.ts).
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { FIRST_HEADER_BYTES, MAX_HEADER_BYTES, nextHeaderRead } from './bounded-header';
import { parseHeaderOffThread } from './dicom-workers';
import { NotDicomError, type DicomHeader } from './parse-header';

export { FIRST_HEADER_BYTES, MAX_HEADER_BYTES } from './bounded-header';
export { NotDicomError, type DicomHeader } from './parse-header';

/** The body is longer than the route takes. */
export class UploadTooLargeError extends Error {
  readonly code = 'file-too-large';
  constructor(readonly limit: number) {
    super(`The file is larger than this hub takes (${Math.round(limit / 1024 ** 2)} MiB); nothing was stored.`);
    this.name = 'UploadTooLargeError';
  }
}

export interface HeaderTapOptions {
  /** The most bytes the body may have; past it the stream fails with UploadTooLargeError. */
  readonly maxBytes?: number;
  /** Called with the header as soon as it is read; throwing fails the stream (nothing is stored). */
  readonly check?: (header: DicomHeader) => void;
}

/**
 * A pass-through for an upload that keeps only the header's bytes and reads them as they go by:
 * `header` is set once found. It fails the stream as soon as the bytes cannot be DICOM (or the
 * caller's check refuses them), and at the end if the header never completed or the Pixel Data
 * ends past the last byte, so a store behind it never keeps such a file. While a parse runs on a
 * worker the body waits (backpressure), so at most one parse per upload is in flight.
 */
export class DicomHeaderTap extends Transform {
  header: DicomHeader | null = null;
  private prefix: Buffer[] = [];
  private collected = 0;
  private received = 0;
  private nextTry = 132;

  constructor(private readonly options: HeaderTapOptions = {}) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    if (this.options.maxBytes !== undefined && this.received > this.options.maxBytes) {
      callback(new UploadTooLargeError(this.options.maxBytes));
      return;
    }
    if (this.header !== null) {
      callback(null, chunk);
      return;
    }
    this.prefix.push(chunk);
    this.collected += chunk.length;
    if (this.collected < this.nextTry) {
      callback(null, chunk);
      return;
    }
    const bytes = Buffer.concat(this.prefix);
    this.prefix = [bytes];
    parseHeaderOffThread(bytes, false, this.collected >= MAX_HEADER_BYTES).then(
      (header) => {
        try {
          this.found(header);
        } catch (error) {
          callback(error as Error);
          return;
        }
        // First the marker (a file that is not DICOM is refused after 132 bytes), then 64 KiB, then doubling.
        if (header === null) this.nextTry = nextHeaderRead(this.collected);
        callback(null, chunk);
      },
      (error: unknown) => callback(error as Error),
    );
  }

  override _flush(callback: TransformCallback): void {
    const finish = (header: DicomHeader | null): void => {
      if (header === null) throw new NotDicomError();
      const end = header.pixelDataEnd;
      if (end !== null && end > this.received) throw new NotDicomError('The uploaded file is truncated: its pixel data ends past the end of the file. Nothing was stored.', 'truncated');
    };
    if (this.header !== null) {
      try {
        finish(this.header);
        callback();
      } catch (error) {
        callback(error as Error);
      }
      return;
    }
    const bytes = Buffer.concat(this.prefix);
    this.prefix = [];
    parseHeaderOffThread(bytes, true).then(
      (header) => {
        try {
          this.found(header);
          finish(header);
          callback();
        } catch (error) {
          callback(error as Error);
        }
      },
      (error: unknown) => callback(error as Error),
    );
  }

  private found(header: DicomHeader | null): void {
    if (header === null) return;
    this.header = header;
    this.prefix = [];
    this.options.check?.(header);
  }
}

/** Reads a stored file's header from its stream, reading no further than the header needs. */
export async function readHeaderFromStream(stream: Readable): Promise<DicomHeader> {
  const chunks: Buffer[] = [];
  let collected = 0;
  let nextTry = FIRST_HEADER_BYTES;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      collected += (chunk as Buffer).length;
      if (collected < nextTry) continue;
      const bytes = Buffer.concat(chunks);
      chunks.length = 0;
      chunks.push(bytes);
      const header = await parseHeaderOffThread(bytes, false, collected >= MAX_HEADER_BYTES);
      if (header !== null) return header;
      nextTry = nextHeaderRead(collected);
    }
    const header = await parseHeaderOffThread(Buffer.concat(chunks), true);
    if (header === null) throw new NotDicomError();
    return header;
  } finally {
    // Leaving the loop early (header found) must not leave the store's stream open.
    stream.destroy();
  }
}
