/**
 * Compresses frames of pixel data with dcmjs-codecs (CharLS, OpenJPEG, libjpeg-turbo and an RLE
 * codec compiled to WebAssembly): it runs wherever Node runs, so the demo can write compressed
 * series on a user's machine without dcmtk or GDCM installed. The WebAssembly module is loaded
 * once, on first use.
 */
import { createRequire } from 'node:module';
import type * as DcmjsCodecs from 'dcmjs-codecs';
import { TRANSFER_SYNTAX } from '../../../shared/dicom/transfer-syntax';

// CommonJS (a webpack bundle) that finds its .wasm beside itself: required, not bundled.
const codecs = createRequire(import.meta.url)('dcmjs-codecs') as typeof DcmjsCodecs;

/** Frame geometry and sample format, as the Image Pixel module states it. */
export interface PixelFormat {
  readonly rows: number;
  readonly columns: number;
  readonly bitsAllocated: 8 | 16;
  readonly bitsStored: number;
  readonly pixelRepresentation: 0 | 1;
  readonly samplesPerPixel: 1 | 3;
  readonly photometricInterpretation: string;
}

/** Syntaxes the demo compresses to (each a kept codec; all decodable by the viewer's loaders). */
export const COMPRESSED_SYNTAX = {
  rleLossless: TRANSFER_SYNTAX.rleLossless,
  jpegBaseline: TRANSFER_SYNTAX.jpegBaseline,
  jpegLossless: TRANSFER_SYNTAX.jpegLossless,
  jpegLsLossless: TRANSFER_SYNTAX.jpegLsLossless,
  jpegLsNearLossless: '1.2.840.10008.1.2.4.81',
  jpeg2000Lossless: TRANSFER_SYNTAX.jpeg2000Lossless,
  jpeg2000: TRANSFER_SYNTAX.jpeg2000,
  htj2kLossless: '1.2.840.10008.1.2.4.201',
} as const;

export type CompressedSyntax = (typeof COMPRESSED_SYNTAX)[keyof typeof COMPRESSED_SYNTAX];

/** Whether the syntax loses information (then Lossy Image Compression must be said, PS3.3 C.7.6.1.1.5). */
export function isLossy(syntax: CompressedSyntax): boolean {
  return syntax === COMPRESSED_SYNTAX.jpegBaseline || syntax === COMPRESSED_SYNTAX.jpegLsNearLossless || syntax === COMPRESSED_SYNTAX.jpeg2000;
}

export interface EncodeOptions {
  /** JPEG baseline quality, 1–100 (default 90). */
  readonly quality?: number;
  /** JPEG 2000 lossy compression ratio (default 10). */
  readonly rate?: number;
  /** JPEG-LS near-lossless: the largest error allowed per sample (default 2). */
  readonly allowedLossyError?: number;
}

let ready: Promise<void> | null = null;

/** Loads the codecs' WebAssembly; later calls share the first load. */
export function initPixelCodecs(): Promise<void> {
  ready ??= codecs.NativeCodecs.initializeAsync({ logCodecsInfo: false, logCodecsTrace: false });
  return ready;
}

function encodeOne(frame: Uint8Array, format: PixelFormat, syntax: CompressedSyntax, options: EncodeOptions): Uint8Array {
  const { NativeCodecs, Context } = codecs;
  const context = new Context({
    width: format.columns,
    height: format.rows,
    bitsAllocated: format.bitsAllocated,
    bitsStored: format.bitsStored,
    samplesPerPixel: format.samplesPerPixel,
    pixelRepresentation: format.pixelRepresentation,
    planarConfiguration: 0,
    photometricInterpretation: format.photometricInterpretation,
    decodedBuffer: frame,
  });
  const encoded = (() => {
    switch (syntax) {
      case COMPRESSED_SYNTAX.rleLossless:
        return NativeCodecs.encodeRle(context);
      case COMPRESSED_SYNTAX.jpegBaseline:
        return NativeCodecs.encodeJpeg(context, { lossy: true, quality: options.quality ?? 90 });
      case COMPRESSED_SYNTAX.jpegLossless:
        return NativeCodecs.encodeJpeg(context, { lossy: false, predictor: 1, pointTransform: 0 });
      case COMPRESSED_SYNTAX.jpegLsLossless:
        return NativeCodecs.encodeJpegLs(context, { lossy: false });
      case COMPRESSED_SYNTAX.jpegLsNearLossless:
        return NativeCodecs.encodeJpegLs(context, { lossy: true, allowedLossyError: options.allowedLossyError ?? 2 });
      case COMPRESSED_SYNTAX.jpeg2000Lossless:
        return NativeCodecs.encodeJpeg2000(context, { lossy: false });
      case COMPRESSED_SYNTAX.jpeg2000:
        return NativeCodecs.encodeJpeg2000(context, { lossy: true, rate: options.rate ?? 10 });
      case COMPRESSED_SYNTAX.htj2kLossless:
        return NativeCodecs.encodeHtJpeg2000(context, { lossy: false });
    }
  })();
  const bytes = encoded.getEncodedBuffer();
  if (bytes === undefined || bytes.length === 0) throw new Error(`the ${syntax} encoder returned no data`);
  // The codec's buffer may be a view into WebAssembly memory that the next call reuses.
  return bytes.slice();
}

/** Each frame's codestream. Frames are raw little-endian samples of `format`. */
export async function encodeFrames(
  frames: readonly Uint8Array[],
  format: PixelFormat,
  syntax: CompressedSyntax,
  options: EncodeOptions = {},
): Promise<Uint8Array[]> {
  if (syntax === COMPRESSED_SYNTAX.jpegBaseline && (format.bitsAllocated !== 8 || format.bitsStored !== 8)) {
    throw new Error('JPEG baseline takes 8-bit samples only');
  }
  await initPixelCodecs();
  return frames.map((frame) => encodeOne(frame, format, syntax, options));
}
