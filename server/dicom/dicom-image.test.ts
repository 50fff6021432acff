import { describe, expect, it } from 'vitest';
import { TRANSFER_SYNTAX } from '../../shared/dicom/transfer-syntax';
import { encodeDicom } from '../../electron/main/dicom-write/dicom-writer';
import { gradientPixels, instanceElements, testUid, type InstanceSpec } from '../../electron/main/dicom-write/synthetic-study';
import { canDecode, readDicomImage } from './dicom-image';
import { decodeRleFrame, encodeRleFrame } from './rle';

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

describe('readDicomImage', () => {
  it.each([
    ['explicit little endian', TRANSFER_SYNTAX.explicitLittleEndian],
    ['implicit little endian', TRANSFER_SYNTAX.implicitLittleEndian],
    ['explicit big endian', TRANSFER_SYNTAX.explicitBigEndian],
    ['deflated', TRANSFER_SYNTAX.deflatedExplicitLittleEndian],
  ])('reads the series, the instance and the pixels of a file in %s', (_name, transferSyntaxUid) => {
    const bytes = encodeDicom(instanceElements(spec, transferSyntaxUid), { transferSyntaxUid });
    const { image, pixels } = readDicomImage(bytes);
    expect(image).toMatchObject({ seriesUid: testUid(1, 2), seriesNumber: 2, seriesDescription: 'Axial 1mm', modality: 'CT', instanceNumber: 3, rows: 20, columns: 30, bitsAllocated: 16 });
    expect(pixels).toEqual(gradientPixels(20, 30));
  });

  it('decodes RLE Lossless pixel data', () => {
    const expected = gradientPixels(20, 30);
    const elements = instanceElements(spec, TRANSFER_SYNTAX.rleLossless).map((element) =>
      element.tag === 0x7fe00010 ? { ...element, value: { fragments: [encodeRleFrame(expected, 600, 1, 2)] } } : element,
    );
    const { image, pixels } = readDicomImage(encodeDicom(elements, { transferSyntaxUid: TRANSFER_SYNTAX.rleLossless }));
    expect(image.transferSyntaxUid).toBe(TRANSFER_SYNTAX.rleLossless);
    expect(pixels).toEqual(expected);
  });

  it('describes an image without decoding it when pixels are not asked for', () => {
    const bytes = encodeDicom(instanceElements(spec, TRANSFER_SYNTAX.explicitLittleEndian), { transferSyntaxUid: TRANSFER_SYNTAX.explicitLittleEndian });
    const { image, pixels } = readDicomImage(bytes, false);
    expect(pixels).toBeNull();
    expect(image).toMatchObject({ rows: 20, columns: 30, instanceNumber: 3 });
    expect([TRANSFER_SYNTAX.rleLossless, TRANSFER_SYNTAX.explicitBigEndian, TRANSFER_SYNTAX.jpegBaseline].map(canDecode)).toEqual([true, true, false]);
  });

  it('returns no pixels for a compression it does not decode, but still places the instance', () => {
    const { image, pixels } = readDicomImage(encodeDicom(instanceElements(spec, TRANSFER_SYNTAX.jpegBaseline), { transferSyntaxUid: TRANSFER_SYNTAX.jpegBaseline }));
    expect(pixels).toBeNull();
    expect(image.instanceNumber).toBe(3);
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
