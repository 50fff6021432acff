import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decompressed, probe } from '../demo/test-support/dicom-probe';
import { writePart10 } from './part10-dcmjs';
import { COMPRESSED_SYNTAX, encodeFrames, type PixelFormat } from './pixel-codecs';

const work = mkdtempSync(path.join(tmpdir(), 'studyshare-codecs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A signed 16-bit test image: a ramp from −1024 up, a bright disc and a sharp-edged square. */
function testImage(rows: number, columns: number): Int16Array {
  const pixels = new Int16Array(rows * columns);
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      let value = -1024 + row * 17 + column * 3;
      if ((row - 20) ** 2 + (column - 30) ** 2 < 100) value = 1900;
      if (row > 30 && row < 40 && column > 5 && column < 15) value = -2000;
      pixels[row * columns + column] = value;
    }
  }
  return pixels;
}

const FORMAT: PixelFormat = { rows: 48, columns: 64, bitsAllocated: 16, bitsStored: 16, pixelRepresentation: 1, samplesPerPixel: 1, photometricInterpretation: 'MONOCHROME2' };

function dataset(sopInstanceUid: string): Record<string, unknown> {
  return {
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
    SOPInstanceUID: sopInstanceUid,
    StudyInstanceUID: '1.2.826.0.1.3680043.10.1234.9.1',
    SeriesInstanceUID: '1.2.826.0.1.3680043.10.1234.9.1.1',
    Modality: 'CT',
    PatientName: 'Müller^Jürgen',
    SpecificCharacterSet: 'ISO_IR 192',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: FORMAT.rows,
    Columns: FORMAT.columns,
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: 1,
  };
}

describe('compressing frames with dcmjs-codecs and writing them with dcmjs', () => {
  const pixels = testImage(FORMAT.rows, FORMAT.columns);
  const raw = new Uint8Array(pixels.buffer);

  it.each([
    ['RLE', COMPRESSED_SYNTAX.rleLossless, true],
    ['JPEG lossless (process 14, SV1)', COMPRESSED_SYNTAX.jpegLossless, true],
    ['JPEG-LS lossless', COMPRESSED_SYNTAX.jpegLsLossless, true],
    ['JPEG 2000 lossless', COMPRESSED_SYNTAX.jpeg2000Lossless, true],
    // OpenJPH's ojph_expand, the independent HTJ2K decoder here, clamps signed samples at 0 on
    // output: HTJ2K is checked on unsigned samples (as the demo's mammograms are).
    ['HTJ2K lossless', COMPRESSED_SYNTAX.htj2kLossless, false],
  ])('%s (%s): another implementation decodes every sample exactly as written', async (_name, syntax, signed) => {
    const samples = signed ? pixels : Uint16Array.from(pixels, (v) => v + 2048);
    const format: PixelFormat = { ...FORMAT, pixelRepresentation: signed ? 1 : 0 };
    const frames = await encodeFrames([new Uint8Array(samples.buffer)], format, syntax);
    expect(frames[0].length).toBeLessThan(raw.length);
    const file = path.join(work, `${syntax}.dcm`);
    writeFileSync(
      file,
      writePart10({ ...dataset(`1.2.826.0.1.3680043.10.1234.9.1.1.${syntax.split('.').pop()}`), PixelRepresentation: format.pixelRepresentation }, { transferSyntaxUid: syntax, frames, bitsAllocated: 16 }),
    );
    const [read] = probe([{ path: decompressed(file, syntax, path.join(work, `${syntax}-native.dcm`)), all: true }]);
    expect(read.PatientName).toBe('Müller^Jürgen');
    expect(read.values).toEqual(Array.from(samples));
  });

  it('JPEG 2000 lossy and JPEG-LS near-lossless stay close to the original and smaller than lossless', async () => {
    for (const [syntax, tolerance] of [
      [COMPRESSED_SYNTAX.jpeg2000, 120],
      [COMPRESSED_SYNTAX.jpegLsNearLossless, 2],
    ] as const) {
      const frames = await encodeFrames([raw], FORMAT, syntax, { rate: 8, allowedLossyError: 2 });
      const file = path.join(work, `lossy-${syntax}.dcm`);
      writeFileSync(file, writePart10(dataset(`1.2.826.0.1.3680043.10.1234.9.2.${syntax.split('.').pop()}`), { transferSyntaxUid: syntax, frames, bitsAllocated: 16 }));
      const [read] = probe([{ path: decompressed(file, syntax, path.join(work, `lossy-${syntax}-native.dcm`)), all: true }]);
      const errors = (read.values ?? []).map((v, i) => Math.abs(v - pixels[i]));
      expect(Math.max(...errors), syntax).toBeLessThanOrEqual(tolerance);
    }
  });

  it('an 8-bit multi-frame JPEG baseline cine: one fragment per frame, each frame decodable', async () => {
    const format: PixelFormat = { ...FORMAT, bitsAllocated: 8, bitsStored: 8, pixelRepresentation: 0 };
    const frames = [0, 1, 2].map((f) => Uint8Array.from({ length: 48 * 64 }, (_, i) => (i % 64) * 3 + f * 20));
    const encoded = await encodeFrames(frames, format, COMPRESSED_SYNTAX.jpegBaseline, { quality: 95 });
    const file = path.join(work, 'cine.dcm');
    writeFileSync(
      file,
      writePart10(
        { ...dataset('1.2.826.0.1.3680043.10.1234.9.3'), BitsAllocated: 8, BitsStored: 8, HighBit: 7, PixelRepresentation: 0, NumberOfFrames: 3 },
        { transferSyntaxUid: COMPRESSED_SYNTAX.jpegBaseline, frames: encoded, bitsAllocated: 8 },
      ),
    );
    const native = decompressed(file, COMPRESSED_SYNTAX.jpegBaseline, path.join(work, 'cine-native.dcm'));
    const read = probe([0, 1, 2].map((frame) => ({ path: native, frame, points: [[10, 10]] as const })));
    expect(read.map((r) => Math.round(((r.values?.[0] ?? 0) - 30) / 20))).toEqual([0, 1, 2]);
    expect(read[0].NumberOfFrames).toBe(3);
  });

  it('refuses what it cannot do, saying why', async () => {
    await expect(encodeFrames([raw], FORMAT, COMPRESSED_SYNTAX.jpegBaseline)).rejects.toThrow('JPEG baseline takes 8-bit samples only');
    expect(() => writePart10({ Modality: 'CT' }, { transferSyntaxUid: '1.2.840.10008.1.2.1', frames: [raw], bitsAllocated: 16 })).toThrow('needs SOPClassUID and SOPInstanceUID');
    expect(() => writePart10(dataset('1.2.3'), { transferSyntaxUid: '1.2.840.10008.1.2.2', frames: [raw], bitsAllocated: 16 })).toThrow('big endian');
    expect(() => writePart10(dataset('1.2.3'), { transferSyntaxUid: '1.2.840.10008.1.2.1', frames: [], bitsAllocated: 16 })).toThrow('at least one frame');
  });
});
