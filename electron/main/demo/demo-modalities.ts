/**
 * One writer per kind of demo series: the phantom's pixels at the modality's usual size and
 * format, with the modality's own attributes (CT: position, orientation, spacing, slice
 * location, HU rescale and windows; MR: sequence timing; XA: cine timing and C-arm angles;
 * CR and MG: detector spacing, view, laterality and orientation).
 */
import type { EncodeOptions, PixelFormat } from '../dicom-write/pixel-codecs';
import { commonModules, bytesOf, ds, frameOfReferenceUid, percentileWindow, type DemoSeries, type DemoStudy } from './demo-headers';
import type { DemoOutput } from './demo-output';
import { crChestImage } from './phantoms/cr-chest';
import { ctChestAnatomyHu, scanOf, type CtScanOptions, type CtSliceGeometry } from './phantoms/ct-chest';
import { headLabels, headSignal, type HeadContrast, type HeadSliceGeometry } from './phantoms/head';
import { mammoImage } from './phantoms/mammo';
import { xaCoronaryFrames } from './phantoms/xa-coronary';

type Encoding = EncodeOptions & { readonly reuseKey?: string };

/** The CT geometry every demo chest CT shares: 512 × 512 over a 380 mm field of view. */
export const CT_MATRIX = 512;
export const CT_PIXEL_SPACING = 380 / CT_MATRIX;
export const CT_ORIGIN = -190 + CT_PIXEL_SPACING / 2;
const AXIAL = [1, 0, 0, 0, 1, 0];

/** Anatomy is the costly part of a slice; several scans of one patient share it. */
export class CtAnatomyCache {
  private readonly slices = new Map<string, Float32Array>();
  constructor(readonly seed: number) {}
  geometry(depth: number, contrast = false): CtSliceGeometry {
    return { depth, rows: CT_MATRIX, columns: CT_MATRIX, pixelSpacing: CT_PIXEL_SPACING, originX: CT_ORIGIN, originY: CT_ORIGIN, contrast, seed: this.seed };
  }
  anatomy(depth: number, contrast = false): Float32Array {
    const key = `${depth}|${contrast}`;
    let slice = this.slices.get(key);
    if (slice === undefined) {
      slice = ctChestAnatomyHu(this.geometry(depth, contrast));
      this.slices.set(key, slice);
    }
    return slice;
  }
}

const CT_FORMAT: PixelFormat = {
  rows: CT_MATRIX,
  columns: CT_MATRIX,
  bitsAllocated: 16,
  bitsStored: 16,
  pixelRepresentation: 1,
  samplesPerPixel: 1,
  photometricInterpretation: 'MONOCHROME2',
};

/** HU → stored values with the usual intercept of −1024 (signed 16-bit, so nothing clips). */
function ctStored(hu: Float32Array): Int16Array {
  const out = new Int16Array(hu.length);
  for (let i = 0; i < hu.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(hu[i]) + 1024));
  return out;
}

export interface CtSeriesPlan {
  /** Depths below the lung apices, top first. */
  readonly depths: readonly number[];
  readonly sliceThickness: number;
  /** Table position of depth 0 (z of the apex slice); the next scan of the patient sits elsewhere. */
  readonly zOfApex: number;
  readonly scan: CtScanOptions;
  readonly kernel: string;
  /** First window is the series' default. */
  readonly windows: ReadonlyArray<{ readonly center: number; readonly width: number; readonly name: string }>;
  readonly contrast: boolean;
  readonly transferSyntaxUid: string;
  readonly encoding?: Encoding;
}

export async function writeCtChest(out: DemoOutput, study: DemoStudy, series: DemoSeries, plan: CtSeriesPlan, cache: CtAnatomyCache): Promise<void> {
  for (const [index, depth] of plan.depths.entries()) {
    const geometry = cache.geometry(depth, plan.contrast);
    const z = ds(plan.zOfApex - depth);
    const dataset = {
      ...commonModules(study, series, index + 1, ['ORIGINAL', 'PRIMARY', 'AXIAL']),
      ScanOptions: 'HELICAL MODE',
      SliceThickness: plan.sliceThickness,
      KVP: 120,
      DataCollectionDiameter: 500,
      ReconstructionDiameter: 380,
      GantryDetectorTilt: 0,
      TableHeight: 160,
      RotationDirection: 'CW',
      XRayTubeCurrent: 180,
      ExposureTime: 500,
      ConvolutionKernel: plan.kernel,
      PatientPosition: 'FFS',
      AcquisitionNumber: 1,
      ImagePositionPatient: [ds(CT_ORIGIN), ds(CT_ORIGIN), z],
      ImageOrientationPatient: AXIAL,
      FrameOfReferenceUID: frameOfReferenceUid(study),
      PositionReferenceIndicator: '',
      SliceLocation: z,
      PixelSpacing: [ds(CT_PIXEL_SPACING), ds(CT_PIXEL_SPACING)],
      WindowCenter: plan.windows.map((w) => w.center),
      WindowWidth: plan.windows.map((w) => w.width),
      WindowCenterWidthExplanation: plan.windows.map((w) => w.name),
      RescaleIntercept: -1024,
      RescaleSlope: 1,
      RescaleType: 'HU',
    };
    const pixels = () => [bytesOf(ctStored(scanOf(cache.anatomy(depth, plan.contrast), geometry, plan.scan)))];
    await out.image(study, series, index + 1, dataset, CT_FORMAT, pixels, plan.transferSyntaxUid, {
      ...plan.encoding,
      ...(plan.encoding?.reuseKey === undefined ? {} : { reuseKey: `${plan.encoding.reuseKey}:${depth}` }),
    });
  }
}

export const CT_WINDOWS = {
  mediastinum: { center: 40, width: 400, name: 'MEDIASTINUM' },
  lung: { center: -600, width: 1500, name: 'LUNG' },
  bone: { center: 500, width: 2000, name: 'BONE' },
  brain: { center: 40, width: 80, name: 'BRAIN' },
  subdural: { center: 75, width: 215, name: 'SUBDURAL' },
} as const;

export interface HeadSeriesPlan {
  readonly contrast: HeadContrast;
  /** Heights above the orbitomeatal line, bottom first. */
  readonly heights: readonly number[];
  readonly matrix: number;
  readonly fieldOfView: number;
  readonly sliceThickness: number;
  readonly transferSyntaxUid: string;
  readonly noiseSeed: number;
  readonly encoding?: Encoding;
}

const MR_TIMING: Readonly<Record<Exclude<HeadContrast, 'CT'>, NaturalDataset>> = {
  T1: { ScanningSequence: 'SE', SequenceVariant: 'SP', RepetitionTime: 550, EchoTime: 12, EchoTrainLength: 1, SequenceName: 'se2d1' },
  T2: { ScanningSequence: 'SE', SequenceVariant: 'SK', RepetitionTime: 4800, EchoTime: 98, EchoTrainLength: 15, SequenceName: 'tse2d1_15' },
  FLAIR: { ScanningSequence: ['SE', 'IR'], SequenceVariant: ['SK', 'SP', 'MP'], RepetitionTime: 9000, EchoTime: 86, InversionTime: 2500, EchoTrainLength: 16, SequenceName: 'tir2d1_16' },
};
type NaturalDataset = Record<string, unknown>;

/** Labels of a head slice, computed once per geometry for every contrast of a study. */
export class HeadLabelCache {
  private readonly slices = new Map<string, Uint8Array>();
  constructor(readonly seed: number) {}
  labels(geometry: HeadSliceGeometry): Uint8Array {
    const key = `${geometry.height}|${geometry.rows}|${geometry.pixelSpacing}`;
    let labels = this.slices.get(key);
    if (labels === undefined) {
      labels = headLabels(geometry);
      this.slices.set(key, labels);
    }
    return labels;
  }
}

/** An axial MR series of the brain (12-bit unsigned) or an axial head CT (HU, signed). */
export async function writeHead(out: DemoOutput, study: DemoStudy, series: DemoSeries, plan: HeadSeriesPlan, cache: HeadLabelCache): Promise<void> {
  const spacing = plan.fieldOfView / plan.matrix;
  const origin = -plan.fieldOfView / 2 + spacing / 2;
  const ct = plan.contrast === 'CT';
  const format: PixelFormat = {
    rows: plan.matrix,
    columns: plan.matrix,
    bitsAllocated: 16,
    bitsStored: ct ? 16 : 12,
    pixelRepresentation: ct ? 1 : 0,
    samplesPerPixel: 1,
    photometricInterpretation: 'MONOCHROME2',
  };
  const make = (): Array<{ height: number; stored: Int16Array | Uint16Array }> => plan.heights.map((height) => {
    const geometry: HeadSliceGeometry = { height, rows: plan.matrix, columns: plan.matrix, pixelSpacing: spacing, originX: origin, originY: origin, seed: cache.seed };
    const values = headSignal(cache.labels(geometry), geometry, plan.contrast, ct ? 4 : 22, plan.noiseSeed);
    if (ct) return { height, stored: ctStored(values) };
    const stored = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) stored[i] = Math.min(4095, Math.round(values[i]));
    return { height, stored };
  });
  // One window for the whole series (as a scanner would), from the brain's range of values.
  const withWindow = () => {
    const images = make();
    return { images, mrWindow: ct ? null : percentileWindow(images[Math.floor(images.length / 2)].stored, 0.02, 0.995, 60) };
  };
  // The worklist's studies share one set of images per kind.
  const { images, mrWindow } = plan.encoding?.reuseKey === undefined ? withWindow() : out.memo(`head:${plan.encoding.reuseKey}`, withWindow);
  for (const [index, image] of images.entries()) {
    const z = ds(image.height - 40);
    const dataset: NaturalDataset = {
      ...commonModules(study, series, index + 1, ct ? ['ORIGINAL', 'PRIMARY', 'AXIAL'] : ['ORIGINAL', 'PRIMARY', 'M', 'ND']),
      SliceThickness: plan.sliceThickness,
      PatientPosition: 'HFS',
      ImagePositionPatient: [ds(origin), ds(origin), z],
      ImageOrientationPatient: AXIAL,
      FrameOfReferenceUID: frameOfReferenceUid(study),
      PositionReferenceIndicator: '',
      SliceLocation: z,
      PixelSpacing: [ds(spacing), ds(spacing)],
      ...(ct
        ? {
            KVP: 120,
            ConvolutionKernel: 'H31s',
            AcquisitionNumber: 1,
            WindowCenter: [CT_WINDOWS.brain.center, CT_WINDOWS.subdural.center, CT_WINDOWS.bone.center],
            WindowWidth: [CT_WINDOWS.brain.width, CT_WINDOWS.subdural.width, CT_WINDOWS.bone.width],
            WindowCenterWidthExplanation: [CT_WINDOWS.brain.name, CT_WINDOWS.subdural.name, CT_WINDOWS.bone.name],
            RescaleIntercept: -1024,
            RescaleSlope: 1,
            RescaleType: 'HU',
          }
        : {
            ...MR_TIMING[plan.contrast],
            ScanOptions: '',
            MRAcquisitionType: '2D',
            SpacingBetweenSlices: ds(plan.heights.length > 1 ? plan.heights[1] - plan.heights[0] : plan.sliceThickness),
            MagneticFieldStrength: 1.5,
            ImagingFrequency: 63.68,
            ImagedNucleus: '1H',
            NumberOfAverages: 1,
            AcquisitionMatrix: [0, plan.matrix, plan.matrix, 0],
            InPlanePhaseEncodingDirection: 'ROW',
            FlipAngle: 90,
            WindowCenter: mrWindow?.center,
            WindowWidth: mrWindow?.width,
          }),
    };
    await out.image(study, series, index + 1, dataset, format, [bytesOf(image.stored)], plan.transferSyntaxUid, {
      ...plan.encoding,
      ...(plan.encoding?.reuseKey === undefined ? {} : { reuseKey: `${plan.encoding.reuseKey}:${image.height}` }),
    });
  }
}

export interface XaPlan {
  readonly frames: number;
  readonly frameTime: number;
  readonly primaryAngle: number;
  readonly secondaryAngle: number;
  readonly seed: number;
  readonly transferSyntaxUid: string;
  readonly encoding?: Encoding;
}

/** A multi-frame XA cine run, 512 × 512 × 8 bits. */
export async function writeXaCine(out: DemoOutput, study: DemoStudy, series: DemoSeries, plan: XaPlan): Promise<void> {
  // A run is a prefix of the seed's 30-frame run, so shorter runs reuse a longer one's frames.
  const all = out.memo(`xa:${plan.seed}:${plan.frameTime}`, () =>
    xaCoronaryFrames({ rows: 512, columns: 512, frames: Math.max(30, plan.frames), frameTime: plan.frameTime, seed: plan.seed }),
  );
  const frames = all.slice(0, plan.frames);
  const format: PixelFormat = { rows: 512, columns: 512, bitsAllocated: 8, bitsStored: 8, pixelRepresentation: 0, samplesPerPixel: 1, photometricInterpretation: 'MONOCHROME2' };
  const rate = Math.round(1000 / plan.frameTime);
  const dataset: NaturalDataset = {
    ...commonModules(study, series, 1, ['ORIGINAL', 'PRIMARY', 'SINGLE PLANE']),
    CineRate: rate,
    RecommendedDisplayFrameRate: rate,
    FrameTime: ds(plan.frameTime),
    FrameIncrementPointer: 0x00181063,
    NumberOfFrames: plan.frames,
    KVP: 80,
    RadiationSetting: 'GR',
    DistanceSourceToDetector: 1050,
    DistanceSourceToPatient: 750,
    ExposureTime: 7,
    XRayTubeCurrent: 620,
    ImagerPixelSpacing: [0.2, 0.2],
    IntensifierSize: 250,
    PositionerMotion: 'STATIC',
    PositionerPrimaryAngle: plan.primaryAngle,
    PositionerSecondaryAngle: plan.secondaryAngle,
    PixelIntensityRelationship: 'LOG',
    // The cine is shown as stored; the identity rescale and an empty orientation (a C-arm
    // projection has no simple one) are what the XA IOD asks for.
    PatientOrientation: '',
    RescaleIntercept: 0,
    RescaleSlope: 1,
    RescaleType: 'US',
    WindowCenter: 128,
    WindowWidth: 256,
  };
  await out.image(study, series, 1, dataset, format, frames.map((frame) => frame), plan.transferSyntaxUid, plan.encoding);
}

/** A PA chest radiograph on a CR plate: 2500 × 2048, 12 bits, MONOCHROME1. */
export async function writeCrChest(out: DemoOutput, study: DemoStudy, series: DemoSeries, transferSyntaxUid: string, seed: number, encoding?: Encoding): Promise<void> {
  const options = { rows: 2500, columns: 2048, pixelSpacing: 0.168, seed };
  const { pixels, window } = out.memo(`cr:${seed}`, () => {
    const image = crChestImage(options);
    return { pixels: image, window: percentileWindow(image, 0.03, 0.97) };
  });
  const format: PixelFormat = { rows: options.rows, columns: options.columns, bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 0, samplesPerPixel: 1, photometricInterpretation: 'MONOCHROME1' };
  const dataset: NaturalDataset = {
    ...commonModules(study, series, 1, ['ORIGINAL', 'PRIMARY']),
    ViewPosition: 'PA',
    PatientOrientation: ['L', 'F'],
    KVP: 125,
    ExposureTime: 8,
    XRayTubeCurrent: 250,
    DistanceSourceToDetector: 1800,
    ImagerPixelSpacing: [options.pixelSpacing, options.pixelSpacing],
    PlateType: 'ST-VI',
    WindowCenter: window.center,
    WindowWidth: window.width,
  };
  await out.image(study, series, 1, dataset, format, [bytesOf(pixels)], transferSyntaxUid, encoding);
}

/** One craniocaudal view per instance, 2294 × 1914 at 0.1 mm, 12 bits, for presentation. */
export async function writeMammoCc(
  out: DemoOutput,
  study: DemoStudy,
  series: DemoSeries,
  views: ReadonlyArray<{ readonly laterality: 'R' | 'L'; readonly calcifications: number }>,
  transferSyntaxUid: string,
  seed: number,
  encoding?: Encoding,
): Promise<void> {
  const rows = 2294;
  const columns = 1914;
  const format: PixelFormat = { rows, columns, bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 0, samplesPerPixel: 1, photometricInterpretation: 'MONOCHROME2' };
  for (const [index, view] of views.entries()) {
    const { pixels, window } = out.memo(`mg:${seed + index}:${view.laterality}:${view.calcifications}`, () => {
      const image = mammoImage({ rows, columns, pixelSpacing: 0.1, laterality: view.laterality, calcifications: view.calcifications, seed: seed + index });
      return { pixels: image, window: percentileWindow(image, 0.05, 0.995, 200) };
    });
    const dataset: NaturalDataset = {
      ...commonModules(study, series, index + 1, ['ORIGINAL', 'PRIMARY']),
      PresentationIntentType: 'FOR PRESENTATION',
      PresentationLUTShape: 'IDENTITY',
      LossyImageCompression: '00',
      OrganExposed: 'BREAST',
      PositionerType: 'MAMMOGRAPHIC',
      AcquisitionContextSequence: [],
      ImageLaterality: view.laterality,
      ViewPosition: 'CC',
      // Right CC: rows run towards the patient's back, columns towards her left (PS3.3 C.8.11.7).
      PatientOrientation: view.laterality === 'R' ? ['P', 'L'] : ['A', 'R'],
      ViewCodeSequence: [{ CodeValue: 'R-10242', CodingSchemeDesignator: 'SRT', CodeMeaning: 'cranio-caudal', ViewModifierCodeSequence: [] }],
      AnatomicRegionSequence: [{ CodeValue: 'T-04000', CodingSchemeDesignator: 'SRT', CodeMeaning: 'Breast' }],
      DetectorType: 'DIRECT',
      KVP: 29,
      ExposureTime: 900,
      BodyPartThickness: 52,
      CompressionForce: 110,
      ImagerPixelSpacing: [0.1, 0.1],
      PixelSpacing: [0.1, 0.1],
      PixelIntensityRelationship: 'LOG',
      PixelIntensityRelationshipSign: 1,
      RescaleIntercept: 0,
      RescaleSlope: 1,
      RescaleType: 'US',
      BurnedInAnnotation: 'NO',
      WindowCenter: window.center,
      WindowWidth: window.width,
      VOILUTFunction: 'LINEAR',
    };
    await out.image(study, series, index + 1, dataset, format, [bytesOf(pixels)], transferSyntaxUid, {
      ...encoding,
      ...(encoding?.reuseKey === undefined ? {} : { reuseKey: `${encoding.reuseKey}:${view.laterality}` }),
    });
  }
}
