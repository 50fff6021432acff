// @vitest-environment jsdom
/**
 * The hub worklist view in a DOM, over a fake source set on its store: the same grid as the local
 * worklist (rows, the Private tag, when shared), sorting by a header asks the source again, a
 * capped total reads "10,000+", and the empty, no-match and error states with their buttons.
 */
import { createElement, createRef } from 'react';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SourceQuery, SourceResult, StudyRow, StudySource } from '../worklist/study-source';
import { HubWorklistView } from './HubWorklistView';
import { useHubStudies } from './hub-worklist-store';

const study = (n: number): StudyRow => ({
  key: `hub-${n}`,
  study: {
    studyInstanceUid: `1.2.3.${n}`,
    patientName: `Doe^Jane${n}`,
    patientId: `P${n}`,
    patientBirthDate: null,
    studyDate: '2026-03-04',
    studyTime: null,
    patientSex: null,
    accessionNumber: null,
    studyDescription: 'CT Thorax',
    referringPhysicianName: null,
    institutionName: null,
    modalities: ['CT'],
    seriesCount: 2,
    instanceCount: 40,
  },
  hub: { studyId: `hub-${n}`, private: n === 0, sharedAt: '2026-03-05T10:20:00.000Z' },
});

let queries: SourceQuery[] = [];
let answer: (query: SourceQuery) => SourceResult;
const source: StudySource = {
  id: 'hub:test',
  marks: 'shared-at',
  query: async (query) => {
    queries.push(query);
    return answer(query);
  },
};

let container: HTMLDivElement;
let root: Root;
const settle = () => act(() => new Promise((resolve) => setTimeout(resolve, 0)));

async function show(): Promise<void> {
  await act(async () => {
    useHubStudies.getState().clearFilters();
    useHubStudies.getState().setSource({ ...source });
    root.render(createElement(HubWorklistView, { name: 'North Wing', gridRef: createRef<HTMLDivElement>() }));
  });
  await settle();
}

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
});

beforeEach(() => {
  queries = [];
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

describe('HubWorklistView', () => {
  it('shows the hub’s rows in the study grid, marks private ones and when they were shared', async () => {
    answer = () => ({ ok: true, value: { rows: [study(0), study(1)], total: 2, totalCapped: false, nextCursor: null } });
    await show();
    const grid = container.querySelector('[role="grid"]')!;
    expect(grid.getAttribute('aria-label')).toBe('Studies in North Wing');
    const rows = [...grid.querySelectorAll('[role="rowgroup"].grid-body [role="row"]')];
    expect(rows).toHaveLength(2);
    expect(rows[0].textContent).toContain('Doe, Jane0Private');
    expect(rows[1].textContent).not.toContain('Private');
    expect(rows[1].querySelector('.shared-at')?.textContent).toMatch(/^2026-03-0\d$/);
    expect(container.querySelector('.hub-worklist-head')?.textContent).toContain('2 studies');
  });

  it('sorts on the hub when a column header is clicked', async () => {
    answer = () => ({ ok: true, value: { rows: [study(1)], total: 1, totalCapped: false, nextCursor: null } });
    await show();
    const header = [...container.querySelectorAll<HTMLButtonElement>('button.sort')].find((b) => b.textContent?.startsWith('Patient name'))!;
    await act(async () => header.click());
    await settle();
    expect(queries.at(-1)?.sort).toEqual({ column: 'patientName', direction: 'asc' });
    expect(header.closest('[role="columnheader"]')?.getAttribute('aria-sort')).toBe('ascending');
  });

  it('says "10,000+" when the hub stopped counting, never a wrong exact number', async () => {
    answer = () => ({ ok: true, value: { rows: Array.from({ length: 100 }, (_, n) => study(n)), total: 10_000, totalCapped: true, nextCursor: 'next' } });
    await show();
    expect(container.querySelector('.hub-worklist-head')?.textContent).toContain('10,000+ studies');
    expect(container.querySelector('[role="grid"]')?.getAttribute('aria-rowcount')).toBe('-1');
  });

  it('says when nothing is shared, when the filters match nothing (Clear filters), and offers Retry after an error', async () => {
    answer = () => ({ ok: true, value: { rows: [], total: 0, totalCapped: false, nextCursor: null } });
    await show();
    expect(container.textContent).toContain('Nothing is shared into this worklist yet.');

    await act(async () => useHubStudies.getState().setText('nobody'));
    await settle();
    expect(queries.at(-1)?.text).toBe('nobody');
    expect(container.textContent).toContain('No studies match these filters.');
    const clear = [...container.querySelectorAll('button')].find((b) => b.textContent === 'Clear filters')!;
    await act(async () => clear.click());
    await settle();
    expect(useHubStudies.getState().filters.text).toBe('');

    answer = () => ({ ok: false, error: { code: 'hub-unreachable', message: 'The hub cannot be reached.' } });
    await act(async () => useHubStudies.getState().refresh());
    await settle();
    expect(container.querySelector('[role="alert"]')?.textContent).toContain('The hub cannot be reached.');
    answer = () => ({ ok: true, value: { rows: [study(3)], total: 1, totalCapped: false, nextCursor: null } });
    const retry = [...container.querySelectorAll('button')].find((b) => b.textContent === 'Retry')!;
    await act(async () => retry.click());
    await settle();
    expect(container.querySelector('[role="grid"]')?.textContent).toContain('Doe, Jane3');
  });
});
