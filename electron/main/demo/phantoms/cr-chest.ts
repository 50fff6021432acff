/**
 * A PA chest radiograph from the chest CT phantom's geometry: the same lungs (with their vessel
 * tree projected), heart, spine, ribs, clavicles and domes of the diaphragm, as a log-exposure
 * image (higher value = more exposure, as a CR plate reads it; shown MONOCHROME1 so bone is white).
 */
import { vesselTree } from './ct-chest';
import { gaussian, seededRandom, texturePlane } from './random';

export interface CrChestOptions {
  readonly rows: number;
  readonly columns: number;
  /** Detector pixel spacing, mm (Imager Pixel Spacing). */
  readonly pixelSpacing: number;
  readonly seed: number;
}

/** Where things are on the radiograph, in patient x (mm) and depth below the apices (mm). */
export const CR_CHEST_LANDMARKS = {
  /** Mid right lung: dark on a MONOCHROME2 rendering, high stored value (MONOCHROME1). */
  rightLung: { x: -80, depth: 120 },
  /** Below the right dome, over the liver: low stored value. */
  liver: { x: -80, depth: 320 },
  /** Outside the body, beside the neck: direct exposure. */
  direct: { x: -160, depth: -40 },
} as const;

/** Row and column of a landmark on an image made with these options. */
export function crPixelOf(options: CrChestOptions, point: { x: number; depth: number }): { row: number; column: number } {
  return {
    column: Math.round(point.x / options.pixelSpacing + options.columns / 2),
    row: Math.round((point.depth + 70) / options.pixelSpacing),
  };
}

/** 12-bit stored values, row by row. */
export function crChestImage(options: CrChestOptions): Uint16Array {
  const { rows, columns, pixelSpacing } = options;
  const left = -(columns / 2) * pixelSpacing;
  const top = -70;
  const mu = new Float32Array(rows * columns);
  const texture = texturePlane(options.seed, 0, left, top, columns * pixelSpacing, rows * pixelSpacing, 6, 3);
  for (let row = 0; row < rows; row++) {
    const d = top + row * pixelSpacing;
    for (let column = 0; column < columns; column++) {
      const x = left + column * pixelSpacing;
      mu[row * columns + column] = attenuation(x, d, texture);
    }
  }
  // Lung vessels: the CT phantom's tree seen from the front, faint where it overlaps.
  for (const segment of vesselTree(options.seed)) {
    const r = segment.radius * 1.1;
    const [x0, y0, x1, y1] = [segment.x0, segment.z0, segment.x1, segment.z1];
    const c0 = Math.max(0, Math.floor((Math.min(x0, x1) - r - left) / pixelSpacing));
    const c1 = Math.min(columns - 1, Math.ceil((Math.max(x0, x1) + r - left) / pixelSpacing));
    const r0 = Math.max(0, Math.floor((Math.min(y0, y1) - r - top) / pixelSpacing));
    const r1 = Math.min(rows - 1, Math.ceil((Math.max(y0, y1) + r - top) / pixelSpacing));
    const vx = x1 - x0;
    const vy = y1 - y0;
    const lengthSquared = vx * vx + vy * vy || 1;
    for (let row = r0; row <= r1; row++) {
      const y = top + row * pixelSpacing;
      for (let column = c0; column <= c1; column++) {
        const x = left + column * pixelSpacing;
        const t = Math.min(1, Math.max(0, ((x - x0) * vx + (y - y0) * vy) / lengthSquared));
        const ex = x0 + t * vx - x;
        const ey = y0 + t * vy - y;
        const distanceSquared = ex * ex + ey * ey;
        if (distanceSquared >= r * r) continue;
        mu[row * columns + column] += 0.05 * segment.radius * Math.sqrt(1 - distanceSquared / (r * r));
      }
    }
  }
  const noise = gaussian(seededRandom(options.seed + 31));
  const out = new Uint16Array(rows * columns);
  for (let i = 0; i < out.length; i++) {
    // Log exposure: direct exposure reads high (~3700), bone and abdomen low.
    const value = 3700 - 720 * mu[i] + noise() * 12;
    out[i] = Math.max(0, Math.min(4095, Math.round(value)));
  }
  return out;
}

function ellipseQ(x: number, y: number, cx: number, cy: number, ax: number, ay: number): number {
  const dx = (x - cx) / ax;
  const dy = (y - cy) / ay;
  return dx * dx + dy * dy;
}

/** Thickness of an ellipsoid-like body through (x, y), as a fraction of its full depth. */
function chord(q: number): number {
  return q < 1 ? Math.sqrt(1 - q) : 0;
}

function attenuation(x: number, d: number, texture: (x: number, y: number) => number): number {
  let mu = 0;
  // Neck, then shoulders and chest, then the abdomen: the body's width along its length.
  const halfWidth = d < -10 ? 62 : d < 40 ? 62 + (d + 10) * 2.1 : 166 - Math.max(0, d - 250) * 0.25;
  const across = Math.abs(x) / halfWidth;
  if (across < 1) mu += 2.6 * Math.sqrt(1 - across * across);
  // Lungs replace tissue with air: less attenuation, most where they are thickest.
  const dome = x < 0 ? 232 + 0.004 * (x + 60) * (x + 60) : 248 + 0.004 * (x - 60) * (x - 60);
  for (const cx of [-76, 78]) {
    const q = ellipseQ(x, d, cx, 125, 66, 150);
    const base = dome;
    const behindHeart = ellipseQ(x, d, 22, 200, 80, 60) < 1 ? 0.45 : 1;
    if (q < 1 && d < base && d > -5) mu -= 1.6 * behindHeart * chord(q) * (0.9 + 0.2 * texture(x, d));
  }
  // Mediastinum and heart: a silhouette bulging to the left at the bottom.
  const mediastinum = ellipseQ(x, d, 4, 110, 34, 150);
  if (mediastinum < 1) mu += 0.35 * chord(mediastinum);
  const heart = ellipseQ(x, d, 22, 200, 80, 60);
  if (heart < 1) mu += 0.35 * chord(heart);
  // Below the domes of the diaphragm: liver and abdomen.
  if (d > dome && across < 1) mu += 1.2 * Math.min(1, (d - dome) / 25);
  // Spine: a column of vertebrae behind the mediastinum, discs between them.
  if (Math.abs(x) < 22 && d > -70) mu += (((d + 14) % 28) + 28) % 28 < 5 ? 0.15 : 0.3;
  // Posterior ribs: arcs from the spine, curving down laterally, 26 mm apart.
  if (Math.abs(x) > 18 && across < 0.93 && d > -10 && d < 250) {
    const s = Math.abs(x) - 18;
    const along = d - 0.006 * s * s + 0.25 * s;
    const phase = (((along % 26) + 26) % 26) / 26;
    if (phase < 0.36 && along < 230) mu += phase < 0.07 || phase > 0.29 ? 0.3 : 0.18;
  }
  // Clavicles: from the sternal notch up and out to the shoulders.
  if (Math.abs(x) < 150) {
    const y = 5 - Math.abs(x) * 0.22 + 0.0012 * x * x;
    if (Math.abs(d - y) < 7) mu += Math.abs(d - y) > 5 ? 0.6 : 0.4;
  }
  return mu;
}
