/**
 * The worklists this user has on the hub (their own, their locations', their groups') and the
 * studies of the one showing, with its selection. Loaded from the hub through main; refreshed
 * after each sync.
 */
import { create } from 'zustand';
import type { HubWorklistStudy, HubWorklistView } from '../../../shared/contract';
import { api } from '../../lib/api';

interface HubWorklistState {
  readonly worklists: readonly HubWorklistView[];
  readonly listError: string | null;
  readonly worklistId: string | null;
  readonly studies: readonly HubWorklistStudy[];
  readonly total: number | null;
  readonly status: 'idle' | 'loading' | 'ready' | 'error';
  readonly error: string | null;
  readonly selected: ReadonlySet<string>;
  readonly focus: string | null;
  loadWorklists(): Promise<void>;
  open(worklistId: string): Promise<void>;
  refresh(): Promise<void>;
  select(hubStudyId: string, mode: 'replace' | 'toggle'): void;
  clear(): void;
}

const PAGE = 500;

export const useHubWorklists = create<HubWorklistState>()((set, get) => ({
  worklists: [],
  listError: null,
  worklistId: null,
  studies: [],
  total: null,
  status: 'idle',
  error: null,
  selected: new Set(),
  focus: null,
  loadWorklists: async () => {
    const result = await api.call('hub-worklists:list', {});
    set(result.ok ? { worklists: result.value.worklists, listError: null } : { worklists: [], listError: result.error.message });
  },
  open: async (worklistId) => {
    set({ worklistId, studies: [], total: null, status: 'loading', error: null, selected: new Set(), focus: null });
    await get().refresh();
  },
  refresh: async () => {
    const worklistId = get().worklistId;
    if (worklistId === null) return;
    const result = await api.call('hub-worklists:studies', { worklistId, offset: 0, limit: PAGE });
    if (get().worklistId !== worklistId) return;
    if (!result.ok) {
      set({ status: 'error', error: result.error.message });
      return;
    }
    // What is no longer in the worklist cannot stay selected.
    const ids = new Set(result.value.studies.map((s) => s.hubStudyId));
    const selected = new Set([...get().selected].filter((id) => ids.has(id)));
    const focus = get().focus;
    set({ studies: result.value.studies, total: result.value.total, status: 'ready', error: null, selected, focus: focus !== null && ids.has(focus) ? focus : null });
  },
  select: (hubStudyId, mode) => {
    const selected = new Set(mode === 'replace' ? [] : get().selected);
    if (mode === 'toggle' && selected.has(hubStudyId)) selected.delete(hubStudyId);
    else selected.add(hubStudyId);
    set({ selected, focus: hubStudyId });
  },
  clear: () => set({ worklistId: null, studies: [], total: null, status: 'idle', selected: new Set(), focus: null }),
}));
