/**
 * Parses what the hub indexes about an instance (where it belongs, its UIDs, its image size) from
 * a file's first bytes, stopping at the Pixel Data tag, within the bounds of the one bounded
 * reader (server/dicom/bounded-header.ts). Pure CPU work on bytes at hand: it runs in the DICOM
 * worker threads (server/dicom/dicom-workers.ts), never on the hub's event loop.
 *
 * The hub's rule differs from the desktop import's (electron/main/dicom-import/instance-header.ts):
 * it needs a Part 10 file (as the uploader sends); the route checks the UIDs against the target.
 */
import { createRequire } from 'node:module';
import type * as DicomParser from 'dicom-parser';
import { TRANSFER_SYNTAX } from '../../shared/dicom/transfer-syntax';
import { BOMB_RATIO, BoundedInflater, DeflateError, MAX_HEADER_BYTES, MAX_INFLATED_HEADER_BYTES } from './bounded-header';
import { describeImage, type DicomImage } from './dicom-image';

const dicomParser = createRequire(import.meta.url)('dicom-parser') as typeof DicomParser;

const PIXEL_DATA = 'x7fe00010';

export type DicomRefusalCode = 'not-dicom' | 'corrupt' | 'truncated' | 'header-too-long' | 'deflate-bomb' | 'corrupt-deflate' | 'too-complex';

/** The bytes are not a DICOM file the hub can read; `code` says why, the message says it in words. */
export class NotDicomError extends Error {
  constructor(
    message = 'The uploaded file is not a readable DICOM file; nothing was stored.',
    readonly code: DicomRefusalCode = 'not-dicom',
  ) {
    super(message);
    this.name = 'NotDicomError';
  }
}

export interface DicomHeader {
  readonly image: DicomImage;
  /** Where the Pixel Data value ends, when its length is stated (not deflated, not encapsulated). */
  readonly pixelDataEnd: number | null;
  /** Study Instance UID (0020,000D) and SOP Instance UID (0008,0018), when present. */
  readonly studyUid: string | null;
  readonly sopInstanceUid: string | null;
}

function deflateBomb(): NotDicomError {
  return new NotDicomError(`The uploaded file is a deflate bomb: its data set inflates past ${MAX_INFLATED_HEADER_BYTES / 1024 ** 2} MiB at more than ${BOMB_RATIO}:1 before any image data; nothing was stored.`, 'deflate-bomb');
}

function headerTooLong(inflated: boolean): NotDicomError {
  const bound = inflated ? `inflates past ${MAX_INFLATED_HEADER_BYTES / 1024 ** 2} MiB` : `runs past ${MAX_HEADER_BYTES / 1024 ** 2} MiB`;
  return new NotDicomError(`The uploaded file's header ${bound} without identifying the instance; nothing was stored.`, 'header-too-long');
}

/** A data set cut off inside its elements, with the meta header dicom-parser leaves out of it. */
function partialDataSet(error: unknown, bytes: Uint8Array): DicomParser.DataSet | null {
  const partial = (error as { dataSet?: DicomParser.DataSet } | null)?.dataSet;
  if (partial === undefined || Object.keys(partial.elements).length === 0) return null;
  try {
    Object.assign(partial.elements, dicomParser.readPart10Header(bytes).elements);
  } catch {
    // the data set alone
  }
  return partial;
}

const uid = (dataSet: DicomParser.DataSet, tag: string): string | null => dataSet.string(tag)?.replace(/\0+$/, '').trim() || null;

function describe(dataSet: DicomParser.DataSet, pixelDataEnd: number | null): DicomHeader {
  return { image: describeImage(dataSet), pixelDataEnd, studyUid: uid(dataSet, 'x0020000d'), sopInstanceUid: uid(dataSet, 'x00080018') };
}

/**
 * Parses the first bytes of a file. `complete`: these are all its bytes; `last`: no more will
 * be read (the limit), so a data set cut short is described as far as it goes. Returns null when
 * more bytes are needed; throws NotDicomError when these bytes cannot be the start of DICOM, when
 * a deflated data set is a bomb (bounded-header.ts), or when a header cut off at a bound does not
 * say which instance it is.
 */
export function readDicomHeader(bytes: Uint8Array, complete: boolean, last = complete): DicomHeader | null {
  try {
    return readHeader(bytes, complete, last);
  } catch (error) {
    if (error instanceof NotDicomError) throw error;
    // dicom-parser (or a value in the data set) failed in a way not foreseen above: the file is
    // still only corrupt, which is the uploader's to hear, not the hub's failure.
    if (!complete && !last) return null;
    throw new NotDicomError('The uploaded file’s DICOM data is corrupt and cannot be read; nothing was stored.', 'corrupt');
  }
}

function readHeader(bytes: Uint8Array, complete: boolean, last: boolean): DicomHeader | null {
  if (bytes.length >= 132 && String.fromCharCode(...bytes.subarray(128, 132)) !== 'DICM') throw new NotDicomError();
  if (bytes.length < 132) {
    if (complete) throw new NotDicomError();
    return null;
  }
  // dicom-parser reads Buffer methods under Node.
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const inflater = new BoundedInflater();
  let dataSet: DicomParser.DataSet;
  try {
    dataSet = dicomParser.parseDicom(buffer, { untilTag: PIXEL_DATA, inflater: inflater.inflate });
  } catch (error) {
    if (error instanceof DeflateError) throw new NotDicomError(`${error.message} Nothing was stored.`, 'corrupt-deflate');
    if (inflater.suspect) throw deflateBomb();
    // At the last read, or past the inflation bound, more bytes cannot help: what was read is all there is.
    const atLimit = inflater.cut || (last && !complete);
    if (!atLimit) {
      if (!last) return null;
      throw new NotDicomError();
    }
    const partial = partialDataSet(error, buffer);
    if (partial === null) throw headerTooLong(inflater.cut);
    // Cut off at the limit inside a long data set without Pixel Data: describe what was read,
    // provided it says which instance it is.
    let header: DicomHeader;
    try {
      header = describe(partial, null);
    } catch {
      throw headerTooLong(inflater.cut);
    }
    if (header.sopInstanceUid === null || header.studyUid === null) throw headerTooLong(inflater.cut);
    return header;
  }
  const pixelData = dataSet.elements[PIXEL_DATA];
  if (pixelData === undefined && inflater.suspect) throw deflateBomb();
  if (pixelData === undefined && !complete && !last && !inflater.cut) return null;
  const deflated = dataSet.string('x00020010') === TRANSFER_SYNTAX.deflatedExplicitLittleEndian;
  const stated = pixelData !== undefined && pixelData.hadUndefinedLength !== true && !deflated;
  const header = describe(dataSet, stated ? pixelData.dataOffset + pixelData.length : null);
  if (pixelData === undefined && inflater.cut && (header.sopInstanceUid === null || header.studyUid === null)) throw headerTooLong(true);
  return header;
}
