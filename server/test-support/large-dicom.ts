/**
 * A DICOM file of any size as a stream, never whole in memory or on disk: a real Part 10 header
 * (from the synthetic study writer) followed by a Pixel Data element of the requested length,
 * its bytes produced chunk by chunk. For upload tests and bench:upload.
 */
import { Readable } from 'node:stream';
import { writeInstance } from '../../electron/main/dicom-write/synthetic-study';

/** The header bytes up to (not including) Pixel Data, and the element header for `pixelBytes`. */
export function largeDicomHeader(pixelBytes: number, sopInstanceUid = '1.2.826.0.1.3680043.10.1234.900.1'): Buffer {
  const instance = Buffer.from(
    writeInstance({ studyInstanceUid: '1.2.826.0.1.3680043.10.1234.900', seriesInstanceUid: '1.2.826.0.1.3680043.10.1234.900.9', seriesNumber: 9, modality: 'CT', sopInstanceUid, instanceNumber: 1 }),
  );
  // Explicit VR little endian: (7FE0,0010) OW, two reserved bytes, a 32-bit length.
  const at = instance.indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57]));
  if (at < 0) throw new Error('The synthetic instance has no Pixel Data element.');
  const element = Buffer.alloc(12);
  element.set([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57, 0, 0]);
  element.writeUInt32LE(pixelBytes, 8);
  return Buffer.concat([instance.subarray(0, at), element]);
}

/** The whole file as a stream of 1 MiB chunks (one buffer reused: the content is a constant pattern). */
export function largeDicomStream(pixelBytes: number, options: { readonly sopInstanceUid?: string; readonly onChunk?: () => void } = {}): { readonly size: number; readonly stream: Readable } {
  const header = largeDicomHeader(pixelBytes, options.sopInstanceUid);
  const chunk = Buffer.alloc(1024 * 1024, 0x5a);
  async function* generate(): AsyncGenerator<Buffer> {
    yield header;
    for (let left = pixelBytes; left > 0; left -= chunk.length) {
      options.onChunk?.();
      yield left >= chunk.length ? chunk : chunk.subarray(0, left);
    }
  }
  return { size: header.length + pixelBytes, stream: Readable.from(generate(), { objectMode: false }) };
}
