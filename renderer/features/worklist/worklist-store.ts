/**
 * A worklist over one study source: its filters, sort, the pages of rows loaded so far (rows
 * arrive by page as the table scrolls), the total, and the selection. Actions are the only way
 * to change it. Answers for an older query or an older source are dropped, so typing fast (or a
 * slow hub) never shows stale rows.
 *
 * One factory, two stores: the local index (`useWorklist`) and the hub worklist shown in the
 * main area (`useHubStudies` in hub-worklists/), whose source changes with the sidebar.
 */
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import type { HubSiteView, ShareStateView } from '../../../shared/contract';
import type { StudySortColumn } from '../../../shared/types/study';
import { localStudySource, type SourceQuery, type StudyRow, type StudySource } from './study-source';

export const PAGE_SIZE = 100;

export interface WorklistFilters {
  readonly text: string;
  readonly modalities: readonly string[];
  readonly dateFrom: string;
  readonly dateTo: string;
  /** The Site filter's site id ('' = all sites): for someone connected to several sites (issue 14). */
  readonly site: string;
}

export interface WorklistSort {
  readonly column: StudySortColumn;
  readonly direction: 'asc' | 'desc';
}

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface WorklistState {
  readonly source: StudySource | null;
  readonly filters: WorklistFilters;
  readonly sort: WorklistSort;
  readonly generation: number;
  readonly status: LoadStatus;
  readonly error: string | null;
  /** Matching studies; when `totalCapped`, "at least" this many (the hub stopped counting). */
  readonly total: number | null;
  readonly totalCapped: boolean;
  readonly pages: ReadonlyMap<number, readonly StudyRow[]>;
  /** Each loaded page's `nextCursor`: the page after it is asked by cursor, not offset. */
  readonly cursors: ReadonlyMap<number, string | null>;
  /** Per loaded study: shared (at the last sync), pending, refused — the "Shared" indicator. */
  readonly shareStates: ReadonlyMap<string, ShareStateView>;
  /** Selected rows by key (the Study Instance UID locally, the hub's study id on the hub). */
  readonly selected: ReadonlyMap<string, StudyRow>;
  readonly anchor: number | null;
  readonly focus: number | null;
  readonly detailsOpen: boolean;
  /** The sites the source's studies may come from (someone connected to several: the Site column and filter); empty for one site. */
  readonly sites: readonly HubSiteView[];

  /** Shows another source's studies with the same filters and sort. */
  setSource: (source: StudySource | null) => void;
  setText: (text: string) => void;
  toggleModality: (modality: string) => void;
  setDates: (dateFrom: string, dateTo: string) => void;
  /** The Site filter: a site's id, or '' for all sites. */
  setSite: (site: string) => void;
  clearFilters: () => void;
  sortBy: (column: StudySortColumn) => void;
  /** Makes sure rows first..last are loaded (or loading). */
  ensureRows: (first: number, last: number) => void;
  /** Re-runs the query, keeping what is shown until the new rows arrive (after an import or a sync). */
  refresh: () => void;
  select: (index: number, mode: 'replace' | 'toggle' | 'range') => void;
  moveFocus: (delta: number, extend: boolean) => void;
  selectAllLoaded: () => void;
  clearSelection: () => void;
  openDetails: () => void;
  closeDetails: () => void;
}

export type WorklistStore = UseBoundStore<StoreApi<WorklistState>>;

export const EMPTY_FILTERS: WorklistFilters = { text: '', modalities: [], dateFrom: '', dateTo: '', site: '' };

export function rowAt(state: Pick<WorklistState, 'pages'>, index: number): StudyRow | undefined {
  return state.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
}

export function isFiltered(filters: WorklistFilters): boolean {
  return filters.text.trim() !== '' || filters.modalities.length > 0 || filters.dateFrom !== '' || filters.dateTo !== '' || filters.site !== '';
}

/**
 * Rows the table has room for. A capped total is a lower bound: one more page of placeholders
 * follows it, so scrolling there asks for the next page, which moves the bound on (or, on the
 * last page, makes it exact).
 */
export function rowCount(state: Pick<WorklistState, 'total' | 'totalCapped'>): number {
  if (state.total === null) return 0;
  return state.totalCapped ? state.total + PAGE_SIZE : state.total;
}

export function createWorklistStore(initialSource: StudySource | null): WorklistStore {
  const inFlight = new Set<string>();
  let visible: readonly [number, number] = [0, 60];

  return create<WorklistState>()((set, get) => {
    function queryInput(page: number): SourceQuery {
      const { filters, sort, cursors } = get();
      const after = cursors.get(page - 1);
      return {
        text: filters.text.trim() === '' ? undefined : filters.text,
        modalities: filters.modalities.length === 0 ? undefined : [...filters.modalities],
        dateFrom: filters.dateFrom === '' ? undefined : filters.dateFrom,
        dateTo: filters.dateTo === '' ? undefined : filters.dateTo,
        sort,
        limit: PAGE_SIZE,
        offset: page * PAGE_SIZE,
        // Scrolling on from a loaded page goes by its cursor (constant cost); a jump by offset.
        after: typeof after === 'string' && page > 0 ? after : undefined,
        withTotal: page === 0,
        site: filters.site === '' ? undefined : filters.site,
      };
    }

    async function loadPage(page: number): Promise<void> {
      const { generation, source } = get();
      if (source === null) return;
      const key = `${generation}:${page}`;
      if (inFlight.has(key)) return;
      inFlight.add(key);
      try {
        const result = await source.query(queryInput(page));
        if (get().generation !== generation) return;
        if (!result.ok) {
          set({ status: 'error', error: result.error.message });
          return;
        }
        const { rows, total, totalCapped, nextCursor, sites } = result.value;
        // The sites come with each first page; a page that names none leaves them as they were.
        if (page === 0 && sites !== undefined) set({ sites: sites.length > 1 ? sites : [] });
        const pages = new Map(get().pages);
        pages.set(page, rows);
        const cursors = new Map(get().cursors);
        cursors.set(page, nextCursor);
        if (page === 0) {
          set({ pages, cursors, total: nextCursor === null ? rows.length : total, totalCapped: nextCursor === null ? false : totalCapped, status: 'ready', error: null });
        } else if (get().totalCapped) {
          // Past a capped total: each page moves the lower bound on; the last one makes it exact.
          const end = page * PAGE_SIZE + rows.length;
          set(nextCursor === null ? { pages, cursors, total: end, totalCapped: false } : { pages, cursors, total: Math.max(get().total ?? 0, end) });
        } else {
          set({ pages, cursors });
        }
        void loadShareStates(source, rows.map((row) => row.key));
      } finally {
        inFlight.delete(key);
      }
    }

    async function loadShareStates(source: StudySource, keys: readonly string[]): Promise<void> {
      if (keys.length === 0 || source.shareStates === undefined) return;
      const answer = await source.shareStates(keys);
      if (answer === null || get().source !== source) return;
      const states = new Map(get().shareStates);
      for (const [key, state] of answer) {
        if (state === undefined) states.delete(key);
        else states.set(key, state);
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
        cursors: new Map(),
        total: null,
        totalCapped: false,
        status: (patch.source !== undefined ? patch.source : get().source) === null ? 'idle' : 'loading',
        error: null,
        selected: new Map(),
        anchor: null,
        focus: null,
        detailsOpen: false,
      });
      void loadPage(0);
    }

    return {
      source: initialSource,
      filters: EMPTY_FILTERS,
      sort: { column: 'studyDate', direction: 'desc' },
      generation: 0,
      status: initialSource === null ? 'idle' : 'loading',
      error: null,
      total: null,
      totalCapped: false,
      pages: new Map(),
      cursors: new Map(),
      shareStates: new Map(),
      selected: new Map(),
      anchor: null,
      focus: null,
      detailsOpen: false,
      sites: [],

      // Another source lists other sites (or none): its first page says which; its Site filter starts at all sites.
      setSource: (source) => restart({ source, shareStates: new Map(), sites: [], filters: { ...get().filters, site: '' } }),
      setText: (text) => restart({ filters: { ...get().filters, text } }),
      toggleModality: (modality) => {
        const current = get().filters.modalities;
        const modalities = current.includes(modality) ? current.filter((m) => m !== modality) : [...current, modality];
        restart({ filters: { ...get().filters, modalities } });
      },
      setDates: (dateFrom, dateTo) => restart({ filters: { ...get().filters, dateFrom, dateTo } }),
      setSite: (site) => restart({ filters: { ...get().filters, site } }),
      clearFilters: () => restart({ filters: EMPTY_FILTERS }),
      sortBy: (column) => {
        const { sort } = get();
        const direction = sort.column === column ? (sort.direction === 'asc' ? 'desc' : 'asc') : column === 'studyDate' ? 'desc' : 'asc';
        restart({ sort: { column, direction } });
      },
      ensureRows: (first, last) => {
        visible = [first, last];
        const state = get();
        const lastRow = state.total === null ? last : Math.min(last, rowCount(state) - 1);
        for (let page = Math.floor(Math.max(0, first) / PAGE_SIZE); page <= Math.floor(Math.max(0, lastRow) / PAGE_SIZE); page++) {
          if (!state.pages.has(page)) void loadPage(page);
        }
      },
      refresh: () => {
        if (get().source === null) return;
        const [first, last] = visible;
        const firstPage = Math.floor(first / PAGE_SIZE);
        const lastPage = Math.floor(last / PAGE_SIZE);
        // Visible pages stay on screen until their fresh copies arrive; others are dropped.
        const pages = new Map([...get().pages].filter(([page]) => page === 0 || (page >= firstPage && page <= lastPage)));
        // An error state has nothing to keep: show the loading state while the retry runs.
        set({ generation: get().generation + 1, pages, cursors: new Map(), ...(get().status === 'error' ? { status: 'loading' as const, error: null, total: null } : {}) });
        void loadPage(0);
        for (let page = firstPage; page <= lastPage; page++) if (page !== 0) void loadPage(page);
      },
      select: (index, mode) => {
        const state = get();
        const row = rowAt(state, index);
        if (row === undefined) return;
        if (mode === 'replace') {
          set({ selected: new Map([[row.key, row]]), anchor: index, focus: index });
        } else if (mode === 'toggle') {
          const selected = new Map(state.selected);
          if (selected.has(row.key)) selected.delete(row.key);
          else selected.set(row.key, row);
          set({ selected, anchor: index, focus: index });
        } else {
          const anchor = state.anchor ?? index;
          const selected = new Map<string, StudyRow>();
          // Rows not loaded yet cannot be named; ranges cover the loaded ones (pages load on scroll).
          for (let i = Math.min(anchor, index); i <= Math.max(anchor, index); i++) {
            const inRange = rowAt(state, i);
            if (inRange !== undefined) selected.set(inRange.key, inRange);
          }
          set({ selected, focus: index });
        }
      },
      moveFocus: (delta, extend) => {
        const { focus } = get();
        const count = rowCount(get());
        if (count === 0) return;
        const next = Math.max(0, Math.min(count - 1, (focus ?? -1) + delta));
        if (rowAt(get(), next) === undefined) {
          get().ensureRows(next, next);
          return;
        }
        get().select(next, extend ? 'range' : 'replace');
      },
      selectAllLoaded: () => {
        const selected = new Map<string, StudyRow>();
        for (const rows of get().pages.values()) for (const row of rows) selected.set(row.key, row);
        set({ selected });
      },
      clearSelection: () => set({ selected: new Map(), anchor: null }),
      openDetails: () => {
        if (get().focus !== null) set({ detailsOpen: true });
      },
      closeDetails: () => set({ detailsOpen: false }),
    };
  });
}

/** The local index's worklist. */
export const useWorklist = createWorklistStore(localStudySource);

/** Starts the first query; kept out of module load so tests and the app control when. */
export function startWorklist(): void {
  useWorklist.getState().ensureRows(0, 0);
}
