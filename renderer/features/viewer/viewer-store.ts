/**
 * The viewer's state: which study is open (its manifest from main), which series each viewport
 * shows, the layout (one viewport, or 1×2 with a prior study of the same patient), whether the
 * overlay and the help show. Actions are the only writers; the viewports keep Cornerstone's own
 * state (image, window, camera) and report what the overlay needs.
 */
import { create } from 'zustand';
import type { ViewerStudy } from '../../../shared/viewer/viewer-types';
import { api } from '../../lib/api';

export type StudyRef = { readonly uid: string } | { readonly hubId: string };

interface ViewerState {
  /** The study asked for (the viewer is showing while this is set). */
  readonly opening: StudyRef | null;
  readonly study: ViewerStudy | null;
  /** The prior shown beside it in the 1×2 layout. */
  readonly prior: ViewerStudy | null;
  readonly error: string | null;
  readonly seriesIndex: number;
  readonly priorSeriesIndex: number;
  readonly overlay: boolean;
  readonly help: boolean;
  /** Bumped when opening starts, so an answer for an older request is dropped. */
  readonly generation: number;
  open: (ref: StudyRef) => Promise<void>;
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
  open: async (ref) => {
    closeSession(get().study);
    closeSession(get().prior);
    const generation = get().generation + 1;
    set({ opening: ref, study: null, prior: null, error: null, seriesIndex: 0, priorSeriesIndex: 0, help: false, generation });
    const result = await api.call('viewer:open', { study: ref });
    if (get().generation !== generation) {
      if (result.ok) closeSession(result.value);
      return;
    }
    if (result.ok) set({ study: result.value });
    else set({ error: result.error.message });
  },
  close: () => {
    closeSession(get().study);
    closeSession(get().prior);
    set({ opening: null, study: null, prior: null, error: null, help: false, generation: get().generation + 1 });
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
