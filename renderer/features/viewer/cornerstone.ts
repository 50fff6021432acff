/**
 * Cornerstone3D set up once for the page: the core (CPU rendering where the page has no WebGL),
 * the DICOM image loader with its codec workers (openjpeg, charls, libjpeg-turbo, openjph,
 * jpeg-lossless; bundled by Vite as module workers and wasm assets, so nothing comes from
 * elsewhere) and the tools the viewer binds. Instances are fetched as `wadouri:` image ids from
 * `/viewer-data/<session>/<key>` on the page's own origin — main's loopback server in browser
 * mode (with the page's key), app:// in Electron, the hub on the guest page.
 */
import { cache, Enums, getRenderingEngine, getWebWorkerManager, imageLoadPoolManager, init as coreInit, RenderingEngine, setUseCPURendering } from '@cornerstonejs/core';
import { init as loaderInit } from '@cornerstonejs/dicom-image-loader';
import { AngleTool, addTool, init as toolsInit, LengthTool, PanTool, StackScrollTool, WindowLevelTool, ZoomTool } from '@cornerstonejs/tools';
import { frameDataProblem } from './image-checks';
import { installInstanceStore } from './instance-store';
import { VIEWER_DATA_PREFIX, type ViewerInstance } from '../../../shared/viewer/viewer-types';

export const RENDERING_ENGINE_ID = 'studyshare-viewer';

let ready: Promise<void> | null = null;

/**
 * Prefetch requests for instance bytes in flight at once. Cornerstone allows 1,000, so a series'
 * whole prefetch (499 requests) went out the moment it was enabled; the browser sends six at a
 * time per origin (HTTP/1.1) and queues the rest, and closing the series cannot take them back
 * (stackPrefetch.disable clears only Cornerstone's own queue, which was empty). Everything the
 * next study asked of the same origin — its `viewer:open` call, its first image — queued behind
 * them: 7.6–13.5 s to a first image after an uncompressed series (bench:viewer --trace). Four
 * leaves two of the six connections free for what the reader is waiting for, keeps the rest of a
 * prefetch in Cornerstone's queue (dropped when the series closes), and still keeps a decoding
 * worker fed.
 */
export const PREFETCH_IN_FLIGHT = 4;

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
    // Two cores here, and the main thread draws: one decoding worker per two cores, at least one.
    const workers = Math.max(1, Math.min(4, Math.floor((navigator.hardwareConcurrency || 2) / 2)));
    imageLoadPoolManager.setMaxSimultaneousRequests(Enums.RequestType.Prefetch, PREFETCH_IN_FLIGHT);
    // And at most two prefetch decodes per worker handed over at a time (one running, one ready so
    // the worker never idles): a worker runs its tasks in order, so the displayed image (an
    // Interaction request, which the pool sends first) waits behind at most those two.
    getWebWorkerManager().workerPoolManager.setMaxSimultaneousRequests(Enums.RequestType.Prefetch, 2 * workers);
    loaderInit({
      maxWebWorkers: workers,
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
