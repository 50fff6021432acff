import { createRequire } from 'node:module';
import type * as DicomParser from 'dicom-parser';
import { describe, expect, it } from 'vitest';
import { TRANSFER_SYNTAX } from '../../shared/dicom/transfer-syntax';
import { encodeDicom } from '../../electron/main/dicom-write/dicom-writer';
import { instanceElements, testUid, type InstanceSpec } from '../../electron/main/dicom-write/synthetic-study';
import { BoundedInflater } from './bounded-header';
import { describeImage } from './dicom-image';
import { decodeRleFrame, encodeRleFrame } from './rle';

const dicomParser = createRequire(import.meta.url)('dicom-parser') as typeof DicomParser;

const spec: InstanceSpec = {
  studyInstanceUid: testUid(1),
  seriesInstanceUid: testUid(1, 2),
  seriesNumber: 2,
  seriesDescription: 'Axial 1mm',
  modality: 'CT',
  sopInstanceUid: testUid(1, 2, 3),
  instanceNumber: 3,
  rows: 20,
  columns: 30,
};

/** Parses as the upload path does: the header, up to the pixel data (server/dicom/parse-header.ts). */
const parse = (bytes: Uint8Array) => dicomParser.parseDicom(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { untilTag: 'x7fe00010', inflater: new BoundedInflater().inflate });

describe('describeImage', () => {
  it.each([
    ['explicit little endian', TRANSFER_SYNTAX.explicitLittleEndian],
    ['implicit little endian', TRANSFER_SYNTAX.implicitLittleEndian],
    ['explicit big endian', TRANSFER_SYNTAX.explicitBigEndian],
    ['JPEG baseline', TRANSFER_SYNTAX.jpegBaseline],
  ])('places a file in %s: series, instance and geometry', (_name, transferSyntaxUid) => {
    const image = describeImage(parse(encodeDicom(instanceElements(spec, transferSyntaxUid), { transferSyntaxUid })));
    expect(image).toMatchObject({ seriesUid: testUid(1, 2), seriesNumber: 2, seriesDescription: 'Axial 1mm', modality: 'CT', instanceNumber: 3, rows: 20, columns: 30, bitsAllocated: 16, transferSyntaxUid });
  });
});

describe('RLE', () => {
  it('decodes replicate runs as well as literal ones', () => {
    // Header: one segment at offset 64; segment: 3 literal bytes, then 5 copies of 9.
    const frame = new Uint8Array(64 + 6);
    new DataView(frame.buffer).setUint32(0, 1, true);
    new DataView(frame.buffer).setUint32(4, 64, true);
    frame.set([2, 1, 2, 3, -4 & 0xff, 9], 64);
    expect([...decodeRleFrame(frame, 8, 1, 1)]).toEqual([1, 2, 3, 9, 9, 9, 9, 9]);
  });

  it('refuses a frame whose segments end before the image does', () => {
    const frame = encodeRleFrame(new Uint8Array(200), 100, 1, 2).subarray(0, 80);
    expect(() => decodeRleFrame(frame, 100, 1, 2)).toThrow(/ends before/);
  });
});
