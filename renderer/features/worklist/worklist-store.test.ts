/**
 * The worklist store over a fake study source: pages by cursor when scrolling on and by offset
 * when jumping, stale answers dropped (an old query, an old source), capped totals kept as
 * lower bounds until the last page says the exact number, errors and Retry, selection by key.
 */
import { describe, expect, it } from 'vitest';
import type { StudySummary } from '../../../shared/types/study';
import type { SourcePage, SourceQuery, SourceResult, StudyRow, StudySource } from './study-source';
import { PAGE_SIZE, createWorklistStore, rowAt, rowCount } from './worklist-store';

function row(n: number, prefix = 'h'): StudyRow {
  const study: StudySummary = {
    studyInstanceUid: `1.2.3.${n}`,
    patientName: `Patient^${n}`,
    patientId: `P${n}`,
    patientBirthDate: null,
    studyDate: '2026-01-01',
    studyTime: null,
    patientSex: null,
    accessionNumber: null,
    studyDescription: null,
    referringPhysicianName: null,
    institutionName: null,
    modalities: ['CT'],
    seriesCount: 1,
    instanceCount: 1,
  };
  return { key: `${prefix}${n}`, study, hub: { studyId: `${prefix}${n}`, private: n % 2 === 0, sharedAt: null } };
}

/** A source whose answers the test releases one by one, in any order. */
function fakeSource(id = 'fake') {
  const calls: { query: SourceQuery; resolve: (result: SourceResult) => void }[] = [];
  const source: StudySource = {
    id,
    marks: 'shared-at',
    query: (query) => new Promise((resolve) => calls.push({ query, resolve })),
  };
  const page = (rows: readonly StudyRow[], more: Partial<SourcePage> = {}): SourceResult => ({
    ok: true,
    value: { rows, total: null, totalCapped: false, nextCursor: null, ...more },
  });
  return { source, calls, page };
}

const rows = (from: number, count: number, prefix?: string) => Array.from({ length: count }, (_, i) => row(from + i, prefix));
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('worklist store over a study source', () => {
  it('asks the first page with the total, then the next page by its cursor and a far one by offset', async () => {
    const { source, calls, page } = fakeSource();
    const store = createWorklistStore(source);
    store.getState().ensureRows(0, 30);
    expect(calls).toHaveLength(1);
    expect(calls[0].query).toMatchObject({ offset: 0, limit: PAGE_SIZE, withTotal: true, after: undefined, sort: { column: 'studyDate', direction: 'desc' } });
    calls[0].resolve(page(rows(0, PAGE_SIZE), { total: 250, nextCursor: 'c1' }));
    await settle();
    expect(store.getState()).toMatchObject({ status: 'ready', total: 250, totalCapped: false });
    expect(rowAt(store.getState(), 5)?.key).toBe('h5');

    store.getState().ensureRows(90, 130);
    expect(calls[1].query).toMatchObject({ after: 'c1', withTotal: false });
    store.getState().ensureRows(240, 249);
    expect(calls[2].query).toMatchObject({ offset: 200, after: undefined });
    // Asking again for rows on their way sends nothing more.
    store.getState().ensureRows(240, 249);
    expect(calls).toHaveLength(3);
  });

  it('drops a slow answer for an older query: it never overwrites the new one', async () => {
    const { source, calls, page } = fakeSource();
    const store = createWorklistStore(source);
    store.getState().ensureRows(0, 10);
    store.getState().setText('smi');
    expect(calls[1].query.text).toBe('smi');
    calls[1].resolve(page(rows(0, 3), { total: 3 }));
    await settle();
    calls[0].resolve(page(rows(100, PAGE_SIZE), { total: 5000, nextCursor: 'old' }));
    await settle();
    expect(store.getState().total).toBe(3);
    expect(rowAt(store.getState(), 0)?.key).toBe('h0');
  });

  it('keeps a capped total as a lower bound with a page of room after it, exact once the last page comes', async () => {
    const { source, calls, page } = fakeSource();
    const store = createWorklistStore(source);
    store.getState().ensureRows(0, 10);
    calls[0].resolve(page(rows(0, PAGE_SIZE), { total: 10_000, totalCapped: true, nextCursor: 'c1' }));
    await settle();
    expect(store.getState()).toMatchObject({ total: 10_000, totalCapped: true });
    expect(rowCount(store.getState())).toBe(10_000 + PAGE_SIZE);

    store.getState().ensureRows(10_000, 10_040);
    const last = calls.at(-1)!;
    expect(last.query.offset).toBe(10_000);
    last.resolve(page(rows(10_000, 42), { nextCursor: null }));
    await settle();
    expect(store.getState()).toMatchObject({ total: 10_042, totalCapped: false });
  });

  it('grows an "at least" total page by page when the hub walked instead of counting', async () => {
    const { source, calls, page } = fakeSource();
    const store = createWorklistStore(source);
    store.getState().ensureRows(0, 10);
    calls[0].resolve(page(rows(0, PAGE_SIZE), { total: PAGE_SIZE, totalCapped: true, nextCursor: 'c1' }));
    await settle();
    store.getState().ensureRows(150, 160);
    expect(calls[1].query.after).toBe('c1');
    calls[1].resolve(page(rows(PAGE_SIZE, PAGE_SIZE), { nextCursor: 'c2' }));
    await settle();
    expect(store.getState()).toMatchObject({ total: 2 * PAGE_SIZE, totalCapped: true });
  });

  it('a new source starts over: rows and selection go, and the old source’s late answers are dropped', async () => {
    const first = fakeSource('one');
    const second = fakeSource('two');
    const store = createWorklistStore(first.source);
    store.getState().ensureRows(0, 10);
    first.calls[0].resolve(first.page(rows(0, 5), { total: 5 }));
    await settle();
    store.getState().select(1, 'replace');
    store.getState().ensureRows(0, 10);
    store.getState().refresh();
    store.getState().setSource(second.source);
    expect(store.getState()).toMatchObject({ status: 'loading', total: null, focus: null });
    expect(store.getState().selected.size).toBe(0);
    for (const call of first.calls.slice(1)) call.resolve(first.page(rows(0, 5), { total: 5 }));
    await settle();
    expect(store.getState().total).toBeNull();
    second.calls[0].resolve(second.page([], { total: 0 }));
    await settle();
    expect(store.getState()).toMatchObject({ status: 'ready', total: 0 });
  });

  it('shows an error, and Retry (refresh) loads again', async () => {
    const { source, calls, page } = fakeSource();
    const store = createWorklistStore(source);
    store.getState().ensureRows(0, 10);
    calls[0].resolve({ ok: false, error: { code: 'hub-unreachable', message: 'The hub cannot be reached.' } });
    await settle();
    expect(store.getState()).toMatchObject({ status: 'error', error: 'The hub cannot be reached.' });
    store.getState().refresh();
    expect(store.getState()).toMatchObject({ status: 'loading', error: null });
    calls.at(-1)!.resolve(page(rows(0, 2), { total: 2 }));
    await settle();
    expect(store.getState()).toMatchObject({ status: 'ready', total: 2 });
  });

  it('selects by the source’s key: click, Ctrl-click, Shift-range, arrows', async () => {
    const { source, calls, page } = fakeSource();
    const store = createWorklistStore(source);
    store.getState().ensureRows(0, 10);
    calls[0].resolve(page(rows(0, 10), { total: 10 }));
    await settle();
    const { select, moveFocus } = store.getState();
    select(2, 'replace');
    select(4, 'toggle');
    expect([...store.getState().selected.keys()]).toEqual(['h2', 'h4']);
    select(6, 'range');
    expect([...store.getState().selected.keys()]).toEqual(['h4', 'h5', 'h6']);
    moveFocus(1, false);
    expect(store.getState()).toMatchObject({ focus: 7 });
    expect([...store.getState().selected.values()].map((r) => r.hub?.studyId)).toEqual(['h7']);
    moveFocus(10, true);
    expect(store.getState().focus).toBe(9);
    store.getState().openDetails();
    expect(store.getState().detailsOpen).toBe(true);
  });

  it('with no source, stays idle and asks nothing', () => {
    const store = createWorklistStore(null);
    store.getState().ensureRows(0, 10);
    store.getState().refresh();
    expect(store.getState().status).toBe('idle');
  });

  it('keeps the sites a source names, asks the hub for one site when filtered, and starts at all sites on another source', async () => {
    const { source, calls, page } = fakeSource();
    const store = createWorklistStore(source);
    store.getState().ensureRows(0, 30);
    expect(calls[0].query.site).toBeUndefined();
    const sites = [
      { id: 'a', name: 'Riverside' },
      { id: 'b', name: 'Lakeside' },
    ];
    calls[0].resolve(page(rows(0, 3), { total: 3, sites }));
    await settle();
    expect(store.getState().sites).toEqual(sites);
    store.getState().setSite('b');
    expect(calls.at(-1)?.query).toMatchObject({ site: 'b', offset: 0 });
    expect(store.getState().filters.site).toBe('b');
    // Still both sites to choose from (the filter narrows the rows, not the choices).
    calls.at(-1)?.resolve(page(rows(0, 1), { total: 1, sites }));
    await settle();
    expect(store.getState().sites).toEqual(sites);
    // One site is no choice: no column, no filter.
    store.getState().setSite('');
    calls.at(-1)?.resolve(page(rows(0, 1), { total: 1, sites: [sites[1]] }));
    await settle();
    expect(store.getState().sites).toEqual([]);
    // Another source: its own sites, from all sites again; the other filters stay.
    store.getState().setText('knee');
    store.getState().setSite('a');
    const other = fakeSource('other');
    store.getState().setSource(other.source);
    expect(store.getState().filters).toMatchObject({ text: 'knee', site: '' });
    expect(store.getState().sites).toEqual([]);
  });
});
