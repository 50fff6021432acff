/**
 * Hostile DICOM files for the bounded-reader tests and bench:fuzz, made from the synthetic study
 * writer: deflate bombs (a real deflated file's meta header, then a data set that inflates to
 * hundreds of megabytes) and files whose header never ends.
 */
import { createDeflateRaw, deflateRawSync, constants as zlibConstants } from 'node:zlib';
import { TRANSFER_SYNTAX } from '../../shared/dicom/transfer-syntax';
import { writeInstance, type InstanceSpec } from '../../electron/main/dicom-write/synthetic-study';

/** Where a Part 10 file's data set starts: after the preamble, `DICM` and the group 0002 elements. */
export function dataSetOffset(file: Uint8Array): number {
  const view = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  // (0002,0000) UL group length: its value is the length of the rest of group 0002.
  if (view.readUInt16LE(132) !== 0x0002 || view.readUInt16LE(134) !== 0x0000) throw new Error('No group length in the meta header.');
  return 132 + 12 + view.readUInt32LE(140);
}

const zeroStreams = new Map<number, Promise<Buffer>>();

/** `bytes` zeros as one raw deflate stream (made once per size: a GiB takes seconds). */
function deflatedZeros(bytes: number): Promise<Buffer> {
  let made = zeroStreams.get(bytes);
  if (made === undefined) {
    made = (async () => {
      const deflate = createDeflateRaw({ level: zlibConstants.Z_BEST_COMPRESSION });
      const out: Buffer[] = [];
      deflate.on('data', (chunk: Buffer) => out.push(chunk));
      const ended = new Promise<void>((resolve, reject) => {
        deflate.on('end', resolve);
        deflate.on('error', reject);
      });
      const zeros = Buffer.alloc(1024 * 1024);
      for (let left = bytes; left > 0; left -= zeros.length) {
        if (!deflate.write(left >= zeros.length ? zeros : zeros.subarray(0, left))) await new Promise((resolve) => deflate.once('drain', resolve));
      }
      deflate.end();
      await ended;
      return Buffer.concat(out);
    })();
    zeroStreams.set(bytes, made);
  }
  return made;
}

/**
 * A deflated file of `spec` whose data set is followed (or, with `headerFirst` false, replaced)
 * by `inflatedBytes` of zeros, deflated: a few hundred KiB that inflate to hundreds of MiB. The
 * header's elements are deflated with a full flush (no final block, dictionary reset), so the
 * zeros' stream, made once per size, can follow them.
 */
export async function deflateBomb(spec: InstanceSpec, inflatedBytes: number, options: { readonly headerFirst?: boolean } = {}): Promise<Buffer> {
  const plain = writeInstance({ ...spec, rows: 0, columns: 0 }, { transferSyntaxUid: TRANSFER_SYNTAX.deflatedExplicitLittleEndian });
  const explicit = writeInstance({ ...spec, rows: 0, columns: 0 }, { transferSyntaxUid: TRANSFER_SYNTAX.explicitLittleEndian });
  const meta = Buffer.from(plain.subarray(0, dataSetOffset(plain)));
  const elements = options.headerFirst === false ? [] : [deflateRawSync(explicit.subarray(dataSetOffset(explicit)), { finishFlush: zlibConstants.Z_FULL_FLUSH })];
  return Buffer.concat([meta, ...elements, await deflatedZeros(inflatedBytes)]);
}
