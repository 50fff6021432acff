/**
 * Writes a DICOM Part 10 file with dcmjs from a naturalized data set (attribute keywords, as
 * dcmjs names them) and the pixel data as frames: native frames are joined into one OW/OB
 * value, encapsulated frames are written one fragment per frame behind a basic offset table.
 * The demo's modality generators use it; the hand-written dicom-writer.ts stays for the tests
 * that need byte-level control (odd encodings, broken files).
 */
import { createRequire } from 'node:module';

/** A data set as dcmjs "naturalizes" it: keyword → value (numbers, strings, arrays, items). */
export type NaturalDataset = Record<string, unknown>;

/** The part of dcmjs's data API this module uses (dcmjs ships no type declarations). */
interface DcmjsData {
  readonly DicomMetaDictionary: {
    denaturalizeDataset(dataset: NaturalDataset): Record<string, { vr: string; Value: unknown[] }>;
  };
  readonly DicomDict: new (meta: Record<string, unknown>) => {
    dict: Record<string, { vr: string; Value: unknown[] }>;
    write(options?: { fragmentMultiframe?: boolean; allowInvalidVRLength?: boolean }): ArrayBuffer;
  };
}

// dcmjs is CommonJS without an ESM-detectable export list; require it the same way under
// vitest, tsx and the bundled main process (where node_modules stay external).
const dcmjs = createRequire(import.meta.url)('dcmjs') as { data: DcmjsData };

/** The project's UID root (as testUid in synthetic-study.ts) and this writer's name. */
const IMPLEMENTATION_CLASS_UID = '1.2.826.0.1.3680043.10.1234.2';
const IMPLEMENTATION_VERSION_NAME = 'STUDYSHARE_DCMJS';

/** Native (uncompressed) syntaxes this writer takes; big endian is left to dicom-writer.ts. */
export const NATIVE_SYNTAXES: ReadonlySet<string> = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1']);
const EXPLICIT_BIG_ENDIAN = '1.2.840.10008.1.2.2';

export interface Part10Pixels {
  readonly transferSyntaxUid: string;
  /** One entry per frame: raw little-endian samples for a native syntax, a codestream otherwise. */
  readonly frames: readonly Uint8Array[];
  readonly bitsAllocated: number;
}

function asArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? bytes.buffer
    : (bytes.slice().buffer);
}

function joined(frames: readonly Uint8Array[]): Uint8Array {
  if (frames.length === 1) return frames[0];
  const out = new Uint8Array(frames.reduce((sum, frame) => sum + frame.length, 0));
  let offset = 0;
  for (const frame of frames) {
    out.set(frame, offset);
    offset += frame.length;
  }
  return out;
}

/** The file's bytes. `dataset` must carry SOPClassUID and SOPInstanceUID (they go into the meta header). */
export function writePart10(dataset: NaturalDataset, pixels: Part10Pixels): Uint8Array {
  const sopClassUid = dataset.SOPClassUID;
  const sopInstanceUid = dataset.SOPInstanceUID;
  if (typeof sopClassUid !== 'string' || typeof sopInstanceUid !== 'string') {
    throw new Error('a data set to write needs SOPClassUID and SOPInstanceUID');
  }
  if (pixels.transferSyntaxUid === EXPLICIT_BIG_ENDIAN) throw new Error('big endian pixel data is written by dicom-writer.ts, not here');
  if (pixels.frames.length === 0) throw new Error('a data set to write needs at least one frame of pixel data');
  const { DicomDict, DicomMetaDictionary } = dcmjs.data;
  const meta = DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: sopClassUid,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: pixels.transferSyntaxUid,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: IMPLEMENTATION_VERSION_NAME,
  });
  const file = new DicomDict(meta);
  file.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  const native = NATIVE_SYNTAXES.has(pixels.transferSyntaxUid);
  file.dict['7FE00010'] = native
    ? { vr: pixels.bitsAllocated > 8 ? 'OW' : 'OB', Value: [asArrayBuffer(joined(pixels.frames))] }
    : { vr: 'OB', Value: pixels.frames.map(asArrayBuffer) };
  // One fragment per frame: what most archives write, and what a frame-by-frame reader expects.
  return new Uint8Array(file.write({ fragmentMultiframe: false }));
}
