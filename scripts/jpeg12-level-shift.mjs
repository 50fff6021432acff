/**
 * A build-time correction of Cornerstone 5.14's 12-bit JPEG (process 2/4) decoder
 * (`@cornerstonejs/dicom-image-loader/dist/esm/codecs/jpeg.js`, pdf.js's jpgjs), applied as a
 * Vite transform to the viewer's decoding worker (app and guest page).
 *
 * Why: its inverse DCT keeps four fractional bits, and the last step adds the level shift and
 * rounding and shifts them out: `(q + 2056) >> 4` for 8-bit samples, i.e. 128·16 + 8. For other
 * precisions it scales that 8-bit constant by (2^P − 1)/255 instead of using 2^(P−1)·16 + 8: for
 * P = 12, 2056 · 4095/255 ≈ 33017 where 2048·16 + 8 = 32776 is right, so every sample comes out
 * 241/16 ≈ 15 too high (the "up to 15 above DCMTK and GDCM" the viewer tests measured); the clamp
 * bounds are off the same way. The transform puts the right constants in, for any precision
 * (8-bit unchanged: 2056, 2024, 255). The text it replaces is checked: a loader upgrade that
 * changes it fails the build rather than silently skipping the fix.
 */
const FILE = /@cornerstonejs[\\/]dicom-image-loader[\\/]dist[\\/]esm[\\/]codecs[\\/]jpeg\.js$/;
const WRONG =
  /q\s*<=\s*-2056 \/ component\.bitConversion\s*\?\s*0\s*:\s*q\s*>=\s*2024 \/ component\.bitConversion\s*\?\s*255 \/ component\.bitConversion\s*:\s*\(q \+ 2056 \/ component\.bitConversion\) >> 4/;
// max = 2^P − 1; the level shift 2^(P−1) = (max + 1)/2, times 16, plus 8 to round.
const RIGHT =
  '(function (max) { var shift = (max + 1) * 8 + 8; return q <= -shift ? 0 : q >= (max - (max + 1) / 2) * 16 - 8 ? max : (q + shift) >> 4; })(Math.round(255 / component.bitConversion))';

export function jpeg12LevelShift() {
  return {
    name: 'studyshare-jpeg12-level-shift',
    transform(code, id) {
      if (!FILE.test(id.split('?')[0])) return null;
      if (!WRONG.test(code)) throw new Error(`${id}: the 12-bit JPEG level shift to correct is not where it was (loader upgraded?): check scripts/jpeg12-level-shift.mjs`);
      return { code: code.replace(WRONG, RIGHT), map: null };
    },
  };
}
