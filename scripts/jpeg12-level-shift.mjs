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

/**
 * The second correction, in the same plugin (both builds already load it): uncompressed
 * YBR_FULL_422 (`imageLoader/isColorConversionRequired.js`). The loader reads such a frame as two
 * bytes a pixel (Y1 Y2 Cb Cr for each pair, PS3.3 C.7.6.3.1.2) and has the converter for it
 * (`convertYBRFull422ByPixel`), but decides whether to convert with 4:2:0's length formula, about
 * 1.5 bytes a pixel, so a native 4:2:2 frame (2 bytes a pixel) was never converted and came out as
 * a short, undrawable array. The right length is four bytes for each pair of columns, every row.
 * JPEG-compressed YBR_FULL_422 is unaffected: its decoder hands back 3 bytes a pixel, which neither
 * formula matches.
 */
const YBR422_FILE = /@cornerstonejs[\\/]dicom-image-loader[\\/]dist[\\/]esm[\\/]imageLoader[\\/]isColorConversionRequired\.js$/;
const YBR422_WRONG =
  /\(3 \* Math\.ceil\(columns \/ 2\) \+ Math\.floor\(columns \/ 2\)\) \*\s*Math\.ceil\(rows \/ 2\) \+\s*Math\.floor\(rows \/ 2\) \* columns\)/;
const YBR422_RIGHT = '4 * Math.ceil(columns / 2) * rows)';

export function jpeg12LevelShift() {
  return {
    name: 'studyshare-jpeg12-level-shift',
    transform(code, id) {
      const file = id.split('?')[0];
      if (YBR422_FILE.test(file)) {
        if (!YBR422_WRONG.test(code)) throw new Error(`${id}: the YBR_FULL_422 length test to correct is not where it was (loader upgraded?): check scripts/jpeg12-level-shift.mjs`);
        return { code: code.replace(YBR422_WRONG, YBR422_RIGHT), map: null };
      }
      if (!FILE.test(file)) return null;
      if (!WRONG.test(code)) throw new Error(`${id}: the 12-bit JPEG level shift to correct is not where it was (loader upgraded?): check scripts/jpeg12-level-shift.mjs`);
      return { code: code.replace(WRONG, RIGHT), map: null };
    },
  };
}
