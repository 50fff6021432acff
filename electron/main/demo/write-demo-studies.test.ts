import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRAIN_HEIGHTS, CHEST_DEPTHS } from './demo-catalogue';
import { CT_ORIGIN, CT_PIXEL_SPACING } from './demo-modalities';
import { CR_CHEST_LANDMARKS, crPixelOf } from './phantoms/cr-chest';
import { CT_CHEST_LANDMARKS, isDiscLevel } from './phantoms/ct-chest';
import { HEAD_LANDMARKS } from './phantoms/head';
import { decompressed, probe } from './test-support/dicom-probe';
import { writeDemoStudies, type DemoWriteResult } from './write-demo-studies';

/** A native copy of a compressed file, decoded by another implementation. */
function decoded(file: string, syntax: string): string {
  return decompressed(file, syntax, path.join(work, path.relative(folder, file).replaceAll(path.sep, '-')));
}

let root: string;
let folder: string;
let work: string;
let result: DemoWriteResult;
const file = (study: number, series: number, instance: number): string => path.join(folder, String(study), String(series), `${instance}.dcm`);

/** Row and column of a chest CT landmark on the demo's 512 × 512 grid. */
const ctPixel = (point: { x: number; y: number }): readonly [number, number] => [
  Math.round((point.y - CT_ORIGIN) / CT_PIXEL_SPACING),
  Math.round((point.x - CT_ORIGIN) / CT_PIXEL_SPACING),
];

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'studyshare-demo-'));
  folder = path.join(root, 'demo-dicom');
  work = path.join(root, 'decoded');
  mkdirSync(work);
  result = await writeDemoStudies(folder, { fillerStudies: 294 });
}, 300_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the demo studies', () => {
  it('are 300 studies in nine transfer syntaxes, under 150 MB, with the showcase at realistic sizes', () => {
    expect(result.studies).toBe(300);
    expect(readdirSync(folder)).toHaveLength(300);
    expect(result.bytes).toBeLessThan(150e6);
    expect(new Set(result.series.map((s) => s.transferSyntaxUid))).toEqual(
      new Set([
        '1.2.840.10008.1.2',
        '1.2.840.10008.1.2.1',
        '1.2.840.10008.1.2.5',
        '1.2.840.10008.1.2.4.50',
        '1.2.840.10008.1.2.4.70',
        '1.2.840.10008.1.2.4.80',
        '1.2.840.10008.1.2.4.90',
        '1.2.840.10008.1.2.4.91',
        '1.2.840.10008.1.2.4.201',
      ]),
    );
    const showcase = result.series.slice(0, 10).map((s) => `${s.modality} ${s.files}×${s.frames / s.files} ${s.rows}×${s.columns}`);
    expect(showcase).toEqual([
      'CT 60×1 512×512',
      'CT 60×1 512×512',
      'CT 60×1 512×512',
      'CR 1×1 2500×2048',
      'MR 24×1 256×256',
      'MR 24×1 256×256',
      'MR 24×1 256×256',
      'XA 1×30 512×512',
      'XA 1×24 512×512',
      'MG 2×1 2294×1914',
    ]);
  });

  it('agree with themselves: one person per patient ID; modality, body part and sex fit each description; accessions unique', () => {
    const files = readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.dcm'));
    expect(files).toHaveLength(result.files);
    const headers = probe(files.map((name) => ({ path: path.join(folder, name) })));
    const people = new Map<string, string>();
    const studies = new Map<string, string>();
    const accessions = new Map<string, string>();
    const expected: ReadonlyArray<readonly [RegExp, string, string]> = [
      [/^CT Chest/, 'CT', 'CHEST'],
      [/^CT Abdomen/, 'CT', 'ABDOMEN'],
      [/^CT Head/, 'CT', 'HEAD'],
      [/^MR Brain/, 'MR', 'BRAIN'],
      [/^XR Chest/, 'CR', 'CHEST'],
      [/^Mammo/, 'MG', 'BREAST'],
      [/^XA Coronary/, 'XA', 'HEART'],
    ];
    for (const header of headers) {
      const person = `${String(header.PatientName)}|${String(header.PatientSex)}|${String(header.PatientBirthDate)}`;
      expect(people.get(String(header.PatientID)) ?? person).toBe(person);
      people.set(String(header.PatientID), person);
      const study = `${String(header.AccessionNumber)}|${String(header.StudyDescription)}|${String(header.PatientID)}`;
      expect(studies.get(String(header.StudyInstanceUID)) ?? study).toBe(study);
      studies.set(String(header.StudyInstanceUID), study);
      expect(accessions.get(String(header.AccessionNumber)) ?? header.StudyInstanceUID).toBe(header.StudyInstanceUID);
      accessions.set(String(header.AccessionNumber), String(header.StudyInstanceUID));
      const rule = expected.find(([pattern]) => pattern.test(String(header.StudyDescription)));
      expect(rule, String(header.StudyDescription)).toBeDefined();
      expect([header.Modality, header.BodyPartExamined]).toEqual([rule?.[1], rule?.[2]]);
      if (header.Modality === 'MG') expect(header.PatientSex).toBe('F');
      expect(String(header.PatientAge)).toMatch(/^0\d\dY$/);
      expect(String(header.ReferringPhysicianName)).toMatch(/\^/);
    }
    expect(studies.size).toBe(300);
    expect(people.size).toBeGreaterThan(50);
  });

  it('chest CT: a stack in Hounsfield units with air, lung, fat, bone and blood where the anatomy puts them', () => {
    const depth = 120;
    const instance = CHEST_DEPTHS.indexOf(depth) + 1;
    const points = [[5, 256] as const, ctPixel(CT_CHEST_LANDMARKS.rightLung), ctPixel(CT_CHEST_LANDMARKS.anteriorFat), ctPixel(CT_CHEST_LANDMARKS.vertebralBody), ctPixel(CT_CHEST_LANDMARKS.descendingAorta)];
    const [slice] = probe([{ path: file(1, 2, instance), points }]);
    const [air, lung, fat, bone, aorta] = slice.values ?? [];
    expect(slice.transferSyntax).toBe('1.2.840.10008.1.2.1');
    expect([slice.Rows, slice.Columns, slice.BitsAllocated, slice.PixelRepresentation, slice.RescaleIntercept, slice.RescaleSlope]).toEqual([512, 512, 16, 1, -1024, 1]);
    expect(air).toBeGreaterThan(-1060);
    expect(air).toBeLessThan(-940);
    expect(lung).toBeGreaterThan(-920);
    expect(lung).toBeLessThan(-760);
    expect(fat).toBeGreaterThan(-140);
    expect(fat).toBeLessThan(-50);
    expect(isDiscLevel(depth)).toBe(false);
    expect(bone).toBeGreaterThan(150);
    expect(aorta).toBeGreaterThan(0);
    expect(aorta).toBeLessThan(90);
    expect(slice.WindowCenter).toEqual([40, -600, 500]);
    expect(slice.WindowWidth).toEqual([400, 1500, 2000]);

    // Positions agree with slice locations and step by the slice spacing, top to bottom.
    const stack = probe(CHEST_DEPTHS.map((_, i) => ({ path: file(1, 2, i + 1) })));
    for (const [i, image] of stack.entries()) {
      const position = image.ImagePositionPatient as number[];
      expect(position[2]).toBeCloseTo(-30 - CHEST_DEPTHS[i], 3);
      expect(image.SliceLocation).toBeCloseTo(position[2], 3);
      expect(image.ImageOrientationPatient).toEqual([1, 0, 0, 0, 1, 0]);
      expect(image.PixelSpacing).toEqual([0.7422, 0.7422]);
      expect(image.InstanceNumber).toBe(i + 1);
    }
  });

  it('chest CT: the lung kernel (JPEG-LS, decoded by dcmtk) and last year’s prior (RLE, by dcmtk) show the same anatomy, and the nodule grew', () => {
    const instance = CHEST_DEPTHS.indexOf(CT_CHEST_LANDMARKS.nodule.depth) + 1;
    const centre = ctPixel(CT_CHEST_LANDMARKS.nodule);
    const rim = ctPixel({ x: CT_CHEST_LANDMARKS.nodule.x + 3.9, y: CT_CHEST_LANDMARKS.nodule.y });
    const air = [5, 256] as const;
    const [lungKernel, prior] = probe([
      { path: decoded(file(1, 3, instance), '1.2.840.10008.1.2.4.80'), points: [air, centre, rim] },
      { path: decoded(file(2, 2, instance), '1.2.840.10008.1.2.5'), points: [air, centre, rim] },
    ]);
    expect(lungKernel.transferSyntax).toBe('1.2.840.10008.1.2.1');
    expect(lungKernel.values?.[0]).toBeLessThan(-900);
    expect(prior.values?.[0]).toBeLessThan(-900);
    expect(lungKernel.values?.[1]).toBeGreaterThan(-60);
    expect(prior.values?.[1]).toBeGreaterThan(-60);
    // 3.9 mm from the centre: inside this year's 4.5 mm nodule, lung around last year's 3 mm one.
    expect(lungKernel.values?.[2]).toBeGreaterThan(-100);
    expect(prior.values?.[2]).toBeLessThan(-500);
    expect(prior.StudyDescription).toBe(lungKernel.StudyDescription);
    expect(prior.PatientID).toBe(lungKernel.PatientID);
    expect(Number(prior.AccessionNumber === lungKernel.AccessionNumber)).toBe(0);
  });

  it('MR brain: white matter brighter than CSF on T1 (implicit VR), darker on T2 (JPEG 2000, decoded by GDCM), CSF dark on FLAIR (JPEG lossless, by dcmtk)', () => {
    const point = (p: { x: number; y: number }): readonly [number, number] => [Math.round((p.y + 115 - 0.449) / 0.8984), Math.round((p.x + 115 - 0.449) / 0.8984)];
    const ventricleSlice = BRAIN_HEIGHTS.indexOf(48) + 1;
    const whiteSlice = BRAIN_HEIGHTS.indexOf(66) + 1;
    const contrasts = probe([
      { path: file(4, 1, ventricleSlice), points: [point(HEAD_LANDMARKS.rightVentricle)] },
      { path: file(4, 1, whiteSlice), points: [point(HEAD_LANDMARKS.whiteMatter)] },
      { path: decoded(file(4, 2, ventricleSlice), '1.2.840.10008.1.2.4.90'), points: [point(HEAD_LANDMARKS.rightVentricle)] },
      { path: decoded(file(4, 2, whiteSlice), '1.2.840.10008.1.2.4.90'), points: [point(HEAD_LANDMARKS.whiteMatter)] },
      { path: decoded(file(4, 3, ventricleSlice), '1.2.840.10008.1.2.4.70'), points: [point(HEAD_LANDMARKS.rightVentricle)] },
      { path: decoded(file(4, 3, whiteSlice), '1.2.840.10008.1.2.4.70'), points: [point(HEAD_LANDMARKS.whiteMatter)] },
    ]);
    const [t1Csf, t1White, t2Csf, t2White, flairCsf, flairWhite] = contrasts.map((c) => c.values?.[0] ?? NaN);
    expect(t1White).toBeGreaterThan(t1Csf * 3);
    expect(t2Csf).toBeGreaterThan(t2White * 2);
    expect(flairWhite).toBeGreaterThan(flairCsf * 3);
    expect(contrasts[0].transferSyntax).toBe('1.2.840.10008.1.2');
    expect(contrasts[0].BitsStored).toBe(12);
    expect(contrasts[0].PatientSex).toBe('F');
  });

  it('XA: a 30-frame cine at 66.7 ms a frame (JPEG baseline, decoded by dcmtk) in which contrast fills the coronaries', () => {
    const cine = decoded(file(5, 1, 1), '1.2.840.10008.1.2.4.50');
    const [before, filled] = probe([
      { path: cine, frame: 0, points: [[256, 256]] },
      { path: cine, frame: 12, points: [[256, 256]] },
    ]);
    expect([before.NumberOfFrames, before.FrameTime, before.Rows, before.BitsStored]).toEqual([30, 66.7, 512, 8]);
    // The contrast-filled tree darkens the image: the mean falls once it arrives.
    expect(filled.mean).toBeLessThan((before.mean ?? 0) - 0.5);
    const [raw] = probe([{ path: file(5, 1, 1) }]);
    expect(raw.LossyImageCompression).toBe('01');
  });

  it('CR chest: MONOCHROME1 12-bit, lungs read higher than the liver and direct exposure highest (JPEG-LS, decoded by dcmtk)', () => {
    const options = { rows: 2500, columns: 2048, pixelSpacing: 0.168, seed: 11 };
    const at = (p: { x: number; depth: number }): readonly [number, number] => {
      const { row, column } = crPixelOf(options, p);
      return [row, column];
    };
    const [cr] = probe([{ path: decoded(file(3, 1, 1), '1.2.840.10008.1.2.4.80'), points: [at(CR_CHEST_LANDMARKS.rightLung), at(CR_CHEST_LANDMARKS.liver), at(CR_CHEST_LANDMARKS.direct)] }]);
    const [lung, liver, direct] = cr.values ?? [];
    expect(cr.PhotometricInterpretation).toBe('MONOCHROME1');
    expect(cr.ImagerPixelSpacing).toEqual([0.168, 0.168]);
    expect(lung).toBeGreaterThan(liver + 600);
    expect(direct).toBeGreaterThan(lung);
    expect(cr.PatientSex).toBe('M');
  });

  it('MG: a woman’s right and left CC views with the breast against the chest wall their orientation names (HTJ2K, decoded by OpenJPH)', () => {
    const middle = 1147;
    const [right, left] = probe([
      { path: file(6, 1, 1), points: [[middle, 1900], [middle, 15]] },
      { path: file(6, 1, 2), points: [[middle, 1900], [middle, 15]] },
    ]);
    expect([right.ImageLaterality, right.ViewPosition, right.PatientOrientation]).toEqual(['R', 'CC', ['P', 'L']]);
    expect([left.ImageLaterality, left.ViewPosition, left.PatientOrientation]).toEqual(['L', 'CC', ['A', 'R']]);
    expect(right.values?.[0]).toBeGreaterThan(500); // breast at the right edge
    expect(right.values?.[1]).toBeLessThan(200); // background towards the nipple side
    expect(left.values?.[1]).toBeGreaterThan(500);
    expect(left.values?.[0]).toBeLessThan(200);
    expect(right.PatientSex).toBe('F');
  });

  it('pass dicom3tools’ dciodvfy without errors, one file of each kind', () => {
    const kinds = [file(1, 2, 1), file(1, 3, 1), file(2, 2, 1), file(3, 1, 1), file(4, 1, 1), file(4, 2, 1), file(4, 3, 1), file(5, 1, 1), file(5, 2, 1)];
    // Worklist studies: the first of each kind (MG in lossy JPEG 2000 here; dciodvfy reads no HTJ2K).
    const firsts = readdirSync(folder)
      .filter((name) => Number(name) > 6)
      .map((name) => path.join(folder, name, readdirSync(path.join(folder, name))[0], '1.dcm'));
    const seen = new Set<string>();
    for (const [i, header] of probe(firsts.map((first) => ({ path: first }))).entries()) {
      if (seen.has(String(header.StudyDescription))) continue;
      seen.add(String(header.StudyDescription));
      kinds.push(firsts[i]);
    }
    expect(seen.size).toBe(7);
    for (const dicom of kinds) {
      const run = spawnSync('dciodvfy', [dicom], { encoding: 'utf8' });
      const errors = `${run.stdout}${run.stderr}`.split('\n').filter((line) => line.startsWith('Error'));
      expect(errors, dicom).toEqual([]);
    }
  });
});
