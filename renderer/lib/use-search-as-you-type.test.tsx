// @vitest-environment jsdom
/**
 * Search as you type: one search a beat after the last key (not one per key), and a slow answer
 * to an earlier query never replaces the answer to the latest one; a failure says why and keeps
 * what was found.
 */
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallResult } from '../../shared/contract';
import { useSearchAsYouType, type SearchAnswer } from './use-search-as-you-type';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

interface Pending {
  readonly query: string;
  readonly answer: (result: CallResult<string[]>) => void;
}

describe('useSearchAsYouType', () => {
  let root: Root;
  let pending: Pending[];
  let seen: SearchAnswer<string[]>;
  const search = (query: string) => () =>
    new Promise<CallResult<string[]>>((resolve) => {
      pending.push({ query, answer: resolve });
    });
  function Probe({ query }: { readonly query: string }) {
    seen = useSearchAsYouType(query, search(query), 20);
    return null;
  }
  const wait = (ms: number) => act(() => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  beforeEach(() => {
    pending = [];
    root = createRoot(document.createElement('div'));
  });
  afterEach(() => act(() => root.unmount()));

  it('searches once, a beat after the last key', async () => {
    for (const query of ['s', 'sm', 'smi']) act(() => root.render(<Probe query={query} />));
    expect(pending).toHaveLength(0);
    await wait(60);
    expect(pending.map((p) => p.query)).toEqual(['smi']);
    await act(async () => pending[0].answer({ ok: true, value: ['Smith'] }));
    expect(seen).toEqual({ found: ['Smith'], error: null });
  });

  it('drops an answer a newer query has overtaken, and keeps what was found when a search fails', async () => {
    act(() => root.render(<Probe query="sm" />));
    await wait(60);
    act(() => root.render(<Probe query="smith" />));
    await wait(60);
    expect(pending.map((p) => p.query)).toEqual(['sm', 'smith']);
    await act(async () => pending[1].answer({ ok: true, value: ['Smith'] }));
    await act(async () => pending[0].answer({ ok: true, value: ['Small', 'Smith'] }));
    expect(seen.found).toEqual(['Smith']);
    act(() => root.render(<Probe query="smithe" />));
    await wait(60);
    await act(async () => pending[2].answer({ ok: false, error: { code: 'unavailable', message: 'The hub cannot be reached.' } }));
    expect(seen).toEqual({ found: ['Smith'], error: 'The hub cannot be reached.' });
  });
});
