/**
 * The worklist: its filters, sort, the pages of rows loaded so far (rows arrive by page as the
 * table scrolls), the total, and the selection. Actions are the only way to change it. Responses
 * for an older query are dropped, so typing fast never shows stale rows.
 */
import { create } from 'zustand';
import type { ShareStateView } from '../../../shared/contract';
import type { StudySortColumn, StudySummary } from '../../../shared/types/study';
import { api } from '../../lib/api';

export const PAGE_SIZE = 100;

export interface WorklistFilters {
  readonly text: string;
  readonly modalities: readonly string[];
  readonly dateFrom: string;
  readonly dateTo: string;
}

export interface WorklistSort {
  readonly column: StudySortColumn;
  readonly direction: 'asc' | 'desc';
}

export type LoadStatus = 'loading' | 'ready' | 'error';

interface WorklistState {
  readonly filters: WorklistFilters;
  readonly sort: WorklistSort;
  readonly generation: number;
  readonly status: LoadStatus;
  readonly error: string | null;
  readonly total: number | null;
  readonly pages: ReadonlyMap<number, readonly StudySummary[]>;
  /** Per loaded study: shared (at the last sync), pending, refused — the "Shared" indicator. */
  readonly shareStates: ReadonlyMap<string, ShareStateView>;
  readonly selected: ReadonlySet<string>;
  readonly anchor: number | null;
  readonly focus: number | null;
  readonly detailsOpen: boolean;

  setText(text: string): void;
  toggleModality(modality: string): void;
  setDates(dateFrom: string, dateTo: string): void;
  clearFilters(): void;
  sortBy(column: StudySortColumn): void;
  /** Makes sure rows first..last are loaded (or loading). */
  ensureRows(first: number, last: number): void;
  /** Re-runs the query, keeping what is shown until the new rows arrive (after an import). */
  refresh(): void;
  select(index: number, mode: 'replace' | 'toggle' | 'range'): void;
  moveFocus(delta: number, extend: boolean): void;
  selectAllLoaded(): void;
  clearSelection(): void;
  openDetails(): void;
  closeDetails(): void;
}

export const EMPTY_FILTERS: WorklistFilters = { text: '', modalities: [], dateFrom: '', dateTo: '' };

const inFlight = new Set<string>();
let visible: readonly [number, number] = [0, 60];

export function rowAt(state: Pick<WorklistState, 'pages'>, index: number): StudySummary | undefined {
  return state.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
}

export const useWorklist = create<WorklistState>()((set, get) => {
  function queryInput(page: number) {
    const { filters, sort } = get();
    return {
      text: filters.text.trim() === '' ? undefined : filters.text,
      modalities: filters.modalities.length === 0 ? undefined : [...filters.modalities],
      dateFrom: filters.dateFrom === '' ? undefined : filters.dateFrom,
      dateTo: filters.dateTo === '' ? undefined : filters.dateTo,
      sort,
      limit: PAGE_SIZE,
      offset: page * PAGE_SIZE,
      withTotal: page === 0,
    };
  }

  async function loadPage(page: number): Promise<void> {
    const generation = get().generation;
    const key = `${generation}:${page}`;
    if (inFlight.has(key)) return;
    inFlight.add(key);
    try {
      const result = await api.call('studies:query', queryInput(page));
      if (get().generation !== generation) return;
      if (!result.ok) {
        set({ status: 'error', error: result.error.message });
        return;
      }
      const pages = new Map(get().pages);
      pages.set(page, result.value.rows);
      set(page === 0 ? { pages, total: result.value.total, status: 'ready', error: null } : { pages });
      void loadShareStates(result.value.rows.map((row) => row.studyInstanceUid));
    } finally {
      inFlight.delete(key);
    }
  }

  async function loadShareStates(uids: readonly string[]): Promise<void> {
    if (uids.length === 0) return;
    const result = await api.call('sharing:states', { studyInstanceUids: [...uids] });
    if (!result.ok) return;
    const states = new Map(get().shareStates);
    for (const uid of uids) {
      const state = result.value.states[uid];
      if (state === undefined) states.delete(uid);
      else states.set(uid, state);
    }
    set({ shareStates: states });
  }

  /**
   * A new query: drop the rows and the selection that belonged to the old one. Studies that
   * the filters hide must not stay selected, or an action would reach studies nobody can see.
   */
  function restart(patch: Partial<WorklistState>): void {
    set({
      ...patch,
      generation: get().generation + 1,
      pages: new Map(),
      total: null,
      status: 'loading',
      error: null,
      selected: new Set(),
      anchor: null,
      focus: null,
      detailsOpen: false,
    });
    void loadPage(0);
  }

  return {
    filters: EMPTY_FILTERS,
    sort: { column: 'studyDate', direction: 'desc' },
    generation: 0,
    status: 'loading',
    error: null,
    total: null,
    pages: new Map(),
    shareStates: new Map(),
    selected: new Set(),
    anchor: null,
    focus: null,
    detailsOpen: false,

    setText: (text) => restart({ filters: { ...get().filters, text } }),
    toggleModality: (modality) => {
      const current = get().filters.modalities;
      const modalities = current.includes(modality) ? current.filter((m) => m !== modality) : [...current, modality];
      restart({ filters: { ...get().filters, modalities } });
    },
    setDates: (dateFrom, dateTo) => restart({ filters: { ...get().filters, dateFrom, dateTo } }),
    clearFilters: () => restart({ filters: EMPTY_FILTERS }),
    sortBy: (column) => {
      const { sort } = get();
      const direction = sort.column === column ? (sort.direction === 'asc' ? 'desc' : 'asc') : column === 'studyDate' ? 'desc' : 'asc';
      restart({ sort: { column, direction } });
    },
    ensureRows: (first, last) => {
      visible = [first, last];
      const { pages, total } = get();
      const lastRow = total === null ? last : Math.min(last, total - 1);
      for (let page = Math.floor(Math.max(0, first) / PAGE_SIZE); page <= Math.floor(Math.max(0, lastRow) / PAGE_SIZE); page++) {
        if (!pages.has(page)) void loadPage(page);
      }
    },
    refresh: () => {
      const [first, last] = visible;
      const firstPage = Math.floor(first / PAGE_SIZE);
      const lastPage = Math.floor(last / PAGE_SIZE);
      // Visible pages stay on screen until their fresh copies arrive; others are dropped.
      const pages = new Map([...get().pages].filter(([page]) => page === 0 || (page >= firstPage && page <= lastPage)));
      set({ generation: get().generation + 1, pages });
      void loadPage(0);
      for (let page = firstPage; page <= lastPage; page++) if (page !== 0) void loadPage(page);
    },
    select: (index, mode) => {
      const state = get();
      const row = rowAt(state, index);
      if (row === undefined) return;
      if (mode === 'replace') {
        set({ selected: new Set([row.studyInstanceUid]), anchor: index, focus: index });
      } else if (mode === 'toggle') {
        const selected = new Set(state.selected);
        if (selected.has(row.studyInstanceUid)) selected.delete(row.studyInstanceUid);
        else selected.add(row.studyInstanceUid);
        set({ selected, anchor: index, focus: index });
      } else {
        const anchor = state.anchor ?? index;
        const selected = new Set<string>();
        // Rows not loaded yet cannot be named; ranges cover the loaded ones (pages load on scroll).
        for (let i = Math.min(anchor, index); i <= Math.max(anchor, index); i++) {
          const inRange = rowAt(state, i);
          if (inRange !== undefined) selected.add(inRange.studyInstanceUid);
        }
        set({ selected, focus: index });
      }
    },
    moveFocus: (delta, extend) => {
      const { focus, total } = get();
      if (total === null || total === 0) return;
      const next = Math.max(0, Math.min(total - 1, (focus ?? -1) + delta));
      if (rowAt(get(), next) === undefined) {
        get().ensureRows(next, next);
        return;
      }
      get().select(next, extend ? 'range' : 'replace');
    },
    selectAllLoaded: () => {
      const selected = new Set<string>();
      for (const rows of get().pages.values()) for (const row of rows) selected.add(row.studyInstanceUid);
      set({ selected });
    },
    clearSelection: () => set({ selected: new Set(), anchor: null }),
    openDetails: () => {
      if (get().focus !== null) set({ detailsOpen: true });
    },
    closeDetails: () => set({ detailsOpen: false }),
  };
});

/** Starts the first query; kept out of module load so tests and the app control when. */
export function startWorklist(): void {
  useWorklist.getState().ensureRows(0, 0);
}
