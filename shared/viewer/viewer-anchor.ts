/**
 * A place in a study as the viewer showed it: the study, optionally one series, one image and
 * frame, and the viewport state at that moment. Comments are anchored by it (clicking one opens
 * the viewer exactly there), notifications carry it, and the viewer reports its current one.
 * Frames are 1-based as in DICOM; window is the displayed VOI (centre/width), not the file's.
 */
export interface ViewerViewport {
  readonly windowCenter: number;
  readonly windowWidth: number;
  /** Cornerstone's parallel scale relative to "fit" (1 = fitted). */
  readonly zoom: number;
  /** Pan in image pixels from the fitted centre. */
  readonly pan: readonly [number, number];
  readonly invert?: boolean;
  readonly rotation?: number;
}

export interface ViewerAnchor {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid?: string;
  readonly sopInstanceUid?: string;
  readonly frame?: number;
  readonly viewport?: ViewerViewport;
}

/** A mark on the viewer's scroll bar (where comments sit): the image index within the series shown. */
export interface ViewerMarker {
  readonly seriesInstanceUid: string;
  readonly sopInstanceUid: string;
  readonly frame?: number;
  /** The accessible name and tooltip, e.g. "2 comments". */
  readonly label: string;
}
