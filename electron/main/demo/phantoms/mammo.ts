/**
 * A processed ("for presentation") craniocaudal mammogram: a compressed breast against the
 * chest wall with skin line, subcutaneous fat, fibroglandular tissue denser towards the nipple
 * region, Cooper's ligaments, and, in one breast, a small cluster of calcifications. The chest
 * wall is at the image edge the view's orientation says (right breast: right edge).
 */
import { gaussian, seededRandom, texturePlane } from './random';

export interface MammoOptions {
  readonly rows: number;
  readonly columns: number;
  /** mm per pixel at the detector. */
  readonly pixelSpacing: number;
  readonly laterality: 'R' | 'L';
  /** Calcifications to draw (0 for none). */
  readonly calcifications: number;
  readonly seed: number;
}

/** Sample points for tests: (row, column) in image fractions. */
export const MAMMO_LANDMARKS = {
  /** Background beside the nipple, far from the chest wall: no breast. */
  background: { rowFraction: 0.05, fromChestWall: 0.95 },
  /** Retroareolar tissue: breast. */
  breast: { rowFraction: 0.5, fromChestWall: 0.35 },
} as const;

/** 12-bit stored values (MONOCHROME2: dense tissue bright), row by row. */
export function mammoImage(options: MammoOptions): Uint16Array {
  const { rows, columns, pixelSpacing } = options;
  const width = columns * pixelSpacing;
  const height = rows * pixelSpacing;
  const random = seededRandom(options.seed);
  const noise = gaussian(seededRandom(options.seed + 5));
  const gland = texturePlane(options.seed, 0, 0, 0, width, height, 4, 4);
  const fine = texturePlane(options.seed + 9, 3, 0, 0, width, height, 1.2, 2);
  // Breast outline: a half-ellipse from the chest wall, nipple about 120 mm out.
  const depth = Math.min(width * 0.72, 125 + random() * 15);
  const halfHeight = height * (0.36 + random() * 0.04);
  const centre = height * 0.52;
  const calcs = Array.from({ length: options.calcifications }, () => ({
    u: depth * (0.45 + random() * 0.06),
    v: centre - halfHeight * 0.2 + random() * 8,
    r: 0.2 + random() * 0.25,
  }));
  const out = new Uint16Array(rows * columns);
  for (let row = 0; row < rows; row++) {
    const v = row * pixelSpacing;
    for (let column = 0; column < columns; column++) {
      // u: mm from the chest wall towards the nipple.
      const x = column * pixelSpacing;
      const u = options.laterality === 'R' ? width - x : x;
      const q = (u / depth) ** 2 + ((v - centre) / halfHeight) ** 2;
      let value: number;
      if (q > 1) {
        value = 60; // no breast: direct exposure, shown black
      } else {
        const edge = (1 - Math.sqrt(q)) * depth; // mm inside the skin
        const thickness = Math.sqrt(1 - q); // the compressed breast thins towards its edge
        // Fibroglandular tissue: densest behind the nipple, fading towards the chest wall and skin.
        const cone = Math.exp(-(((v - centre) / (halfHeight * 0.55)) ** 2)) * (0.4 + 0.6 * Math.min(1, u / (depth * 0.5)));
        const density = Math.max(0, gland(x, v) - 0.62 + 0.55 * cone) * Math.min(1, edge / 12);
        const ligament = Math.abs(fine(x, v) - 0.5) < 0.012 && edge > 3 ? 140 : 0;
        value = 700 + 900 * thickness + 2600 * density + ligament;
        if (edge < 1.5) value += 350; // skin line
      }
      for (const calc of calcs) {
        if ((u - calc.u) ** 2 + (v - calc.v) ** 2 < calc.r * calc.r) value = 3900;
      }
      out[row * columns + column] = Math.max(0, Math.min(4095, Math.round(value + noise() * 18)));
    }
  }
  return out;
}
