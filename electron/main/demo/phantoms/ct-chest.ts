/**
 * A chest CT phantom in Hounsfield units: body wall (skin, fat, muscle), ribs, sternum, spine
 * with discs, scapulae, lungs with a branching vessel tree, trachea and bronchi, heart, aorta,
 * pulmonary trunk, liver, stomach with an air–fluid level and spleen below the domes of the
 * diaphragm, and the table — all defined in patient coordinates (LPS, millimetres), so every
 * slice of a stack agrees with its neighbours and its Image Position. Depth `d` runs from the
 * lung apices (0) down towards the abdomen.
 */
import { gaussian, seededRandom, texturePlane } from './random';

export const HU = {
  air: -1000,
  lung: -850,
  fat: -100,
  water: 0,
  softTissue: 40,
  muscle: 50,
  liver: 60,
  blood: 40,
  contrastBlood: 320,
  cancellousBone: 250,
  corticalBone: 900,
} as const;

/** Where the phantom's organs are, for tests that check pixels against anatomy. */
export const CT_CHEST_LANDMARKS = {
  /** Centre of the right lung (x, y) at depths 60–200. */
  rightLung: { x: -78, y: 10 },
  /** Centre of a vertebral body (x, y): cancellous bone, or a disc at disc levels. */
  vertebralBody: { x: 0, y: 72 },
  /** Anterior body wall fat, just under the skin (x, y) at depths 40–220. */
  anteriorFat: { x: 0, y: -97 },
  /** Descending aorta (x, y) at depths ≥ 70. */
  descendingAorta: { x: 24, y: 48 },
  /** The right lower lobe nodule's centre (x, y, depth). */
  nodule: { x: -100, y: 35, depth: 190 },
  /** Liver (x, y) at depths ≥ 280. */
  liver: { x: -70, y: 10 },
} as const;

/** Depth of the disc spaces: a vertebral level every 28 mm, the disc its first 5 mm. */
export function isDiscLevel(depth: number): boolean {
  const phase = (((depth + 14) % 28) + 28) % 28;
  return phase < 5;
}

type Texture = (x: number, y: number) => number;

const BODY = { cx: 0, cy: 8, ax: 166, ay: 112 };

function inEllipse(x: number, y: number, cx: number, cy: number, ax: number, ay: number): boolean {
  const dx = (x - cx) / ax;
  const dy = (y - cy) / ay;
  return dx * dx + dy * dy <= 1;
}

function ellipseQ(x: number, y: number, cx: number, cy: number, ax: number, ay: number): number {
  const dx = (x - cx) / ax;
  const dy = (y - cy) / ay;
  return dx * dx + dy * dy;
}

const smoothstep = (a: number, b: number, t: number): number => {
  const u = Math.min(1, Math.max(0, (t - a) / (b - a)));
  return u * u * (3 - 2 * u);
};

const LUNGS = [
  { side: 'right', cx: -76, dome: 228 },
  { side: 'left', cx: 78, dome: 244 },
] as const;
const LUNG_AX = 70;
const LUNG_AY = 92;

/** Lung outlines: each lung grows from its apex and ends on its dome of the diaphragm (the
 * chest wall, drawn first, trims them to its inner curve). */
function lungAt(x: number, y: number, depth: number): 'right' | 'left' | null {
  if (depth < 0) return null;
  if (depth > 20 && inEllipse(x, y, 2, 12, 30, 100)) return null; // mediastinum
  const growth = 0.35 + 0.65 * smoothstep(0, 70, depth);
  for (const lung of LUNGS) {
    const q = ellipseQ(x, y, lung.cx, 10, LUNG_AX * growth, LUNG_AY * growth);
    if (q > 1) continue;
    // The dome is highest centrally; the costophrenic recesses reach ~40 mm lower.
    if (depth > lung.dome + 42 * q) continue;
    if (lung.side === 'left' && inHeart(x, y, depth, 6)) continue;
    return lung.side;
  }
  return null;
}

const HEART_COS = Math.cos(0.61);
const HEART_SIN = Math.sin(0.61);

function inHeart(x: number, y: number, depth: number, margin = 0): boolean {
  const span = (depth - 190) / 68;
  if (span <= -1 || span >= 1) return false;
  const scale = Math.sqrt(1 - span * span);
  // The long axis points forward and to the left: rotate the frame by 35°.
  const dx = x - 26;
  const dy = y + 16;
  const u = dx * HEART_COS + dy * HEART_SIN;
  const v = -dx * HEART_SIN + dy * HEART_COS;
  const a = (58 + margin) * scale;
  const b = (45 + margin) * scale;
  return (u * u) / (a * a) + (v * v) / (b * b) <= 1;
}

interface VesselSegment {
  readonly x0: number;
  readonly y0: number;
  readonly z0: number;
  readonly x1: number;
  readonly y1: number;
  readonly z1: number;
  readonly radius: number;
}

/** Pulmonary vessels: a tree branching from each hilum, kept inside its lung. */
export function vesselTree(seed: number): VesselSegment[] {
  const random = seededRandom(seed);
  const segments: VesselSegment[] = [];
  interface Bud {
    readonly x: number;
    readonly y: number;
    readonly z: number;
    readonly dx: number;
    readonly dy: number;
    readonly dz: number;
    readonly length: number;
    readonly radius: number;
  }
  // Breadth first from each root, so every lobe gets its share of a bounded number of branches.
  const growRoot = (root: Bud, side: 'right' | 'left', budget: number): void => {
    const cx = side === 'right' ? -76 : 78;
    const queue: Bud[] = [root];
    let grown = 0;
    while (queue.length > 0 && grown < budget) {
      const bud = queue.shift() as Bud;
      if (bud.radius < 0.6) continue;
      const norm = Math.hypot(bud.dx, bud.dy, bud.dz);
      let [ux, uy, uz] = [bud.dx / norm, bud.dy / norm, bud.dz / norm];
      let x1 = bud.x + ux * bud.length;
      let y1 = bud.y + uy * bud.length;
      let z1 = bud.z + uz * bud.length;
      if (lungAt(x1, y1, z1) !== side) {
        // Bend back towards the middle of the lung rather than leave it.
        const toCentre = Math.hypot(cx - bud.x, 10 - bud.y, 140 - bud.z);
        [ux, uy, uz] = [(cx - bud.x) / toCentre, (10 - bud.y) / toCentre, (140 - bud.z) / toCentre];
        x1 = bud.x + ux * bud.length * 0.6;
        y1 = bud.y + uy * bud.length * 0.6;
        z1 = bud.z + uz * bud.length * 0.6;
        if (lungAt(x1, y1, z1) !== side) continue;
      }
      segments.push({ x0: bud.x, y0: bud.y, z0: bud.z, x1, y1, z1, radius: bud.radius });
      grown++;
      for (let child = 0; child < 2; child++) {
        queue.push({
          x: x1,
          y: y1,
          z: z1,
          dx: ux + (random() - 0.5) * 1.6,
          dy: uy + (random() - 0.5) * 1.6,
          dz: uz + (random() - 0.5) * 1.6,
          length: bud.length * (0.74 + random() * 0.12),
          radius: bud.radius * (0.78 + random() * 0.08),
        });
      }
    }
  };
  for (const side of ['right', 'left'] as const) {
    const hx = side === 'right' ? -40 : 42;
    const out = side === 'right' ? -1 : 1;
    for (const [dx, dy, dz] of [
      [0.2 * out, -0.2, -1],
      [0.3 * out, 0.4, -1],
      [0.2 * out, -0.3, 1],
      [0.3 * out, 0.5, 1],
      [out, 0.2, 0.1],
      [out, -0.6, 0.3],
      [out * 0.6, -0.7, -0.5],
      [out * 0.5, 0.8, 0.6],
      [out * 0.7, 0.6, -0.4],
    ]) {
      growRoot({ x: hx, y: 8, z: 135, dx, dy, dz, length: 30, radius: 4.5 }, side, 260);
    }
  }
  return segments;
}

const treeCache = new Map<number, VesselSegment[]>();

/** Where a slice is and how it is sampled. */
export interface CtSliceGeometry {
  /** Depth below the lung apices, millimetres. */
  readonly depth: number;
  readonly rows: number;
  readonly columns: number;
  readonly pixelSpacing: number;
  /** Patient coordinates (x, y) of the first pixel's centre. */
  readonly originX: number;
  readonly originY: number;
  /** Iodinated contrast in the vessels and heart (CT angiography). */
  readonly contrast: boolean;
  readonly seed: number;
}

/** What differs between two scans of the same anatomy: the nodule's size and the noise. */
export interface CtScanOptions {
  /** A solid nodule in the right lower lobe (radius in mm; 0 for none): what a prior is compared for. */
  readonly noduleRadius: number;
  /** Noise standard deviation, HU. */
  readonly noise: number;
  /** Seeds the noise: two scans of one patient differ in it. */
  readonly noiseSeed: number;
}

/** One axial slice as scanned: anatomy, then the nodule and noise of this scan. */
export function ctChestSliceHu(options: CtSliceGeometry & CtScanOptions): Float32Array {
  return scanOf(ctChestAnatomyHu(options), options, options);
}

/** The slice's anatomy in HU without noise, row by row (rows run anterior → posterior,
 * columns from the patient's right to left). Costly: compute once, scan it more than once. */
export function ctChestAnatomyHu(options: CtSliceGeometry): Float32Array {
  const { depth, rows, columns, pixelSpacing, originX, originY, contrast } = options;
  const out = new Float32Array(rows * columns);
  const vesselHu = contrast ? HU.contrastBlood : HU.blood;
  const disc = isDiscLevel(depth);
  let tree = treeCache.get(options.seed);
  if (tree === undefined) {
    tree = vesselTree(options.seed);
    treeCache.set(options.seed, tree);
  }
  const { ax, ay, cx, cy } = BODY;
  const texture = texturePlane(options.seed, depth, originX, originY, columns * pixelSpacing, rows * pixelSpacing, 2.5, 3);
  for (let row = 0; row < rows; row++) {
    const y = originY + row * pixelSpacing;
    for (let column = 0; column < columns; column++) {
      const x = originX + column * pixelSpacing;
      out[row * columns + column] = tissueAt(x, y, depth, disc, vesselHu, texture, ax, ay, cx, cy);
    }
  }
  // Vessels: rasterise only the segments that cross this slice, within their bounding boxes.
  for (const segment of tree) {
    const zMin = Math.min(segment.z0, segment.z1) - segment.radius;
    const zMax = Math.max(segment.z0, segment.z1) + segment.radius;
    if (depth < zMin || depth > zMax) continue;
    const xMin = Math.min(segment.x0, segment.x1) - segment.radius;
    const xMax = Math.max(segment.x0, segment.x1) + segment.radius;
    const yMin = Math.min(segment.y0, segment.y1) - segment.radius;
    const yMax = Math.max(segment.y0, segment.y1) + segment.radius;
    const c0 = Math.max(0, Math.floor((xMin - originX) / pixelSpacing));
    const c1 = Math.min(columns - 1, Math.ceil((xMax - originX) / pixelSpacing));
    const r0 = Math.max(0, Math.floor((yMin - originY) / pixelSpacing));
    const r1 = Math.min(rows - 1, Math.ceil((yMax - originY) / pixelSpacing));
    const vx = segment.x1 - segment.x0;
    const vy = segment.y1 - segment.y0;
    const vz = segment.z1 - segment.z0;
    const lengthSquared = vx * vx + vy * vy + vz * vz;
    for (let row = r0; row <= r1; row++) {
      const y = originY + row * pixelSpacing;
      for (let column = c0; column <= c1; column++) {
        const x = originX + column * pixelSpacing;
        const t = Math.min(1, Math.max(0, ((x - segment.x0) * vx + (y - segment.y0) * vy + (depth - segment.z0) * vz) / lengthSquared));
        const px = segment.x0 + t * vx - x;
        const py = segment.y0 + t * vy - y;
        const pz = segment.z0 + t * vz - depth;
        const distance = Math.sqrt(px * px + py * py + pz * pz);
        if (distance > segment.radius + 0.5) continue;
        const index = row * columns + column;
        if (out[index] > -500) continue; // only where lung is
        // Partial volume at the edge: a soft rim rather than a staircase.
        const weight = Math.min(1, segment.radius + 0.5 - distance);
        out[index] = out[index] * (1 - weight) + vesselHu * weight;
      }
    }
  }
  return out;
}

/** A copy of the anatomy with this scan's nodule and noise. */
export function scanOf(anatomy: Float32Array, geometry: CtSliceGeometry, scan: CtScanOptions): Float32Array {
  const out = anatomy.slice();
  if (scan.noduleRadius > 0) paintNodule(out, geometry, scan.noduleRadius);
  const noise = gaussian(seededRandom(scan.noiseSeed * 7919 + Math.round(geometry.depth * 10)));
  for (let i = 0; i < out.length; i++) out[i] += noise() * scan.noise;
  return out;
}

function paintNodule(out: Float32Array, options: CtSliceGeometry, radius: number): void {
  const { x: nx, y: ny, depth: nz } = CT_CHEST_LANDMARKS.nodule;
  const dz = options.depth - nz;
  if (Math.abs(dz) >= radius) return;
  const inPlane = Math.sqrt(radius * radius - dz * dz);
  for (let row = 0; row < options.rows; row++) {
    const y = options.originY + row * options.pixelSpacing;
    if (Math.abs(y - ny) > inPlane + 1) continue;
    for (let column = 0; column < options.columns; column++) {
      const x = options.originX + column * options.pixelSpacing;
      const distance = Math.hypot(x - nx, y - ny);
      if (distance <= inPlane) out[row * options.columns + column] = 35;
    }
  }
}

function tissueAt(x: number, y: number, depth: number, disc: boolean, vesselHu: number, texture: Texture, ax: number, ay: number, cx: number, cy: number): number {
  // The table under the patient: a curved carbon-fibre shell around foam.
  const tableTop = 132 + 0.0009 * x * x;
  if (y > tableTop && Math.abs(x) < 210) {
    const into = y - tableTop;
    if (into < 2 || (into > 14 && into < 16)) return 250;
    if (into < 14) return -850;
    return HU.air;
  }
  // The back is flattened on the table: a squarer outline posteriorly.
  const dx = (x - cx) / ax;
  const dy = (y - cy) / ay;
  const bodyQ = y > cy ? dx * dx * Math.abs(dx) + dy * dy * Math.abs(dy) : dx * dx + dy * dy;
  if (bodyQ > 1) return HU.air;
  if (bodyQ > 0.98) return 20; // skin
  if (ellipseQ(x, y, cx, cy, ax - 14, ay - 12) > 1) return HU.fat + 15 * texture(x, y); // subcutaneous fat
  const spine = spineAt(x, y, disc, texture);
  if (spine !== null) return spine;
  const scapula = scapulaAt(x, y, depth);
  if (scapula !== null) return scapula;
  if (depth >= 45 && depth <= 230 && inEllipse(x, y, 0, -80, 16, 6.5)) {
    return inEllipse(x, y, 0, -80, 13, 4) ? HU.cancellousBone : HU.corticalBone; // sternum
  }
  if (ellipseQ(x, y, cx, cy, ax - 24, ay - 21) > 1) return HU.muscle + 8 * texture(x, y); // chest wall muscle
  if (ellipseQ(x, y, cx, cy, ax - 32, ay - 29) > 1) return ribAt(x, y, depth);
  const lung = lungAt(x, y, depth);
  if (lung !== null) {
    const grain = 30 * (texture(x, y) - 0.5);
    const dependent = 45 * smoothstep(0, 100, y); // gravity: the posterior lung is denser
    const airway = airwayAt(x, y, depth);
    return airway ?? HU.lung + grain + dependent;
  }
  const airway = airwayAt(x, y, depth);
  if (airway !== null) return airway;
  return mediastinumOrAbdomen(x, y, depth, vesselHu, texture);
}

function spineAt(x: number, y: number, disc: boolean, texture: Texture): number | null {
  if (Math.abs(x) > 45 || y < 50 || y > 140) return null;
  if (inEllipse(x, y, 0, 72, 19, 16)) {
    if (disc) return 85;
    if (!inEllipse(x, y, 0, 72, 17, 14)) return HU.corticalBone;
    return HU.cancellousBone + 60 * (texture(x, y) - 0.5);
  }
  if (inEllipse(x, y, 0, 98, 8, 8)) return inEllipse(x, y, 0, 98, 5, 5) ? 35 : 8; // cord in CSF
  if (!disc && inEllipse(x, y, 0, 100, 20, 16) && !inEllipse(x, y, 0, 98, 11, 11)) return 650; // neural arch
  if (!disc && inEllipse(x, y, 0, 124, 5, 14)) return 700; // spinous process
  if (!disc && inEllipse(x, y, 0, 92, 42, 6)) return 600; // transverse processes
  return null;
}

function scapulaAt(x: number, y: number, depth: number): number | null {
  if (depth > 150 || Math.abs(x) < 70) return null;
  const side = Math.sign(x);
  const u = (x - side * 112) * Math.cos(0.6) + (y - 72) * Math.sin(0.6) * side;
  const v = -(x - side * 112) * Math.sin(0.6) * side + (y - 72) * Math.cos(0.6);
  const fade = 1 - depth / 170;
  return inEllipse(u, v, 0, 0, 42 * fade + 8, 4.5) ? 750 : null;
}

function ribAt(x: number, y: number, depth: number): number {
  const angle = Math.atan2(y - BODY.cy, x - BODY.cx);
  // Ribs run obliquely: lower anteriorly than at the spine, so a slice cuts them as a row of ovals.
  // The angle from the spine (0) round to the sternum (π), on either side.
  let fromSpine = angle - Math.PI / 2;
  if (fromSpine < -Math.PI) fromSpine += 2 * Math.PI;
  const around = Math.abs(fromSpine);
  const phase = (((depth + 38 * around) % 26) + 26) % 26;
  const anterior = around > Math.PI - 0.45;
  if (phase < 7) {
    if (anterior) return 120; // costal cartilage
    return phase < 1.3 || phase > 5.7 ? HU.corticalBone : 300;
  }
  return HU.muscle - 10; // intercostal muscle
}

function airwayAt(x: number, y: number, depth: number): number | null {
  if (depth < 110) {
    if (inEllipse(x, y, 2, 8, 9, 8)) return inEllipse(x, y, 2, 8, 7, 6) ? HU.air : HU.softTissue;
    return null;
  }
  if (depth < 150) {
    const spread = (depth - 110) * 1.1;
    for (const side of [-1, 1]) {
      if (inEllipse(x, y, 2 + side * spread, 10, 7, 6)) return inEllipse(x, y, 2 + side * spread, 10, 5, 4.5) ? HU.air : HU.softTissue;
    }
  }
  return null;
}

function mediastinumOrAbdomen(x: number, y: number, depth: number, vesselHu: number, texture: Texture): number {
  const fat = HU.fat + 10 + 25 * texture(x, y);
  // Great vessels.
  if (depth >= 70 && inEllipse(x, y, 24, 48, 12, 12)) return vesselHu; // descending aorta
  if (depth >= 55 && depth < 70 && inEllipse(x, y, 10, 5, 38, 12)) return vesselHu; // aortic arch
  if (depth >= 70 && depth < 150 && inEllipse(x, y, -8, -28, 15, 15)) return vesselHu; // ascending aorta
  if (depth >= 20 && depth < 140 && inEllipse(x, y, -30, -22, 10, 9)) return vesselHu; // superior vena cava
  if (depth >= 110 && depth < 140 && inEllipse(x, y, 18, -38, 13, 13)) return vesselHu; // pulmonary trunk
  if (depth >= 118 && depth < 132 && inEllipse(x, y, -18, -4, 28, 9)) return vesselHu; // right pulmonary artery
  if (depth >= 20 && inEllipse(x, y, 8, 34, 7, 6)) return inEllipse(x, y, 8, 34, 2, 2) ? HU.air : HU.softTissue; // oesophagus
  if (inHeart(x, y, depth)) {
    // Myocardium around chambers; contrast fills the chambers only.
    return inHeart(x, y, depth, -9) ? (vesselHu === HU.blood ? HU.blood : vesselHu - 20) : 55;
  }
  if (inHeart(x, y, depth, 3)) return 20; // pericardium
  // Below the domes: liver on the right, stomach and spleen on the left.
  if (depth > 215) {
    const domeRight = 228 + 42 * ellipseQ(x, y, -74, 12, 58, 84);
    const domeLeft = 244 + 42 * ellipseQ(x, y, 76, 12, 58, 84);
    if (x < 35 && depth > Math.min(domeRight, 300) && inEllipse(x, y, -40, 10, 105, 95)) {
      const portal = texture(x, y) > 0.72;
      return portal ? (vesselHu === HU.blood ? 38 : 180) : HU.liver + 10 * (texture(x, y) - 0.5);
    }
    if (x >= 20 && depth > Math.min(domeLeft, 300)) {
      if (inEllipse(x, y, 60, -25, 45, 38)) return y < -42 ? HU.air : 15 + 10 * texture(x, y); // stomach, air on top (supine)
      if (inEllipse(x, y, 88, 48, 30, 48)) return 48; // spleen
    }
  }
  return fat;
}
