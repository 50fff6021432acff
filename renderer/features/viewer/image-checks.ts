/**
 * Checks on an image Cornerstone says it loaded, before it is believed: the loader hands back
 * whatever the decoder produced, so a frame count larger than the data, a wrong Bits Allocated or
 * a codestream the codec refused can arrive as a short (or empty) pixel array that draws as noise
 * or not at all. A short array is a damaged image, said in words.
 */
import { cache, metaData } from '@cornerstonejs/core';
import { storedFrameProblem, type ParsedDataSet } from './instance-store';

interface LoadedImage {
  readonly rows: number;
  readonly columns: number;
  readonly color: boolean;
  readonly getPixelData?: () => ArrayLike<number> | undefined;
  readonly voxelManager?: { getScalarData: () => ArrayLike<number> };
}

const J2K = new Set(['1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91', '1.2.840.10008.1.2.4.201', '1.2.840.10008.1.2.4.202', '1.2.840.10008.1.2.4.203']);

/**
 * What the file's own data says about one frame, before decoding: native pixel data shorter than
 * the frame's place in it (a Number of Frames larger than the data), or a JPEG 2000 fragment that
 * does not start as a codestream. The latter matters because Cornerstone 5.14's OpenJPEG decoder,
 * given a codestream it cannot read, logs the failure and hands back its previous output — the
 * last image it decoded, possibly another patient's — instead of failing.
 */
export function frameDataProblem(dataSet: ParsedDataSet, frame: number): string | null {
  const pixelData = dataSet.elements.x7fe00010;
  if (pixelData === undefined) return null;
  const syntax = dataSet.string('x00020010')?.trim() ?? '';
  if (pixelData.fragments === undefined) {
    const rows = dataSet.uint16('x00280010') ?? 0;
    const columns = dataSet.uint16('x00280011') ?? 0;
    const samples = dataSet.uint16('x00280002') ?? 1;
    const bits = dataSet.uint16('x00280100') ?? 16;
    const photometric = dataSet.string('x00280004')?.trim();
    const frameBytes = photometric === 'YBR_FULL_422' ? rows * columns * 2 : Math.ceil((rows * columns * samples * bits) / 8);
    if (pixelData.length < (frame + 1) * frameBytes) {
      return 'This image’s pixel data is shorter than its header says: the file is damaged, or its Rows, Columns, Bits Allocated or Number of Frames are wrong.';
    }
    return null;
  }
  if (J2K.has(syntax)) {
    const frames = dataSet.intString('x00280008') ?? 1;
    const fragment = pixelData.fragments.length === frames ? pixelData.fragments[frame] : frame === 0 ? pixelData.fragments[0] : undefined;
    if (fragment === undefined) return null;
    const at = dataSet.byteArray.subarray(fragment.position, fragment.position + 12);
    const codestream = at[0] === 0xff && at[1] === 0x4f && at[2] === 0xff && at[3] === 0x51;
    const jp2 = at[4] === 0x6a && at[5] === 0x50 && at[6] === 0x20 && at[7] === 0x20;
    if (!codestream && !jp2) return 'The codec could not decode this image’s compressed data (its JPEG 2000 codestream is damaged).';
  }
  return null;
}

const UNCOMPRESSED = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99']);

/** Why the decoded image `imageId` cannot be shown, or null when it can (or is not decoded yet). */
export function imageProblem(imageId: string): string | null {
  // Read when the loader parsed the file (instance-store.ts), which releases the file after.
  const fromData = storedFrameProblem(imageId) ?? null;
  if (fromData !== null) return fromData;
  const image = cache.getImage(imageId) as unknown as LoadedImage | undefined;
  if (image === undefined) return null;
  let data: ArrayLike<number> | undefined;
  try {
    data = image.voxelManager?.getScalarData() ?? image.getPixelData?.();
  } catch {
    data = undefined;
  }
  const needed = image.rows * image.columns * (image.color ? 3 : 1);
  if (data !== undefined && data.length >= needed && needed > 0) return null;
  const syntax = (metaData.get('transferSyntax', imageId) as { transferSyntaxUID?: string } | undefined)?.transferSyntaxUID;
  if (syntax !== undefined && !UNCOMPRESSED.has(syntax) && (data === undefined || data.length === 0)) {
    return 'The codec could not decode this image’s compressed data: the file is damaged.';
  }
  return 'This image’s pixel data is shorter than its header says: the file is damaged, or its Rows, Columns, Bits Allocated or Number of Frames are wrong.';
}
