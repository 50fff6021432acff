/**
 * The viewports showing now, by id: the viewer's keys, the 1×2 synchroniser, the store's
 * `currentAnchor` and the test probe reach a viewport through its controller. Kept apart from
 * StackView so the store can read it without loading Cornerstone.
 */
import type { Types } from '@cornerstonejs/core';
import type { ViewerAnchor } from '../../../shared/viewer/viewer-anchor';
import type { ViewerCommand } from './viewer-keys';

export interface StackController {
  readonly command: (command: ViewerCommand) => void;
  readonly setIndex: (index: number) => void;
  readonly index: () => number;
  readonly count: () => number;
  /** Position of each image along the stack's normal (mm), or null where the header has none. */
  readonly positions: () => (number | null)[];
  readonly viewport: () => Types.IStackViewport | null;
  readonly imageId: () => string | null;
  readonly error: () => string | null;
  readonly rendered: () => number;
  /** Where this viewport is: its study, series, image, frame and viewport state. */
  readonly anchor: () => ViewerAnchor | null;
}

export const controllers = new Map<string, StackController>();
