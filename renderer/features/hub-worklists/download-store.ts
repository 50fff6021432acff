/**
 * Actions → Download… (issue 13, part 1): asks main to save a hub study's zip. Main asks the hub
 * first (its download policy, a collection's download right), then where to save (a save dialog;
 * in browser mode the app's downloads folder), and tells progress by `download:progress`. This
 * store holds the one download under way and says how it ended, in words.
 */
import { create } from 'zustand';
import { api } from '../../lib/api';

export type DownloadState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'saving'; readonly downloadId: string; readonly bytes: number }
  | { readonly kind: 'saved'; readonly path: string; readonly bytes: number }
  | { readonly kind: 'failed'; readonly message: string };

interface DownloadStore {
  readonly state: DownloadState;
  start: (hubStudyId: string) => Promise<void>;
  dismiss: () => void;
}

/** Bytes as a person reads them (the zip's size is not known before it is whole). */
export function describeBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

let unsubscribe: (() => void) | null = null;

export const useDownloads = create<DownloadStore>()((set, get) => ({
  state: { kind: 'idle' },
  start: async (hubStudyId) => {
    if (get().state.kind === 'saving') return;
    const downloadId = crypto.randomUUID();
    set({ state: { kind: 'saving', downloadId, bytes: 0 } });
    unsubscribe?.();
    unsubscribe = api.on('download:progress', (event) => {
      const state = get().state;
      if (state.kind === 'saving' && state.downloadId === event.downloadId) set({ state: { ...state, bytes: event.bytes } });
    });
    const result = await api.call('studies:download', { hubStudyId, downloadId });
    unsubscribe?.();
    unsubscribe = null;
    if (!result.ok) set({ state: { kind: 'failed', message: result.error.message } });
    else if (!result.value.saved) set({ state: { kind: 'idle' } });
    else set({ state: { kind: 'saved', path: result.value.path, bytes: result.value.bytes } });
  },
  dismiss: () => {
    if (get().state.kind !== 'saving') set({ state: { kind: 'idle' } });
  },
}));
