/**
 * A read-only window on what the viewer shows, for the end-to-end tests and bench:viewer: the
 * current image of each viewport, and the decoded values of a region (modality values: rescale
 * applied; RGB triplets for colour), which the tests compare with values computed independently
 * of Cornerstone (pydicom/numpy on files decompressed by DCMTK and GDCM). It exposes nothing the
 * page does not already hold, and opens nothing the person could not open from the worklist.
 */
import { cache } from '@cornerstonejs/core';
import type { ViewerAnchor, ViewerMarker } from '../../../shared/viewer/viewer-anchor';
import { controllers } from './viewer-controllers';
import { imageProblem } from './image-checks';
import { useViewer, type StudyRef } from './viewer-store';

interface ProbeImage {
  getPixelData?: () => ArrayLike<number>;
  voxelManager?: { getScalarData: () => ArrayLike<number> };
  rows: number;
  columns: number;
  color: boolean;
  numberOfComponents?: number;
  slope?: number;
  intercept?: number;
  preScale?: { scaled?: boolean; scalingParameters?: { rescaleSlope?: number; rescaleIntercept?: number } };
}

export const viewerProbe = {
  viewports: (): string[] => [...controllers.keys()],
  /** Opens a study as Actions → Open does (the same store action), for bench:viewer's timings. */
  open: (ref: StudyRef, anchor?: ViewerAnchor): Promise<void> => useViewer.getState().open(ref, anchor),
  /** The store's own `currentAnchor` and `setMarkers`, as comments and notifications use them. */
  currentAnchor: (): ViewerAnchor | null => useViewer.getState().currentAnchor(),
  setMarkers: (markers: ViewerMarker[]): void => useViewer.getState().setMarkers(markers),
  /** Bytes of decoded images Cornerstone holds (bounded by the cache setting). */
  cacheBytes: (): number => cache.getCacheSize(),
  state: (viewportId: string) => {
    const controller = controllers.get(viewportId);
    if (controller === undefined) return null;
    const viewport = controller.viewport();
    const voi = viewport?.getProperties().voiRange ?? null;
    return { index: controller.index(), count: controller.count(), imageId: controller.imageId(), error: controller.error(), rendered: controller.rendered(), voi, zoom: viewport?.getZoom() ?? null };
  },
  /** Values of the rectangle (x, y, width, height) of the current image, row by row; null until it is decoded. */
  region: (viewportId: string, x: number, y: number, width: number, height: number) => {
    const controller = controllers.get(viewportId);
    const imageId = controller?.imageId();
    // An image the viewport says it cannot show has no values to compare.
    if (!imageId || controller?.error() || imageProblem(imageId) !== null) return null;
    const image = cache.getImage(imageId) as unknown as ProbeImage | undefined;
    if (image === undefined) return null;
    const data = image.voxelManager?.getScalarData() ?? image.getPixelData?.();
    if (data === undefined) return null;
    const channels = Math.round(data.length / (image.rows * image.columns));
    const scaled = image.preScale?.scaled === true;
    const slope = scaled ? 1 : (image.slope ?? 1);
    const intercept = scaled ? 0 : (image.intercept ?? 0);
    const values: number[] = [];
    for (let row = y; row < y + height; row++) {
      for (let column = x; column < x + width; column++) {
        const at = (row * image.columns + column) * channels;
        if (channels === 1) values.push(data[at] * slope + intercept);
        else values.push(data[at], data[at + 1], data[at + 2]);
      }
    }
    return { rows: image.rows, columns: image.columns, channels: channels === 1 ? 1 : 3, values };
  },
};

declare global {
  interface Window {
    studyshareViewerProbe?: typeof viewerProbe;
  }
}

export function installViewerProbe(): void {
  window.studyshareViewerProbe = viewerProbe;
}
