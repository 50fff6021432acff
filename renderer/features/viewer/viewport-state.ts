/**
 * A stack viewport's state as an anchor holds it (window, zoom relative to "fit", pan in image
 * pixels, invert, rotation), read from Cornerstone and put back. Cornerstone's own units differ
 * between its GPU and CPU paths (zoom absolute or relative, pan in canvas or image pixels), so
 * both directions go through what they share: the image point at the canvas centre, and a zoom
 * measured on screen — canvas pixels per image pixel against what fitting the image into the
 * canvas gives. (A zoom remembered at the moment of fitting went wrong: the CPU path reports no
 * zoom until its first render, and the canvas changes size when a side panel opens.)
 */
import type { Types } from '@cornerstonejs/core';
import type { ViewerViewport } from '../../../shared/viewer/viewer-anchor';
import { voiRange, windowOf } from './viewer-keys';

type Point2 = [number, number];

function centre(viewport: Types.IStackViewport): Point2 {
  const canvas = viewport.canvas;
  return [canvas.clientWidth / 2, canvas.clientHeight / 2];
}

type Geometry = Pick<Types.IImageData, 'origin' | 'spacing' | 'direction' | 'dimensions'>;

/**
 * The image's own geometry as the viewport holds it (origin, spacing, row and column directions):
 * the same for an image with or without a plane in its header (Cornerstone makes one up), which
 * the metadata-based `worldToImageCoords` is not.
 */
function geometry(viewport: Types.IStackViewport): Geometry | null {
  const data = viewport.getImageData() as Geometry | undefined;
  return data?.origin === undefined || data.spacing === undefined || data.direction === undefined || data.dimensions === undefined ? null : data;
}

function worldToImage(g: Geometry, world: Types.Point3): Point2 {
  const diff = [world[0] - g.origin[0], world[1] - g.origin[1], world[2] - g.origin[2]];
  const dot = (at: number): number => diff[0] * g.direction[at] + diff[1] * g.direction[at + 1] + diff[2] * g.direction[at + 2];
  return [dot(0) / g.spacing[0], dot(3) / g.spacing[1]];
}

function imageToWorld(g: Geometry, point: Point2): Types.Point3 {
  const [i, j] = [point[0] * g.spacing[0], point[1] * g.spacing[1]];
  return [0, 1, 2].map((axis) => g.origin[axis] + i * g.direction[axis] + j * g.direction[3 + axis]) as Types.Point3;
}

/** The image pixel (column, row) shown at the canvas centre, or null before an image shows. */
function imagePointAtCentre(viewport: Types.IStackViewport): Point2 | null {
  const g = geometry(viewport);
  const world = g === null ? undefined : viewport.canvasToWorld(centre(viewport));
  if (g === null || world === undefined) return null;
  const point = worldToImage(g, world);
  return Number.isFinite(point[0]) && Number.isFinite(point[1]) ? point : null;
}

function imageSize(viewport: Types.IStackViewport): Point2 | null {
  const dimensions = geometry(viewport)?.dimensions;
  return dimensions === undefined ? null : [dimensions[0], dimensions[1]];
}

const round = (value: number, places: number): number => Math.round(value * 10 ** places) / 10 ** places;

/** Canvas pixels per image pixel along a row, as shown now. */
function shownScale(viewport: Types.IStackViewport, g: Geometry): number | null {
  const a = viewport.worldToCanvas(imageToWorld(g, [0, 0]));
  const b = viewport.worldToCanvas(imageToWorld(g, [1, 0]));
  const scale = Math.hypot(b[0] - a[0], b[1] - a[1]);
  return Number.isFinite(scale) && scale > 0 ? scale : null;
}

/** Canvas pixels per image pixel along a row when the whole image fits the canvas (Cornerstone's "fit"). */
function fittedScale(viewport: Types.IStackViewport, g: Geometry): number | null {
  const { clientWidth, clientHeight } = viewport.canvas;
  const widthMm = g.dimensions[0] * g.spacing[0];
  const heightMm = g.dimensions[1] * g.spacing[1];
  if (!(clientWidth > 0 && clientHeight > 0 && widthMm > 0 && heightMm > 0)) return null;
  return Math.min(clientWidth / widthMm, clientHeight / heightMm) * g.spacing[0];
}

/** The zoom relative to fit (1 = fitted), or null before an image shows. */
export function relativeZoom(viewport: Types.IStackViewport): number | null {
  const g = geometry(viewport);
  const shown = g === null ? null : shownScale(viewport, g);
  const fitted = g === null ? null : fittedScale(viewport, g);
  return shown === null || fitted === null ? null : shown / fitted;
}

/** The viewport's state now. */
export function readViewport(viewport: Types.IStackViewport, rotation: number): ViewerViewport | null {
  const properties = viewport.getProperties();
  const size = imageSize(viewport);
  const at = imagePointAtCentre(viewport);
  const zoom = relativeZoom(viewport);
  if (properties.voiRange === undefined || size === null || at === null || zoom === null) return null;
  const window = windowOf(properties.voiRange);
  return {
    windowCenter: round(window.center, 3),
    windowWidth: round(window.width, 3),
    zoom: round(zoom, 4),
    pan: [round(size[0] / 2 - at[0], 2), round(size[1] / 2 - at[1], 2)],
    invert: properties.invert === true,
    rotation,
  };
}

/**
 * Puts a state back: window and invert as properties, rotation and zoom on the camera, then the
 * pan as the image point the camera centres on (Cornerstone's `setPan` means different things
 * in its two paths, and in the CPU one depends on where the view already is).
 */
export function applyViewport(viewport: Types.IStackViewport, state: ViewerViewport): void {
  viewport.setProperties({ voiRange: voiRange(state.windowWidth, state.windowCenter), invert: state.invert === true });
  if (state.rotation !== undefined && state.rotation !== 0) viewport.setViewPresentation({ rotation: state.rotation });
  // Cornerstone's zoom units differ by path, but both are proportional to the scale on screen.
  const zoomNow = relativeZoom(viewport);
  if (Number.isFinite(state.zoom) && state.zoom > 0 && zoomNow !== null) viewport.setZoom((viewport.getZoom() * state.zoom) / zoomNow);
  const g = geometry(viewport);
  if (g === null) return;
  const target: Point2 = [g.dimensions[0] / 2 - state.pan[0], g.dimensions[1] / 2 - state.pan[1]];
  const world = imageToWorld(g, target);
  // The target to the canvas centre, as the camera's focal point; a GPU camera keeps its
  // direction by moving its position with it (the CPU path reads the focal point only).
  const camera = viewport.getCamera();
  const focal = camera.focalPoint ?? world;
  const position = camera.position ?? world;
  viewport.setCamera({ focalPoint: world, position: [0, 1, 2].map((axis) => world[axis] + position[axis] - focal[axis]) as Types.Point3 });
}
