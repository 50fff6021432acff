/**
 * Search as you type, spelled once for every picker (share targets, Add physician…, Assign
 * physicians): the search runs a beat after the last key, and an answer that a newer query has
 * overtaken is dropped, so a slow answer to "sm" never replaces the answer to "smith".
 */
import { useEffect, useRef, useState } from 'react';
import type { CallResult } from '../../shared/contract';

export interface SearchAnswer<T> {
  /** The latest answer; null until the first one arrives. */
  readonly found: T | null;
  /** Why the latest search failed, in the words of the service; null when it did not. */
  readonly error: string | null;
}

/**
 * Runs `search` whenever `key` changes (the query and anything else it depends on, e.g. the
 * kind of target), `delayMs` after the change. `search` may be a new function on every render:
 * the one from the render that set `key` is used.
 */
export function useSearchAsYouType<T>(key: string, search: () => Promise<CallResult<T>>, delayMs = 120): SearchAnswer<T> {
  const [answer, setAnswer] = useState<SearchAnswer<T>>({ found: null, error: null });
  const latest = useRef(search);
  latest.current = search;
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      void latest.current().then((result) => {
        if (!current) return;
        setAnswer((previous) => (result.ok ? { found: result.value, error: null } : { found: previous.found, error: result.error.message }));
      });
    }, delayMs);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [key, delayMs]);
  return answer;
}
