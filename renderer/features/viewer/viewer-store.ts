/**
 * The viewer's state: which study is open (its manifest from main), which series each viewport
 * shows, the layout (one viewport, or 1×2 with a prior study of the same patient), whether the
 * overlay and the help show. Actions are the only writers; the viewports keep Cornerstone's own
 * state (image, window, camera) and report what the overlay needs.
 */
import { create } from 'zustand';
import type { ViewerAnchor, ViewerMarker } from '../../../shared/viewer/viewer-anchor';
import type { ViewerStudy } from '../../../shared/viewer/viewer-types';
import { api } from '../../lib/api';
import { controllers } from './viewer-controllers';

export const MAIN_VIEWPORT = 'viewport-main';
export const PRIOR_VIEWPORT = 'viewport-prior';

export type StudyRef = { readonly uid: string } | { readonly hubId: string };

interface ViewerState {
  /** The study asked for (the viewer is showing while this is set). */
  readonly opening: StudyRef | null;
  readonly study: ViewerStudy | null;
  /** The prior shown beside it in the 1×2 layout. */
  readonly prior: ViewerStudy | null;
  readonly error: string | null;
  /** The refused open's code: a hub study not there or not the reader's shows "You do not have access" (issue 13). */
  readonly errorCode?: string | null;
  readonly seriesIndex: number;
  readonly priorSeriesIndex: number;
  readonly overlay: boolean;
  readonly help: boolean;
  /** Bumped when opening starts, so an answer for an older request is dropped. */
  readonly generation: number;
  /**
   * The place asked for with `open` (series, image, frame, viewport state): the main viewport
   * starts there once, then it is only what the reader does. Null when none was asked.
   */
  readonly anchor: ViewerAnchor | null;
  /** The viewport the keys act on and `currentAnchor` reads. */
  readonly activeViewportId: string;
  /** Ticks on the main viewport's scroll bar (e.g. where comments sit), for the series showing. */
  readonly markers: readonly ViewerMarker[];
  /** Opens a study, at `anchor` when given (ignored if it names another study). */
  open: (ref: StudyRef, anchor?: ViewerAnchor) => Promise<void>;
  /** Where the active viewport is now: study, series, image, frame and its viewport state; null when nothing shows. */
  currentAnchor: () => ViewerAnchor | null;
  setMarkers: (markers: readonly ViewerMarker[]) => void;
  setActiveViewport: (viewportId: string) => void;
  close: () => void;
  showSeries: (index: number) => void;
  showPriorSeries: (index: number) => void;
  comparePrior: (studyInstanceUid: string | null) => Promise<void>;
  toggleOverlay: () => void;
  toggleHelp: (show?: boolean) => void;
}

function closeSession(study: ViewerStudy | null): void {
  if (study !== null) void api.call('viewer:close', { sessionId: study.sessionId });
}

export const useViewer = create<ViewerState>()((set, get) => ({
  opening: null,
  study: null,
  prior: null,
  error: null,
  seriesIndex: 0,
  priorSeriesIndex: 0,
  overlay: true,
  help: false,
  generation: 0,
  anchor: null,
  activeViewportId: MAIN_VIEWPORT,
  markers: [],
  open: async (ref, anchor) => {
    closeSession(get().study);
    closeSession(get().prior);
    const generation = get().generation + 1;
    set({ opening: ref, study: null, prior: null, error: null, seriesIndex: 0, priorSeriesIndex: 0, help: false, generation, anchor: anchor ?? null, activeViewportId: MAIN_VIEWPORT });
    const result = await api.call('viewer:open', { study: ref });
    if (get().generation !== generation) {
      if (result.ok) closeSession(result.value);
      return;
    }
    if (!result.ok) {
      set({ error: result.error.message, errorCode: result.error.code });
      return;
    }
    const study = result.value;
    // An anchor for another study (a stale link) opens the study at its start rather than nowhere.
    const fits = anchor !== undefined && anchor.studyInstanceUid === study.study.studyInstanceUid;
    const seriesIndex = fits && anchor.seriesInstanceUid !== undefined ? study.series.findIndex((s) => s.seriesInstanceUid === anchor.seriesInstanceUid) : -1;
    set({ study, seriesIndex: Math.max(0, seriesIndex), anchor: fits ? anchor : null });
  },
  currentAnchor: () => {
    const { study, prior, activeViewportId } = get();
    const id = activeViewportId === PRIOR_VIEWPORT && prior !== null ? PRIOR_VIEWPORT : MAIN_VIEWPORT;
    if ((id === MAIN_VIEWPORT ? study : prior) === null) return null;
    return controllers.get(id)?.anchor() ?? null;
  },
  setMarkers: (markers) => set({ markers: [...markers] }),
  setActiveViewport: (viewportId) => set({ activeViewportId: viewportId }),
  close: () => {
    closeSession(get().study);
    closeSession(get().prior);
    set({ opening: null, study: null, prior: null, error: null, help: false, generation: get().generation + 1, anchor: null, activeViewportId: MAIN_VIEWPORT });
  },
  showSeries: (index) => {
    const count = get().study?.series.length ?? 0;
    if (count > 0) set({ seriesIndex: Math.min(count - 1, Math.max(0, index)) });
  },
  showPriorSeries: (index) => {
    const count = get().prior?.series.length ?? 0;
    if (count > 0) set({ priorSeriesIndex: Math.min(count - 1, Math.max(0, index)) });
  },
  comparePrior: async (uid) => {
    closeSession(get().prior);
    set({ prior: null, priorSeriesIndex: 0 });
    if (uid === null) return;
    const generation = get().generation;
    const result = await api.call('viewer:open', { study: { uid } });
    if (get().generation !== generation) {
      if (result.ok) closeSession(result.value);
      return;
    }
    if (result.ok) {
      // The prior's series most like the one showing (same modality and description), else its first.
      const current = get().study?.series[get().seriesIndex];
      const match = result.value.series.findIndex((s) => s.modality === current?.modality && s.description === current?.description);
      set({ prior: result.value, priorSeriesIndex: Math.max(0, match) });
    } else set({ error: result.error.message });
  },
  toggleOverlay: () => set({ overlay: !get().overlay }),
  toggleHelp: (show) => set({ help: show ?? !get().help }),
}));
