/**
 * The store-free part of the viewer's test probe (the app's and the guest page's): the current
 * image of each viewport and the decoded values of a region (modality values: rescale applied;
 * RGB triplets for colour), which end-to-end tests compare with values computed independently.
 */
import { cache } from '@cornerstonejs/core';
import { controllers } from './viewer-controllers';
import { imageProblem } from './image-checks';
import { storeFigures } from './instance-store';

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

export const probeCore = {
  viewports: (): string[] => [...controllers.keys()],
  /** Bytes of decoded images Cornerstone holds (bounded by the cache setting). */
  cacheBytes: (): number => cache.getCacheSize(),
  /** What instance-store keeps, and the parsed files the loader still holds (released once decoded). */
  storeFigures,
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
