/**
 * What the viewer keeps of an instance once its image is decoded: the metadata modules
 * Cornerstone and the viewer read (a few kilobytes), what the file's own data said about the frame
 * (`frameDataProblem`) and its Number of Frames — and not the file.
 *
 * Why: the DICOM image loader's legacy (dicom-parser) path keeps every parsed file in its
 * `dataSetCacheManager` until the decoded image leaves Cornerstone's cache, and hangs the parsed
 * file on the decoded image as well (`image.data`), because its metadata provider reads the
 * modules from the file on every call. So the decoded-image cache, bounded by the setting, held
 * about as many bytes again of files outside the bound (0.9–1.0 GB at a 512 MB bound).
 *
 * Here the `wadouri:` loader is the library's own, wrapped: when an image settles (decoded or
 * failed), the modules are read once from the still-parsed file into this store, which a
 * metadata provider of higher priority answers from; then the file is released (the image's
 * `data` dropped, the loader's cache entry unloaded), so what stays is the decoded image inside
 * the bound. A multi-frame file stays parsed while any of its frames is cached (its frames are
 * cut from it; the loader releases it as they leave the cache). A closed session's entries are
 * forgotten, and the store holds at most `MAX_ENTRIES` in any case (oldest first out).
 */
import { Enums, metaData, registerImageLoader, type Types } from '@cornerstonejs/core';
import { wadouri } from '@cornerstonejs/dicom-image-loader';

const Modules = Enums.MetadataModules;
/** The modules the legacy provider answers from a file (all but `instance`, the whole data set). */
const KEPT_MODULES: readonly string[] = [
  Modules.GENERAL_STUDY,
  Modules.GENERAL_SERIES,
  Modules.GENERAL_IMAGE,
  Modules.PATIENT,
  Modules.PATIENT_STUDY,
  Modules.NM_MULTIFRAME_GEOMETRY,
  Modules.IMAGE_PLANE,
  Modules.CINE,
  Modules.IMAGE_PIXEL,
  Modules.VOI_LUT,
  Modules.MODALITY_LUT,
  Modules.SOP_COMMON,
  Modules.PET_ISOTOPE,
  Modules.PET_SERIES,
  Modules.PET_IMAGE,
  Modules.OVERLAY_PLANE,
  Modules.ULTRASOUND_ENHANCED_REGION,
  Modules.CALIBRATION,
  Modules.MULTIFRAME,
  'transferSyntax',
];
const KEPT = new Set(KEPT_MODULES);
/** A safety net behind the per-session forgetting: about a few kilobytes an entry. */
export const MAX_ENTRIES = 20_000;

export interface ParsedDataSet {
  readonly byteArray: Uint8Array;
  readonly elements: Readonly<Record<string, { readonly length: number; readonly fragments?: readonly { readonly position: number; readonly length: number }[] } | undefined>>;
  uint16(tag: string): number | undefined;
  intString(tag: string): number | undefined;
  string(tag: string): string | undefined;
}

interface Entry {
  readonly modules: Map<string, unknown>;
  /** Number of Frames of the file. */
  readonly frames: number | null;
  /** What the file's own data says is wrong with this frame, or null. */
  readonly problem: string | null;
}

const entries = new Map<string, Entry>();

type FrameCheck = (dataSet: ParsedDataSet, frame: number) => string | null;
let frameCheck: FrameCheck = () => null;

/**
 * A module value without views on the file's bytes: a typed array that is a window on a larger
 * buffer (a palette or LUT read in place) is copied, so keeping it does not keep the file.
 */
function detached(value: unknown, depth = 0): unknown {
  if (ArrayBuffer.isView(value)) {
    const view = value as unknown as { buffer: ArrayBufferLike; byteLength: number; slice: () => unknown };
    return view.buffer.byteLength > view.byteLength ? view.slice() : value;
  }
  if (depth > 3 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => detached(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = detached(item, depth + 1);
  return copy;
}

function dataSetOf(imageId: string): ParsedDataSet | undefined {
  return wadouri.dataSetCacheManager.get(wadouri.parseImageId(imageId).url);
}

/** Reads what the viewer keeps of `imageId` from its parsed file, while the loader still has it. */
function remember(imageId: string): void {
  const dataSet = dataSetOf(imageId);
  if (dataSet === undefined) return;
  const modules = new Map<string, unknown>();
  for (const type of KEPT_MODULES) {
    try {
      const value = wadouri.metaData.metaDataProvider(type, imageId) as unknown;
      if (value !== undefined) modules.set(type, detached(value));
    } catch {
      // A module the file cannot give (a malformed element): absent, as the provider would say.
    }
  }
  const frames = dataSet.intString('x00280008');
  const frame = wadouri.parseImageId(imageId).pixelDataFrame ?? 0;
  entries.delete(imageId);
  entries.set(imageId, { modules, frames: typeof frames === 'number' && Number.isFinite(frames) ? frames : null, problem: frameCheck(dataSet, frame) });
  while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
}

/** Cornerstone's metadata for an instance whose file is released; undefined sends it to the loader's own provider. */
function provider(type: string, imageId: unknown): unknown {
  if (typeof imageId !== 'string' || !KEPT.has(type)) return undefined;
  return entries.get(imageId)?.modules.get(type);
}

interface ImageLoadObject {
  promise: Promise<Types.IImage>;
  cancelFn?: () => void;
  decache?: () => void;
}

/**
 * The library's `wadouri:` loader, releasing each single-frame file once its image settles. The
 * decache Cornerstone calls when the image leaves its cache is the library's for multi-frame
 * files (one load, and one release, per frame) and nothing for a file already released.
 */
function loadImage(imageId: string, options?: Record<string, unknown>): ImageLoadObject {
  const inner = wadouri.loadImage(imageId, options) as unknown as ImageLoadObject;
  const url = wadouri.parseImageId(imageId).url;
  let released = false;
  const settle = (): void => {
    remember(imageId);
    const frames = entries.get(imageId)?.frames ?? 1;
    if (frames <= 1 && !imageId.includes('frame=')) {
      wadouri.dataSetCacheManager.unload(url);
      released = true;
    }
  };
  const outer: ImageLoadObject = {
    promise: inner.promise.then(
      (image) => {
        settle();
        // The parsed file hung on the image would keep the whole file as long as the image is cached.
        (image as { data?: unknown }).data = undefined;
        return image;
      },
      (reason: unknown) => {
        settle();
        if (reason !== null && typeof reason === 'object' && 'dataSet' in reason) (reason as { dataSet?: unknown }).dataSet = undefined;
        throw reason;
      },
    ),
    cancelFn: inner.cancelFn,
    decache: () => {
      if (!released) inner.decache?.();
    },
  };
  return outer;
}

let installed = false;

/** Puts the store in front of the loader (after `loaderInit`), once. `check` reads a frame's own data. */
export function installInstanceStore(check: FrameCheck): void {
  frameCheck = check;
  if (installed) return;
  installed = true;
  registerImageLoader('wadouri', loadImage);
  metaData.addProvider(provider, 10_000);
}

/** Number of Frames in an instance's file, once the loader has read it; null before. */
export function framesOf(imageId: string): number | null {
  const entry = entries.get(imageId);
  if (entry !== undefined) return entry.frames;
  const frames = dataSetOf(imageId)?.intString('x00280008');
  return typeof frames === 'number' && Number.isFinite(frames) ? frames : null;
}

/** What the file's data says is wrong with this frame: from the store, or the file while the loader holds it. */
export function storedFrameProblem(imageId: string): string | null | undefined {
  const entry = entries.get(imageId);
  if (entry !== undefined) return entry.problem;
  const dataSet = dataSetOf(imageId);
  if (dataSet === undefined) return undefined;
  return frameCheck(dataSet, wadouri.parseImageId(imageId).pixelDataFrame ?? 0);
}

/** Drops what is kept of a viewing session's instances (the session is closed; its keys are dead). */
export function forgetSession(sessionId: string): void {
  const marker = `/${sessionId}/`;
  for (const imageId of entries.keys()) if (imageId.includes(marker)) entries.delete(imageId);
}

/** For the probe and tests: entries kept, and bytes of parsed files the loader still holds. */
export function storeFigures(): { entries: number; loaderBytes: number; loaderFiles: number } {
  const info = wadouri.dataSetCacheManager.getInfo();
  return { entries: entries.size, loaderBytes: info.cacheSizeInBytes, loaderFiles: info.numberOfDataSetsCached };
}
