/**
 * A head phantom for axial MR (T1, T2, FLAIR contrasts) and CT (HU): scalp, skull with marrow,
 * CSF spaces, a cortical ribbon folded into gyri, white matter, lateral and third ventricles,
 * deep grey nuclei, cerebellum with folia, brainstem and orbits. Patient coordinates (LPS, mm);
 * `height` is millimetres above the orbitomeatal plane.
 */
import { gaussian, seededRandom, texturePlane } from './random';

export type HeadTissue = 'air' | 'scalp' | 'bone' | 'marrow' | 'csf' | 'grey' | 'white' | 'vitreous' | 'lens' | 'muscle' | 'fat';

export type HeadContrast = 'T1' | 'T2' | 'FLAIR' | 'CT';

/** Signal per tissue: MR in arbitrary 12-bit units, CT in HU. */
const SIGNAL: Readonly<Record<HeadContrast, Readonly<Record<HeadTissue, number>>>> = {
  T1: { air: 0, scalp: 1350, bone: 60, marrow: 900, csf: 180, grey: 620, white: 940, vitreous: 160, lens: 700, muscle: 480, fat: 1300 },
  T2: { air: 0, scalp: 850, bone: 60, marrow: 520, csf: 1750, grey: 820, white: 560, vitreous: 1800, lens: 300, muscle: 330, fat: 850 },
  FLAIR: { air: 0, scalp: 900, bone: 60, marrow: 500, csf: 120, grey: 860, white: 620, vitreous: 140, lens: 300, muscle: 350, fat: 850 },
  CT: { air: -1000, scalp: 20, bone: 1250, marrow: 500, csf: 6, grey: 38, white: 27, vitreous: 12, lens: 90, muscle: 45, fat: -90 },
};

export const HEAD_LANDMARKS = {
  /** The right lateral ventricle's body (x, y) at heights 40–60 mm: CSF. */
  rightVentricle: { x: -11, y: 3 },
  /** Centrum semiovale (x, y) at heights 66–80 mm: white matter. */
  whiteMatter: { x: -30, y: 10 },
} as const;

/** Half-axes of the head outline at a height, mm. */
function headAxes(height: number): { ax: number; ay: number } {
  const above = Math.max(0, height - 35);
  const scale = Math.sqrt(Math.max(0, 1 - (above / 100) ** 2));
  return { ax: 74 * scale, ay: 94 * scale };
}

const inEllipse = (x: number, y: number, cx: number, cy: number, ax: number, ay: number): boolean =>
  ((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2 <= 1;

/** The tissue at a point; `texture` gives the gyral pattern. */
export function headTissueAt(x: number, y: number, height: number, texture: (x: number, y: number) => number): HeadTissue {
  const { ax, ay } = headAxes(height);
  if (ax < 5) return 'air';
  const q = Math.sqrt((x / ax) ** 2 + ((y - 5) / ay) ** 2);
  if (height > 0 && height < 25 && inEllipse(x, y, 0, -ay - 2, 9, 14)) return 'muscle'; // nose
  if (q > 1) return 'air';
  const fromSurface = (1 - q) * Math.min(ax, ay); // mm below the scalp surface, roughly
  if (fromSurface < 5) return 'scalp';
  if (height < 28) {
    // Orbits: globes with lenses, set in the front of the face.
    for (const side of [-1, 1]) {
      if (inEllipse(x, y, side * 31, -ay + 26, 12, 12) && height > -5 && height < 25) {
        return inEllipse(x, y, side * 31, -ay + 16, 5, 2.5) ? 'lens' : 'vitreous';
      }
      if (inEllipse(x, y, side * 30, -ay + 40, 14, 20) && height > -5 && height < 28) return 'fat'; // retro-orbital fat
    }
  }
  if (fromSurface < 12) return fromSurface < 7.5 || fromSurface > 10.5 ? 'bone' : 'marrow';
  if (fromSurface < 14) return 'csf';
  // Inside the skull.
  const bx = x;
  const by = y - 5;
  if (height < 22) {
    if (inEllipse(bx, by, 0, 58, 50, 30)) {
      // Cerebellum: folia as fine parallel bands of grey and white.
      if (inEllipse(bx, by, 0, 42, 5, 5)) return 'csf'; // fourth ventricle
      const folia = Math.sin(Math.hypot(bx, by - 20) * 1.4 + texture(x, y) * 6);
      return folia > 0.2 ? 'grey' : 'white';
    }
    if (inEllipse(bx, by, 0, 22, 15, 14)) return 'white'; // pons
    if (inEllipse(bx, by, 0, 22, 20, 18)) return 'csf'; // prepontine cistern
  }
  // Midline fissure, sparing the corpus callosum.
  if (height > 22 && Math.abs(bx) < 1.4 && !(height > 38 && height < 62 && Math.abs(by) < 35)) return 'csf';
  if (height > 36 && height < 66) {
    for (const side of [-1, 1]) {
      // Lateral ventricles: bodies splaying towards frontal and occipital horns.
      const u = bx - side * 11;
      const v = by + 2;
      const bend = side * 0.12 * v;
      if (inEllipse(u - bend, v, 0, 0, 5.5, 30) && !(height > 58 && Math.abs(v) > 20)) return 'csf';
    }
  }
  if (height > 24 && height < 42) {
    if (Math.abs(bx) < 2.2 && Math.abs(by - 5) < 14) return 'csf'; // third ventricle
    for (const side of [-1, 1]) {
      if (inEllipse(bx, by, side * 14, 10, 10, 14)) return 'grey'; // thalamus
      if (inEllipse(bx, by, side * 15, -18, 7, 9)) return 'grey'; // caudate head
      if (inEllipse(bx, by, side * 26, -4, 6, 16)) return 'grey'; // lentiform nucleus
    }
  }
  // Cortex: a ribbon under the surface, folded along sulci where the texture crosses mid-grey.
  const brainDepth = fromSurface - 14;
  const fold = Math.abs(texture(x, y) - 0.5);
  if (brainDepth < 22 && fold < 0.018 * (1 - brainDepth / 22) + 0.003) return 'csf'; // sulcus
  if (brainDepth < 3 || (brainDepth < 24 && fold < 0.07 * (1 - brainDepth / 26))) return 'grey';
  return 'white';
}

export interface HeadSliceGeometry {
  readonly height: number;
  readonly rows: number;
  readonly columns: number;
  readonly pixelSpacing: number;
  readonly originX: number;
  readonly originY: number;
  readonly seed: number;
}

const TISSUES: readonly HeadTissue[] = ['air', 'scalp', 'bone', 'marrow', 'csf', 'grey', 'white', 'vitreous', 'lens', 'muscle', 'fat'];

/** The slice's tissue labels (indexes into the tissue list): costly, so computed once and
 * shown in as many contrasts as the study has. */
export function headLabels(geometry: HeadSliceGeometry): Uint8Array {
  const { rows, columns, pixelSpacing, originX, originY, height } = geometry;
  const texture = texturePlane(geometry.seed, height, originX, originY, columns * pixelSpacing, rows * pixelSpacing, 3.2, 2);
  const out = new Uint8Array(rows * columns);
  for (let row = 0; row < rows; row++) {
    const y = originY + row * pixelSpacing;
    for (let column = 0; column < columns; column++) {
      const x = originX + column * pixelSpacing;
      out[row * columns + column] = TISSUES.indexOf(headTissueAt(x, y, height, texture));
    }
  }
  return out;
}

/** The labels as one contrast would show them: MR signal (non-negative, a magnitude image's
 * noise floor, a receive coil's shading) or CT HU, with noise. */
export function headSignal(labels: Uint8Array, geometry: HeadSliceGeometry, contrast: HeadContrast, noiseLevel: number, noiseSeed: number): Float32Array {
  const { rows, columns, pixelSpacing, originY } = geometry;
  const signal = TISSUES.map((tissue) => SIGNAL[contrast][tissue]);
  const noise = gaussian(seededRandom(noiseSeed * 104729 + Math.round(geometry.height * 10)));
  const mr = contrast !== 'CT';
  const out = new Float32Array(rows * columns);
  for (let row = 0; row < rows; row++) {
    const shading = 1 + 0.12 * ((originY + row * pixelSpacing) / 100);
    for (let column = 0; column < columns; column++) {
      const index = row * columns + column;
      let value = signal[labels[index]];
      if (mr) {
        value *= shading;
        const re = value + noise() * noiseLevel;
        const im = noise() * noiseLevel;
        value = Math.sqrt(re * re + im * im);
      } else {
        value += noise() * noiseLevel;
      }
      out[index] = value;
    }
  }
  return out;
}
