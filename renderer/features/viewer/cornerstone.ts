/**
 * Cornerstone3D set up once for the page: the core (CPU rendering where the page has no WebGL),
 * the DICOM image loader with its codec workers (openjpeg, charls, libjpeg-turbo, openjph,
 * jpeg-lossless; bundled by Vite as module workers and wasm assets, so nothing comes from
 * elsewhere) and the tools the viewer binds. Instances are fetched as `wadouri:` image ids from
 * `/viewer-data/<session>/<key>` on the page's own origin — main's loopback server in browser
 * mode (with the page's key), app:// in Electron, the hub on the guest page.
 */
import { cache, Enums, init as coreInit, getRenderingEngine, RenderingEngine, setUseCPURendering } from '@cornerstonejs/core';
import { init as loaderInit } from '@cornerstonejs/dicom-image-loader';
import { AngleTool, addTool, init as toolsInit, LengthTool, PanTool, StackScrollTool, WindowLevelTool, ZoomTool } from '@cornerstonejs/tools';
import { frameDataProblem } from './image-checks';
import { installInstanceStore } from './instance-store';
import { VIEWER_DATA_PREFIX, type ViewerInstance } from '../../../shared/viewer/viewer-types';

export const RENDERING_ENGINE_ID = 'studyshare-viewer';

let ready: Promise<void> | null = null;

export interface ViewerEnvironment {
  /** Headers for `/viewer-data/` requests (browser mode: the page's Bearer key). */
  readonly headers: () => Record<string, string>;
  /** Where instance bytes are served (default /viewer-data/). */
  readonly dataPrefix?: string;
}

let environment: ViewerEnvironment = { headers: () => ({}) };

/** Starts Cornerstone once; later calls wait for the same start. */
export function initCornerstone(env: ViewerEnvironment): Promise<void> {
  environment = env;
  ready ??= (async () => {
    coreInit();
    // Without a GPU (a software WebGL such as SwiftShader or llvmpipe), Cornerstone's canvas path
    // draws a 512×512 slice several times faster than emulated WebGL does.
    if (softwareWebGl()) setUseCPURendering(true);
    loaderInit({
      // Two cores here, and the main thread draws: one decoding worker per two cores, at least one.
      maxWebWorkers: Math.max(1, Math.min(4, Math.floor((navigator.hardwareConcurrency || 2) / 2))),
      beforeSend: () => environment.headers(),
      // The dicom-parser path (the loader's long-standing one, its own metadata provider): 5.x's
      // newer naturalized path parses deflated data sets without inflating them, and fails them.
      useLegacyMetadataProvider: true,
    });
    // The loader's parsed files released once each image is decoded; their metadata kept small.
    installInstanceStore(frameDataProblem);
    toolsInit();
    for (const tool of [WindowLevelTool, PanTool, ZoomTool, StackScrollTool, LengthTool, AngleTool]) addTool(tool);
  })();
  return ready;
}

function softwareWebGl(): boolean {
  try {
    const gl = document.createElement('canvas').getContext('webgl2') ?? document.createElement('canvas').getContext('webgl');
    if (gl === null) return true;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = info === null ? '' : String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return /swiftshader|llvmpipe|software|basic render/i.test(renderer);
  } catch {
    return true;
  }
}

/** The decoded-image cache's bound, in bytes (the viewer's cache setting). */
export function setImageCacheBytes(bytes: number): void {
  cache.setMaxCacheSize(bytes);
}

export function renderingEngine(): RenderingEngine {
  return getRenderingEngine(RENDERING_ENGINE_ID) ?? new RenderingEngine(RENDERING_ENGINE_ID);
}

/** One image id per frame: `wadouri:<prefix><session>/<key>` (`?frame=n`, 1-based, for multi-frame instances). */
export function imageIdsFor(sessionId: string, instances: readonly ViewerInstance[]): string[] {
  const prefix = environment.dataPrefix ?? VIEWER_DATA_PREFIX;
  const ids: string[] = [];
  for (const instance of instances) {
    const url = `wadouri:${prefix}${sessionId}/${instance.key}`;
    const frames = instance.frames ?? 1;
    if (frames <= 1) ids.push(url);
    else for (let frame = 1; frame <= frames; frame++) ids.push(`${url}?frame=${frame}`);
  }
  return ids;
}

export const ViewportType = Enums.ViewportType;
export const CoreEvents = Enums.Events;
