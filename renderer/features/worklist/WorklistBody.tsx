/**
 * A worklist's main area over one store: the table, or the state that stands in for it — loading,
 * an error with Retry, no match with Clear filters, or the source's own empty state.
 */
import type { ReactNode } from 'react';
import { formatCount } from '../../lib/format';
import { WorklistTable } from './WorklistTable';
import { isFiltered, type WorklistStore } from './worklist-store';

/** "1,234 studies", "10,000+ matching studies": a capped total is never shown as exact. */
export function studyCountText(total: number | null, capped: boolean, filtered: boolean): string {
  if (total === null) return '…';
  const count = `${formatCount(total)}${capped ? '+' : ''}`;
  return `${count} ${filtered ? 'matching ' : ''}${total === 1 && !capped ? 'study' : 'studies'}`;
}

export function WorklistBody({
  store,
  gridRef,
  label,
  empty,
}: {
  readonly store: WorklistStore;
  readonly gridRef: React.RefObject<HTMLDivElement | null>;
  readonly label?: string;
  /** What an empty list says when no filter is set. */
  readonly empty: ReactNode;
}) {
  const status = store((s) => s.status);
  const error = store((s) => s.error);
  const total = store((s) => s.total);
  const filtered = store((s) => isFiltered(s.filters));

  if (status === 'idle') return null;
  if (status === 'error') {
    return (
      <div className="state" role="alert">
        <p>The worklist could not be loaded: {error}</p>
        <button type="button" onClick={() => store.getState().refresh()}>
          Retry
        </button>
      </div>
    );
  }
  if (status === 'ready' && total === 0) {
    return filtered ? (
      <div className="state">
        <p>No studies match these filters.</p>
        <button type="button" onClick={() => store.getState().clearFilters()}>
          Clear filters
        </button>
      </div>
    ) : (
      <div className="state">{empty}</div>
    );
  }
  return (
    <>
      {status === 'loading' && total === null && (
        <div className="loading" role="status">
          Loading studies…
        </div>
      )}
      <WorklistTable store={store} gridRef={gridRef} label={label} />
    </>
  );
}
