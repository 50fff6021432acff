/**
 * Seeded randomness for the demo's phantoms: the same seed gives the same images on every
 * machine, so a demo study looks the same everywhere and tests can check known pixels.
 */

/** mulberry32: a small, fast 32-bit generator; plenty for image texture, not for secrets. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal quantiles at 4096 evenly spaced probabilities: drawing from this table is
 * several times quicker than Box–Muller, and image noise needs no better. */
const NORMAL_TABLE = (() => {
  const table = new Float32Array(4096);
  // Acklam's rational approximation of the inverse normal CDF (relative error < 1.2e-9).
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628274631];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const quantile = (p: number): number => {
    if (p < 0.02425) {
      const q = Math.sqrt(-2 * Math.log(p));
      return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - 0.02425) return -quantile(1 - p);
    const q = p - 0.5;
    const r = q * q;
    return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  };
  for (let i = 0; i < table.length; i++) table[i] = quantile((i + 0.5) / table.length);
  return table;
})();

/** Normally distributed values, mean 0, standard deviation 1 (from the quantile table). */
export function gaussian(random: () => number): () => number {
  return () => NORMAL_TABLE[(random() * 4096) | 0];
}

/** A lattice hash → [0, 1): the same (x, y, z, seed) always gives the same value. */
function lattice(x: number, y: number, z: number, seed: number): number {
  let h = Math.imul(x, 374761393) ^ Math.imul(y, 668265263) ^ Math.imul(z, 2147483647) ^ Math.imul(seed, 1274126177);
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

const smooth = (t: number): number => t * t * (3 - 2 * t);

/** Smooth value noise in [0, 1) over 3D space (one unit = one lattice cell): tissue texture.
 * Written out without helpers: it runs hundreds of thousands of times per image. */
export function valueNoise3(x: number, y: number, z: number, seed: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const z0 = Math.floor(z);
  const fx = smooth(x - x0);
  const fy = smooth(y - y0);
  const fz = smooth(z - z0);
  const c000 = lattice(x0, y0, z0, seed);
  const c100 = lattice(x0 + 1, y0, z0, seed);
  const c010 = lattice(x0, y0 + 1, z0, seed);
  const c110 = lattice(x0 + 1, y0 + 1, z0, seed);
  const c001 = lattice(x0, y0, z0 + 1, seed);
  const c101 = lattice(x0 + 1, y0, z0 + 1, seed);
  const c011 = lattice(x0, y0 + 1, z0 + 1, seed);
  const c111 = lattice(x0 + 1, y0 + 1, z0 + 1, seed);
  const a0 = c000 + (c100 - c000) * fx;
  const b0 = c010 + (c110 - c010) * fx;
  const a1 = c001 + (c101 - c001) * fx;
  const b1 = c011 + (c111 - c011) * fx;
  const p0 = a0 + (b0 - a0) * fy;
  const p1 = a1 + (b1 - a1) * fy;
  return p0 + (p1 - p0) * fz;
}

/** Fractal (several octaves of) value noise in about [0, 1): parenchyma, glandular tissue. */
export function fractalNoise3(x: number, y: number, z: number, seed: number, octaves: number): number {
  let sum = 0;
  let amplitude = 0.5;
  let frequency = 1;
  let total = 0;
  for (let octave = 0; octave < octaves; octave++) {
    sum += amplitude * valueNoise3(x * frequency, y * frequency, z * frequency, seed + octave * 101);
    total += amplitude;
    amplitude *= 0.5;
    frequency *= 2;
  }
  return sum / total;
}

/** Fractal noise sampled on a coarse grid over one plane and read back bilinearly: texture for
 * millions of pixels at the cost of a few thousand noise evaluations. `cell` is in the plane's
 * units (millimetres); the plane is z = `z` in the same units. */
export function texturePlane(
  seed: number,
  z: number,
  originX: number,
  originY: number,
  width: number,
  height: number,
  cell: number,
  octaves: number,
): (x: number, y: number) => number {
  const nx = Math.ceil(width / cell) + 2;
  const ny = Math.ceil(height / cell) + 2;
  const grid = new Float32Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      grid[j * nx + i] = fractalNoise3((originX + i * cell) / (cell * 3), (originY + j * cell) / (cell * 3), z / (cell * 3), seed, octaves);
    }
  }
  return (x, y) => {
    const gx = Math.min(nx - 1.001, Math.max(0, (x - originX) / cell));
    const gy = Math.min(ny - 1.001, Math.max(0, (y - originY) / cell));
    const i = Math.floor(gx);
    const j = Math.floor(gy);
    const fx = gx - i;
    const fy = gy - j;
    const at = j * nx + i;
    const top = grid[at] + (grid[at + 1] - grid[at]) * fx;
    const bottom = grid[at + nx] + (grid[at + nx + 1] - grid[at + nx]) * fx;
    return top + (bottom - top) * fy;
  };
}
