/**
 * A read-only window on what the viewer shows, for the end-to-end tests and bench:viewer: the
 * current image of each viewport, and the decoded values of a region (modality values: rescale
 * applied; RGB triplets for colour), which the tests compare with values computed independently
 * of Cornerstone (pydicom/numpy on files decompressed by DCMTK and GDCM). It exposes nothing the
 * page does not already hold, and opens nothing the person could not open from the worklist.
 */
import type { ViewerAnchor, ViewerMarker } from '../../../shared/viewer/viewer-anchor';
import { probeCore } from './probe-core';
import { useViewer, type StudyRef } from './viewer-store';

export const viewerProbe = {
  ...probeCore,
  /** Opens a study as Actions → Open does (the same store action), for bench:viewer's timings. */
  open: (ref: StudyRef, anchor?: ViewerAnchor): Promise<void> => useViewer.getState().open(ref, anchor),
  /** The store's own `currentAnchor` and `setMarkers`, as comments and notifications use them. */
  currentAnchor: (): ViewerAnchor | null => useViewer.getState().currentAnchor(),
  setMarkers: (markers: ViewerMarker[]): void => useViewer.getState().setMarkers(markers),
};

declare global {
  interface Window {
    studyshareViewerProbe?: Partial<typeof viewerProbe> & typeof probeCore;
  }
}

export function installViewerProbe(): void {
  window.studyshareViewerProbe = viewerProbe;
}
