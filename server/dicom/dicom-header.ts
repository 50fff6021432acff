/**
 * Reads what the hub indexes about an instance (series, instance number, image size) from a
 * file's first bytes only, stopping at the Pixel Data tag, so an upload can be placed while it
 * streams to the store and the guest viewer can describe an image without reading its pixels.
 *
 * Like the desktop's bounded reader (electron/main/dicom-import/instance-header.ts), it looks at
 * the first 64 KiB and reads further only while the header runs past what it has, doubling up to
 * 16 MiB. It is mirrored here rather than imported because the hub does not depend on the
 * desktop's modules, and because the hub's rule differs: it needs a Part 10 file (as the
 * uploader sends) but no particular UIDs in it.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { constants as zlibConstants, inflateRawSync } from 'node:zlib';
import { createRequire } from 'node:module';
import type * as DicomParser from 'dicom-parser';
import { TRANSFER_SYNTAX } from '../../shared/dicom/transfer-syntax';
import { describeImage, type DicomImage } from './dicom-image';

const dicomParser = createRequire(import.meta.url)('dicom-parser') as typeof DicomParser;

const PIXEL_DATA = 'x7fe00010';
/** The first read: any ordinary header fits, so one parse usually settles it. */
export const FIRST_HEADER_BYTES = 64 * 1024;
/**
 * The most read for a header. A data set without Pixel Data (a report, a document) has no end
 * to stop at: what precedes this much of it is indexed, as its identifying attributes come first.
 */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;

export class NotDicomError extends Error {
  readonly code = 'not-dicom';
  constructor(message = 'The uploaded file is not a readable DICOM file; nothing was stored.') {
    super(message);
    this.name = 'NotDicomError';
  }
}

export interface DicomHeader {
  readonly image: DicomImage;
  /** Where the Pixel Data value ends, when its length is stated (not deflated, not encapsulated). */
  readonly pixelDataEnd: number | null;
}

/** Inflates as much of a deflated data set as the bytes at hand hold (the tail may be cut off). */
function partialInflater(byteArray: Uint8Array, position: number): Uint8Array {
  const inflated = inflateRawSync(byteArray.subarray(position), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  const full = Buffer.alloc(position + inflated.length);
  full.set(byteArray.subarray(0, position));
  full.set(inflated, position);
  return full;
}

/**
 * Parses the first bytes of a file. `complete`: these are all its bytes; `last`: no more will
 * be read (the limit), so a data set cut short is described as far as it goes. Returns null when
 * more bytes are needed; throws NotDicomError when these bytes cannot be the start of DICOM.
 */
export function readDicomHeader(bytes: Buffer, complete: boolean, last = complete): DicomHeader | null {
  if (bytes.length >= 132 && bytes.toString('latin1', 128, 132) !== 'DICM') throw new NotDicomError();
  if (bytes.length < 132) {
    if (complete) throw new NotDicomError();
    return null;
  }
  let dataSet: DicomParser.DataSet;
  try {
    dataSet = dicomParser.parseDicom(bytes, { untilTag: PIXEL_DATA, inflater: partialInflater } as DicomParser.ParseDicomOptions);
  } catch (error) {
    const partial = (error as { dataSet?: DicomParser.DataSet }).dataSet;
    if (!last) return null;
    // Cut off at the limit inside a long data set without Pixel Data: describe what was read.
    if (!complete && partial !== undefined && Object.keys(partial.elements).length > 0) return { image: describeImage(partial), pixelDataEnd: null };
    throw new NotDicomError();
  }
  const pixelData = dataSet.elements[PIXEL_DATA];
  if (pixelData === undefined && !complete && !last) return null;
  const deflated = dataSet.string('x00020010') === TRANSFER_SYNTAX.deflatedExplicitLittleEndian;
  const stated = pixelData !== undefined && pixelData.hadUndefinedLength !== true && !deflated;
  return { image: describeImage(dataSet), pixelDataEnd: stated ? pixelData.dataOffset + pixelData.length : null };
}

/**
 * A pass-through for an upload that keeps only the header's bytes and reads them as they go by:
 * `header` is set once found. It fails the stream as soon as the bytes cannot be DICOM, and at
 * the end if the header never completed or the Pixel Data ends past the last byte, so a store
 * behind it never keeps such a file.
 */
export class DicomHeaderTap extends Transform {
  header: DicomHeader | null = null;
  private prefix: Buffer[] = [];
  private collected = 0;
  private received = 0;
  private nextTry = 132;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    if (this.header === null) {
      this.prefix.push(chunk);
      this.collected += chunk.length;
      if (this.collected >= this.nextTry) {
        const bytes = Buffer.concat(this.prefix);
        this.prefix = [bytes];
        try {
          this.header = readDicomHeader(bytes, false, this.collected >= MAX_HEADER_BYTES);
        } catch (error) {
          callback(error as Error);
          return;
        }
        if (this.header !== null) this.prefix = [];
        // First the marker (a file that is not DICOM is refused after 132 bytes), then 64 KiB, then doubling.
        else this.nextTry = Math.min(MAX_HEADER_BYTES, Math.max(FIRST_HEADER_BYTES, this.collected * 2));
      }
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.header ??= readDicomHeader(Buffer.concat(this.prefix), true);
      this.prefix = [];
      const end = this.header?.pixelDataEnd ?? null;
      if (end !== null && end > this.received) throw new NotDicomError('The uploaded file is truncated: its pixel data ends past the end of the file. Nothing was stored.');
      if (this.header === null) throw new NotDicomError();
      callback();
    } catch (error) {
      callback(error as Error);
    }
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
      const header = readDicomHeader(Buffer.concat(chunks), false, collected >= MAX_HEADER_BYTES);
      if (header !== null) return header;
      nextTry = Math.min(MAX_HEADER_BYTES, collected * 2);
    }
    const header = readDicomHeader(Buffer.concat(chunks), true);
    if (header === null) throw new NotDicomError();
    return header;
  } finally {
    // Leaving the loop early (header found) must not leave the store's stream open.
    stream.destroy();
  }
}
