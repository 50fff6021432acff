/**
 * Where each image of a stack comes from (instance and frame), and the reverse: which image of
 * the stack an anchor or a marker names. The stack is one image per frame, instances in the
 * order main gives them, frames 1…n of a multi-frame instance in turn (as `imageIdsFor` builds
 * the image ids), so both sides are computed from the same rule.
 */
import type { ViewerInstance } from '../../../shared/viewer/viewer-types';

export interface StackPlace {
  readonly sopInstanceUid: string;
  /** 1-based frame of a multi-frame instance; undefined for a single-frame one. */
  readonly frame?: number;
}

export function placesFor(instances: readonly ViewerInstance[]): StackPlace[] {
  const places: StackPlace[] = [];
  for (const instance of instances) {
    const frames = instance.frames ?? 1;
    if (frames <= 1) places.push({ sopInstanceUid: instance.sopInstanceUid });
    else for (let frame = 1; frame <= frames; frame++) places.push({ sopInstanceUid: instance.sopInstanceUid, frame });
  }
  return places;
}

/**
 * The index of an instance (and frame) in the stack, or null when the stack does not hold it.
 * A frame asked of a single-frame image, or no frame asked of a multi-frame one, is its first.
 */
export function indexOfPlace(places: readonly StackPlace[], sopInstanceUid: string, frame?: number): number | null {
  let first: number | null = null;
  for (let index = 0; index < places.length; index++) {
    const place = places[index];
    if (place.sopInstanceUid !== sopInstanceUid) continue;
    first ??= index;
    if (frame === undefined || place.frame === undefined || place.frame === frame) return index;
  }
  return first;
}
