/**
 * The study table: a grid whose rows are virtualized (only what is on screen, plus a margin, is
 * in the DOM), with sortable column headers, click / Ctrl-click / Shift-click selection and
 * keyboard navigation. Rows are loaded by page as they come into view.
 */
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { ShareStateView } from '../../../shared/contract';
import { COLUMNS, GRID_TEMPLATE } from './columns';
import { rowAt, useWorklist } from './worklist-store';

export const ROW_HEIGHT = 24;

/** The "Shared" indicator: how many targets, a share waiting for the hub, or a refused one. */
function SharedMark({ state }: { readonly state: ShareStateView | undefined }) {
  if (state === undefined) return null;
  if (state.refused > 0) return <span className="shared-mark refused" title="A share was refused: see the details">!</span>;
  if (state.pending > 0) return <span className="shared-mark pending" title="Share waiting for the hub">…</span>;
  if (state.shared === 0) return null;
  return (
    <span className="shared-mark" title={`Shared with ${state.shared}`}>
      {state.shared}
    </span>
  );
}
const OVERSCAN = 10;

export function WorklistTable({ gridRef }: { readonly gridRef: React.RefObject<HTMLDivElement | null> }) {
  const total = useWorklist((s) => s.total);
  const pages = useWorklist((s) => s.pages);
  const sort = useWorklist((s) => s.sort);
  const selected = useWorklist((s) => s.selected);
  const focus = useWorklist((s) => s.focus);
  const shareStates = useWorklist((s) => s.shareStates);
  const { ensureRows, select, sortBy, moveFocus, openDetails, selectAllLoaded } = useWorklist.getState();
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (element === null) return;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    setHeight(element.clientHeight);
    return () => observer.disconnect();
  }, []);

  const count = total ?? 0;
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(count - 1, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);

  useEffect(() => {
    ensureRows(first, Math.max(first, last));
  }, [first, last, total, ensureRows]);

  // Keep the focused row in view when the keyboard moves it.
  useEffect(() => {
    const element = scroller.current;
    if (element === null || focus === null) return;
    const top = focus * ROW_HEIGHT;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + ROW_HEIGHT > element.scrollTop + element.clientHeight) element.scrollTop = top + ROW_HEIGHT - element.clientHeight;
  }, [focus]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    const page = Math.max(1, Math.floor(height / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -count, End: count };
    if (event.key in moves) {
      event.preventDefault();
      moveFocus(moves[event.key], event.shiftKey);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      openDetails();
    } else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'a') {
      event.preventDefault();
      selectAllLoaded();
    }
  };

  const onRowClick = (index: number) => (event: MouseEvent) => {
    select(index, event.shiftKey ? 'range' : event.ctrlKey || event.metaKey ? 'toggle' : 'replace');
    gridRef.current?.focus();
  };

  const rows = [];
  for (let index = first; index <= last; index++) {
    const study = rowAt({ pages }, index);
    const isSelected = study !== undefined && selected.has(study.studyInstanceUid);
    rows.push(
      <div
        key={index}
        role="row"
        aria-rowindex={index + 2}
        aria-selected={isSelected}
        className={`row${isSelected ? ' selected' : ''}${focus === index ? ' focused' : ''}${study === undefined ? ' pending' : ''}`}
        style={{ transform: `translateY(${index * ROW_HEIGHT}px)`, gridTemplateColumns: GRID_TEMPLATE }}
        onClick={onRowClick(index)}
        onDoubleClick={() => {
          select(index, 'replace');
          openDetails();
        }}
      >
        {COLUMNS.map((column) => (
          <div key={column.key} role="gridcell" className={column.numeric ? 'cell numeric' : 'cell'}>
            {study === undefined ? '' : column.value(study)}
          </div>
        ))}
        <div role="gridcell" className="cell shared-cell">
          {study === undefined ? null : <SharedMark state={shareStates.get(study.studyInstanceUid)} />}
        </div>
      </div>,
    );
  }

  return (
    <div
      ref={gridRef}
      role="grid"
      aria-label="Studies"
      aria-rowcount={count + 1}
      aria-colcount={COLUMNS.length + 1}
      aria-multiselectable="true"
      tabIndex={0}
      className="grid"
      onKeyDown={onKeyDown}
    >
      <div role="rowgroup" className="grid-head">
        <div role="row" aria-rowindex={1} className="row head" style={{ gridTemplateColumns: GRID_TEMPLATE }}>
          {COLUMNS.map((column) => {
            const active = sort.column === column.key;
            return (
              <div
                key={column.key}
                role="columnheader"
                aria-sort={active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none'}
                className={column.numeric ? 'cell numeric' : 'cell'}
              >
                <button type="button" className="sort" onClick={() => sortBy(column.key)}>
                  {column.label}
                  <span aria-hidden="true" className="sort-mark">
                    {active ? (sort.direction === 'asc' ? '▲' : '▼') : ''}
                  </span>
                </button>
              </div>
            );
          })}
          <div role="columnheader" className="cell shared-cell" aria-label="Shared">
            <span aria-hidden="true">⇄</span>
          </div>
        </div>
      </div>
      <div ref={scroller} role="rowgroup" className="grid-body" onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}>
        <div className="grid-spacer" style={{ height: count * ROW_HEIGHT }}>
          {rows}
        </div>
      </div>
    </div>
  );
}
