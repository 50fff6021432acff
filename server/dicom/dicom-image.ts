/**
 * Describes a stored DICOM file's image: where it belongs (series, instance number) and its
 * geometry, for placing an upload. The hub decodes no pixels: the guest page shows images with the
 * app's own viewer (Cornerstone3D and its codecs), so the hand-written first-frame decoder and its
 * RLE decoder that the old guest routes used are gone.
 */
import type * as DicomParser from 'dicom-parser';
import { decodeText, planCharacterSet } from '../../shared/dicom/character-sets';

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

function numberOf(dataSet: DicomParser.DataSet, tag: string): number | null {
  const text = dataSet.string(tag);
  if (text === undefined || text === '') return null;
  const value = Number(text.split('\\')[0]);
  return Number.isFinite(value) ? value : null;
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
