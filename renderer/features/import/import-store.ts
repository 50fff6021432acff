/** The import the user started from the UI: its progress, its outcome and the files that failed. */
import { create } from 'zustand';
import type { ApiError, ImportFinishedEvent, ImportProgressEvent, UnfinishedImportsView } from '../../../shared/contract';
import type { ImportSummary } from '../../../shared/types/import';
import { api } from '../../lib/api';

type Phase = 'idle' | 'starting' | 'running' | 'cancelling' | 'done' | 'failed';

interface ImportState {
  readonly dialogOpen: boolean;
  readonly phase: Phase;
  readonly importId: string | null;
  readonly progress: ImportProgressEvent | null;
  readonly summary: ImportSummary | null;
  readonly error: ApiError | null;
  openDialog: () => void;
  closeDialog: () => void;
  /** Clears a finished import's report so another can be started. */
  reset: () => void;
  start: (paths: readonly string[], copyToLibrary: boolean) => Promise<void>;
  cancel: () => Promise<void>;
  onProgress: (event: ImportProgressEvent) => void;
  onFinished: (event: ImportFinishedEvent) => void;
  /** Imports the app stopped in the middle of last time (killed, machine off), offered again. */
  readonly unfinished: UnfinishedImportsView['imports'];
  loadUnfinished: () => Promise<void>;
  /** Runs an unfinished import again: it continues where it stopped. */
  resume: (jobId: string) => Promise<void>;
  dismissUnfinished: (jobId: string) => Promise<void>;
}

export const useImport = create<ImportState>()((set, get) => ({
  unfinished: [],
  loadUnfinished: async () => {
    const result = await api.call('import:unfinished', {});
    if (result.ok) set({ unfinished: result.value.imports });
  },
  resume: async (jobId) => {
    set({ phase: 'starting', importId: null, progress: null, summary: null, error: null, unfinished: get().unfinished.filter((job) => job.id !== jobId) });
    const result = await api.call('import:resume', { jobId });
    if (!result.ok) {
      set({ phase: 'failed', error: result.error });
      return;
    }
    if (get().importId !== result.value.importId) set({ importId: result.value.importId });
    if (get().phase === 'starting') set({ phase: 'running' });
  },
  dismissUnfinished: async (jobId) => {
    const result = await api.call('import:dismiss', { jobId });
    if (result.ok) set({ unfinished: get().unfinished.filter((job) => job.id !== jobId) });
    else set({ error: result.error });
  },
  dialogOpen: false,
  phase: 'idle',
  importId: null,
  progress: null,
  summary: null,
  error: null,
  openDialog: () => {
    const { phase } = get();
    // A finished import's report stays until the next one starts.
    set(phase === 'running' || phase === 'cancelling' || phase === 'done' ? { dialogOpen: true } : { dialogOpen: true, phase: 'idle', error: null });
  },
  closeDialog: () => set({ dialogOpen: false }),
  reset: () => set({ phase: 'idle', importId: null, progress: null, summary: null, error: null }),
  start: async (paths, copyToLibrary) => {
    set({ phase: 'starting', importId: null, progress: null, summary: null, error: null });
    const result = await api.call('import:start', { paths: [...paths], copyToLibrary });
    if (!result.ok) {
      set({ phase: 'failed', error: result.error });
      return;
    }
    // A very small import may already have finished: keep its outcome.
    if (get().importId !== result.value.importId) set({ importId: result.value.importId });
    if (get().phase === 'starting') set({ phase: 'running' });
  },
  cancel: async () => {
    const { importId, phase } = get();
    // Only a running import can be cancelled: its outcome may have arrived just before the click.
    if (importId === null || phase !== 'running') return;
    set({ phase: 'cancelling' });
    const result = await api.call('import:cancel', { importId });
    // Nothing was cancelled (it had just finished, or main refused): no event will end
    // 'cancelling', so go back to running unless its outcome has arrived meanwhile.
    const stillCancelling = get().phase === 'cancelling' && get().importId === importId;
    if (stillCancelling && (!result.ok || !result.value.cancelled)) set({ phase: 'running', error: result.ok ? null : result.error });
  },
  onProgress: (event) => {
    const { importId, phase } = get();
    if (importId !== null && importId !== event.importId) return;
    set({ progress: event, importId: event.importId, phase: phase === 'starting' ? 'running' : phase });
  },
  onFinished: (event) => {
    const { importId } = get();
    if (importId !== null && importId !== event.importId) return;
    set({ importId: event.importId, summary: event.summary, error: event.error, phase: event.error === null ? 'done' : 'failed' });
  },
}));
