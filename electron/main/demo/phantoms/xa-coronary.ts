/**
 * A left coronary angiogram (RAO caudal-like projection) as an 8-bit cine: chest background
 * with spine, ribs, diaphragm and heart shadow, a catheter up to the left main ostium, and the
 * LAD and circumflex with their branches filling with contrast, then washing out, while the
 * heart beats (the tree swings about its centre once a second).
 */
import { gaussian, seededRandom } from './random';

interface Branch {
  readonly points: ReadonlyArray<readonly [number, number]>;
  readonly radius: number;
}

/** The coronary tree in image fractions (0–1); generated once per seed. */
function coronaryTree(seed: number): Branch[] {
  const random = seededRandom(seed);
  const branches: Branch[] = [];
  const walk = (x: number, y: number, angle: number, length: number, radius: number, depth: number): void => {
    const points: Array<[number, number]> = [[x, y]];
    let a = angle;
    let turn = 0;
    const steps = 24;
    for (let i = 0; i < steps; i++) {
      // Tortuous but smooth: the heading's rate of turn wanders, not the heading itself.
      turn = 0.7 * turn + (random() - 0.5) * 0.16;
      a += turn;
      x += (Math.cos(a) * length) / steps;
      y += (Math.sin(a) * length) / steps;
      points.push([x, y]);
      if (depth < 4 && i > 2 && random() < 0.2 - depth * 0.03) {
        const side = random() < 0.5 ? -1 : 1;
        walk(x, y, a + side * (0.45 + random() * 0.6), length * (0.45 + random() * 0.2), Math.max(1, radius * 0.62), depth + 1);
      }
    }
    // Tapering: the segment carries the radius at its start; thinner further on.
    for (let i = 1; i < points.length; i += 6) {
      branches.push({ points: points.slice(i - 1, Math.min(points.length, i + 6)), radius: radius * (1 - (0.45 * i) / points.length) });
    }
  };
  // Left main from the ostium, dividing into the LAD (down the front) and the circumflex.
  const ostium: [number, number] = [0.36, 0.34];
  branches.push({ points: [ostium, [0.42, 0.36]], radius: 4.2 });
  walk(0.42, 0.36, 1.25, 0.55, 3.4, 0); // LAD
  walk(0.42, 0.36, 0.3, 0.4, 3.0, 0); // circumflex
  return branches;
}

const trees = new Map<number, Branch[]>();

export interface XaCineOptions {
  readonly rows: number;
  readonly columns: number;
  readonly frames: number;
  /** Milliseconds between frames. */
  readonly frameTime: number;
  readonly seed: number;
}

/** The cine's frames, 8-bit, row by row. */
export function xaCoronaryFrames(options: XaCineOptions): Uint8Array[] {
  const { rows, columns } = options;
  let tree = trees.get(options.seed);
  if (tree === undefined) {
    tree = coronaryTree(options.seed);
    trees.set(options.seed, tree);
  }
  // The static background: attenuation of the chest, as a log-exposure image.
  const background = new Float32Array(rows * columns);
  for (let row = 0; row < rows; row++) {
    const v = row / rows;
    for (let column = 0; column < columns; column++) {
      const u = column / columns;
      let mu = 0.55;
      const spine = (u - 0.55) / 0.07;
      mu += 0.35 * Math.exp(-spine * spine); // spine
      const heart = ((u - 0.5) / 0.32) ** 2 + ((v - 0.58) / 0.3) ** 2;
      if (heart < 1) mu += 0.28 * Math.sqrt(1 - heart);
      const dome = 0.78 + 0.1 * ((u - 0.35) / 0.4) ** 2;
      if (v > dome) mu += 0.4 * Math.min(1, (v - dome) * 12); // diaphragm and liver
      const ribPhase = (((v * 8 - 2.2 * (u - 0.5) * (u - 0.5) * 8) % 1) + 1) % 1;
      if (ribPhase < 0.16) mu += 0.07; // ribs
      const edge = Math.sqrt((u - 0.5) * (u - 0.5) + (v - 0.5) * (v - 0.5));
      if (edge > 0.47) mu += (edge - 0.47) * 8; // collimator
      background[row * columns + column] = mu;
    }
  }
  const noise = gaussian(seededRandom(options.seed + 17));
  const frames: Uint8Array[] = [];
  for (let frame = 0; frame < options.frames; frame++) {
    const seconds = (frame * options.frameTime) / 1000;
    // Contrast arrives after a few frames, fills, then washes out.
    const fill = Math.min(1, Math.max(0, (frame - 3) / 6)) * Math.min(1, Math.max(0.1, (options.frames - frame) / 10));
    const beat = 1 + 0.05 * Math.sin(2 * Math.PI * seconds * 1.1);
    const mu = background.slice();
    const paint = (points: ReadonlyArray<readonly [number, number]>, radius: number, strength: number): void => {
      for (let i = 1; i < points.length; i++) {
        const scale = (p: readonly [number, number]): [number, number] => [
          (0.5 + (p[0] - 0.5) * beat) * columns,
          (0.55 + (p[1] - 0.55) * beat) * rows,
        ];
        const [x0, y0] = scale(points[i - 1]);
        const [x1, y1] = scale(points[i]);
        const c0 = Math.max(0, Math.floor(Math.min(x0, x1) - radius - 1));
        const c1 = Math.min(columns - 1, Math.ceil(Math.max(x0, x1) + radius + 1));
        const r0 = Math.max(0, Math.floor(Math.min(y0, y1) - radius - 1));
        const r1 = Math.min(rows - 1, Math.ceil(Math.max(y0, y1) + radius + 1));
        const vx = x1 - x0;
        const vy = y1 - y0;
        const lengthSquared = vx * vx + vy * vy || 1;
        for (let row = r0; row <= r1; row++) {
          for (let column = c0; column <= c1; column++) {
            const t = Math.min(1, Math.max(0, ((column - x0) * vx + (row - y0) * vy) / lengthSquared));
            const ex = x0 + t * vx - column;
            const ey = y0 + t * vy - row;
            const distanceSquared = ex * ex + ey * ey;
            if (distanceSquared >= radius * radius) continue;
            // Path length through a cylinder: deepest at its centre line.
            const chord = Math.sqrt(1 - distanceSquared / (radius * radius));
            const index = row * columns + column;
            mu[index] = Math.max(mu[index], background[index] + strength * chord);
          }
        }
      }
    };
    // The catheter: always visible, up the descending aorta and over the arch to the ostium.
    paint(
      Array.from({ length: 40 }, (_, i): [number, number] => {
        // Up the descending aorta, round the arch, hooked into the left main (a Judkins left).
        const t = i / 39;
        const x = 0.62 - 0.1 * t - 0.18 * Math.max(0, t - 0.6) * 2.2 + 0.05 * Math.sin(t * Math.PI);
        const y = 1.02 - 0.85 * t + 0.5 * Math.max(0, t - 0.75) ** 2 * 6;
        return [x, y];
      }),
      2.2,
      0.45,
    );
    if (fill > 0) for (const branch of tree) paint(branch.points, branch.radius * (rows / 512), 0.7 * fill);
    const out = new Uint8Array(rows * columns);
    for (let i = 0; i < out.length; i++) {
      const value = 235 * Math.exp(-1.25 * mu[i]) + noise() * 2.5;
      out[i] = Math.max(0, Math.min(255, Math.round(value)));
    }
    frames.push(out);
  }
  return frames;
}
