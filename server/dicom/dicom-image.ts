/**
 * Reads what the guest viewer needs from a stored DICOM file: where it belongs (series,
 * instance number) and its first frame's pixels as little-endian samples, decoding RLE.
 */
import { createRequire } from 'node:module';
import type * as DicomParser from 'dicom-parser';
import { decodeText, planCharacterSet } from '../../shared/dicom/character-sets';
import { TRANSFER_SYNTAX } from '../../shared/dicom/transfer-syntax';
import { BoundedInflater } from './bounded-header';
import { decodeRleFrame } from './rle';

const dicomParser = createRequire(import.meta.url)('dicom-parser') as typeof DicomParser;

export interface DicomImage {
  readonly seriesUid: string | null;
  readonly seriesNumber: number | null;
  readonly seriesDescription: string | null;
  readonly modality: string | null;
  readonly instanceNumber: number | null;
  readonly rows: number;
  readonly columns: number;
  readonly bitsAllocated: number;
  readonly pixelRepresentation: number;
  readonly samplesPerPixel: number;
  readonly photometric: string;
  readonly windowCenter: number | null;
  readonly windowWidth: number | null;
  readonly rescaleSlope: number;
  readonly rescaleIntercept: number;
  readonly transferSyntaxUid: string | null;
}

/** The most a deflated file is inflated to for its first frame. */
const MAX_INFLATED_IMAGE_BYTES = 64 * 1024 * 1024;

const UNCOMPRESSED: readonly string[] = [
  TRANSFER_SYNTAX.implicitLittleEndian,
  TRANSFER_SYNTAX.explicitLittleEndian,
  TRANSFER_SYNTAX.explicitBigEndian,
  TRANSFER_SYNTAX.deflatedExplicitLittleEndian,
];

function numberOf(dataSet: DicomParser.DataSet, tag: string): number | null {
  const text = dataSet.string(tag);
  if (text === undefined || text === '') return null;
  const value = Number(text.split('\\')[0]);
  return Number.isFinite(value) ? value : null;
}

/** Whether the first frame of a file in this transfer syntax can be decoded here. */
export function canDecode(transferSyntaxUid: string | null): boolean {
  return transferSyntaxUid === null || transferSyntaxUid === TRANSFER_SYNTAX.rleLossless || UNCOMPRESSED.includes(transferSyntaxUid);
}

/**
 * Reads the image description and, unless `withPixels` is false (placing an upload, answering
 * what an image is), decodes the first frame.
 */
export function readDicomImage(bytes: Uint8Array, withPixels = true): { image: DicomImage; pixels: Uint8Array | null } {
  // A Buffer, because dicom-parser reads Buffer methods under Node. A deflated data set is
  // inflated within a bound (its first frame is what is shown), never to whatever it claims.
  const inflater = new BoundedInflater(MAX_INFLATED_IMAGE_BYTES);
  const dataSet = dicomParser.parseDicom(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { inflater: inflater.inflate });
  const image = describeImage(dataSet);
  const { transferSyntaxUid } = image;
  const element = dataSet.elements.x7fe00010;
  if (!withPixels || element === undefined || image.rows === 0 || image.columns === 0) return { image, pixels: null };
  const pixelCount = image.rows * image.columns;
  const bytesPerSample = image.bitsAllocated / 8;
  const frameBytes = pixelCount * image.samplesPerPixel * bytesPerSample;
  if (transferSyntaxUid === TRANSFER_SYNTAX.rleLossless) {
    const frame = dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0, 1);
    return { image, pixels: decodeRleFrame(frame, pixelCount, image.samplesPerPixel, bytesPerSample) };
  }
  if (!canDecode(transferSyntaxUid)) return { image, pixels: null };
  const raw = dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + frameBytes);
  if (raw.length < frameBytes) throw new Error('the pixel data is shorter than the image');
  const pixels = Uint8Array.from(raw);
  if (transferSyntaxUid === TRANSFER_SYNTAX.explicitBigEndian && bytesPerSample === 2) {
    for (let i = 0; i + 1 < pixels.length; i += 2) [pixels[i], pixels[i + 1]] = [pixels[i + 1], pixels[i]];
  }
  return { image, pixels };
}

/**
 * Reads the image description alone, from a data set parsed whole or only up to its Pixel Data
 * (server/dicom/dicom-header.ts reads an upload's first bytes that way).
 */
export function describeImage(dataSet: DicomParser.DataSet): DicomImage {
  const charset = dataSet.string('x00080005');
  const plan = planCharacterSet(charset === undefined ? [] : charset.split('\\'));
  const description = dataSet.elements.x0008103e;
  const transferSyntaxUid = dataSet.string('x00020010') ?? null;
  return {
    seriesUid: dataSet.string('x0020000e') ?? null,
    seriesNumber: numberOf(dataSet, 'x00200011'),
    seriesDescription:
      description === undefined ? null : decodeText(dataSet.byteArray.subarray(description.dataOffset, description.dataOffset + description.length), plan).trim() || null,
    modality: dataSet.string('x00080060') ?? null,
    instanceNumber: numberOf(dataSet, 'x00200013'),
    rows: dataSet.uint16('x00280010') ?? 0,
    columns: dataSet.uint16('x00280011') ?? 0,
    bitsAllocated: dataSet.uint16('x00280100') ?? 16,
    pixelRepresentation: dataSet.uint16('x00280103') ?? 0,
    samplesPerPixel: dataSet.uint16('x00280002') ?? 1,
    photometric: dataSet.string('x00280004') ?? 'MONOCHROME2',
    windowCenter: numberOf(dataSet, 'x00281050'),
    windowWidth: numberOf(dataSet, 'x00281051'),
    rescaleSlope: numberOf(dataSet, 'x00281053') ?? 1,
    rescaleIntercept: numberOf(dataSet, 'x00281052') ?? 0,
    transferSyntaxUid,
  };
}
