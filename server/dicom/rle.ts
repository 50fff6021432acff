/**
 * DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header with up to 15 segment offsets, each
 * segment PackBits-encoded; segments hold the bytes of each sample plane, most significant first.
 */

function unpackBits(input: Uint8Array, output: Uint8Array, stride: number, start: number, count: number): void {
  let read = 0;
  let written = 0;
  while (read < input.length && written < count) {
    const header = (input[read++] << 24) >> 24; // as a signed byte
    if (header >= 0) {
      for (let i = 0; i <= header && written < count; i++) output[start + stride * written++] = input[read++];
    } else if (header !== -128) {
      const value = input[read++];
      for (let i = 0; i < 1 - header && written < count; i++) output[start + stride * written++] = value;
    }
  }
  if (written < count) throw new Error('the RLE segment ends before the image does');
}

/**
 * Decodes one RLE frame to little-endian interleaved samples: `bytesPerSample` bytes for each
 * of `samples` samples per pixel.
 */
export function decodeRleFrame(frame: Uint8Array, pixels: number, samples: number, bytesPerSample: number): Uint8Array {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = view.getUint32(0, true);
  if (segments !== samples * bytesPerSample || segments > 15) throw new Error(`an RLE frame with ${segments} segments does not fit the image`);
  const out = new Uint8Array(pixels * samples * bytesPerSample);
  for (let s = 0; s < segments; s++) {
    const begin = view.getUint32(4 + s * 4, true);
    const end = s + 1 < segments ? view.getUint32(8 + s * 4, true) : frame.length;
    const sample = Math.floor(s / bytesPerSample);
    // Segment 0 of a sample is its most significant byte; little-endian output puts it last.
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample);
    unpackBits(frame.subarray(begin, end), out, samples * bytesPerSample, sample * bytesPerSample + byteInSample, pixels);
  }
  return out;
}

/** Encodes a frame as RLE with literal runs only: enough for tests and demo files. */
export function encodeRleFrame(littleEndian: Uint8Array, pixels: number, samples: number, bytesPerSample: number): Uint8Array {
  const segments: Uint8Array[] = [];
  for (let sample = 0; sample < samples; sample++) {
    for (let b = bytesPerSample - 1; b >= 0; b--) {
      const plane = new Uint8Array(pixels);
      for (let p = 0; p < pixels; p++) plane[p] = littleEndian[(p * samples + sample) * bytesPerSample + b];
      const packed: number[] = [];
      for (let i = 0; i < plane.length; i += 128) {
        const run = plane.subarray(i, Math.min(i + 128, plane.length));
        packed.push(run.length - 1, ...run);
      }
      if (packed.length % 2 === 1) packed.push(0x80);
      segments.push(Uint8Array.from(packed));
    }
  }
  const header = new Uint8Array(64);
  const view = new DataView(header.buffer);
  view.setUint32(0, segments.length, true);
  let offset = 64;
  segments.forEach((segment, i) => {
    view.setUint32(4 + i * 4, offset, true);
    offset += segment.length;
  });
  const out = new Uint8Array(offset);
  out.set(header);
  let at = 64;
  for (const segment of segments) {
    out.set(segment, at);
    at += segment.length;
  }
  return out;
}
