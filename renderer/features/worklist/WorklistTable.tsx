/**
 * The study table: a grid whose rows are virtualized (only what is on screen, plus a margin, is
 * in the DOM), with sortable column headers, click / Ctrl-click / Shift-click selection and
 * keyboard navigation. Rows are loaded by page as they come into view. It takes a worklist
 * store (and through it a study source): the same table shows the local index and a hub worklist.
 */
import { LockIcon } from '../organisation/PrivateNotice';
import { AccessBadge } from '../hub-worklists/AccessBadge';
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { ShareStateView } from '../../../shared/contract';
import { formatDateTime } from '../../lib/format';
import { openStudyRow } from '../viewer/open-study';
import { COLUMNS, MARK_COLUMN, SITE_COLUMN, gridTemplate } from './columns';
import type { StudyRow } from './study-source';
import { rowAt, rowCount, type WorklistStore } from './worklist-store';

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

/** The last cell: the local share state, or when a hub study was shared into the worklist. */
function MarkCell({ row, state }: { readonly row: StudyRow; readonly state: ShareStateView | undefined }) {
  if (row.hub === null) return <SharedMark state={state} />;
  if (row.hub.physicians !== undefined) return <span title={row.hub.physicians}>{row.hub.physicians}</span>;
  // The day keeps the column narrow enough to sit beside the details panel; the minute is in the title.
  const at = formatDateTime(row.hub.sharedAt);
  return <span title={at === '' ? undefined : `Shared ${at}`}>{at.slice(0, 10)}</span>;
}

export function WorklistTable({
  store,
  gridRef,
  label = 'Studies',
}: {
  readonly store: WorklistStore;
  readonly gridRef: React.RefObject<HTMLDivElement | null>;
  readonly label?: string;
}) {
  const total = store((s) => s.total);
  const totalCapped = store((s) => s.totalCapped);
  const pages = store((s) => s.pages);
  const sort = store((s) => s.sort);
  const selected = store((s) => s.selected);
  const focus = store((s) => s.focus);
  const shareStates = store((s) => s.shareStates);
  const marks = store((s) => s.source?.marks ?? 'share-state');
  const generation = store((s) => s.generation);
  // Several sites (someone connected to more than one): each row says which it comes from.
  const withSite = store((s) => s.sites.length > 1);
  const { ensureRows, select, sortBy, moveFocus, openDetails, selectAllLoaded } = store.getState();
  const template = gridTemplate(marks, withSite);
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

  const count = rowCount({ total, totalCapped });
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(count - 1, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);

  useEffect(() => {
    ensureRows(first, Math.max(first, last));
  }, [first, last, count, generation, ensureRows]);

  // A new query (filters, sort, another source) starts at the top.
  const source = store((s) => s.source);
  const filters = store((s) => s.filters);
  useEffect(() => {
    if (scroller.current !== null) scroller.current.scrollTop = 0;
    setScrollTop(0);
  }, [source, filters, sort]);

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
      // Enter opens the focused study in the viewer (a click, or Actions → Show details, shows its details).
      event.preventDefault();
      const state = store.getState();
      const row = state.focus === null ? undefined : rowAt(state, state.focus);
      if (row !== undefined) void openStudyRow(row);
    } else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'a') {
      event.preventDefault();
      selectAllLoaded();
    }
  };

  const onRowClick = (index: number) => (event: MouseEvent) => {
    const mode = event.shiftKey ? 'range' : event.ctrlKey || event.metaKey ? 'toggle' : 'replace';
    select(index, mode);
    // A plain click shows the study's details; extending a selection does not.
    if (mode === 'replace') openDetails();
    gridRef.current?.focus();
  };

  const rows = [];
  for (let index = first; index <= last; index++) {
    const study = rowAt({ pages }, index);
    const isSelected = study !== undefined && selected.has(study.key);
    rows.push(
      <div
        key={index}
        role="row"
        aria-rowindex={index + 2}
        aria-selected={isSelected}
        className={`row${isSelected ? ' selected' : ''}${focus === index ? ' focused' : ''}${study === undefined ? ' pending' : ''}`}
        style={{ transform: `translateY(${index * ROW_HEIGHT}px)`, gridTemplateColumns: template }}
        onClick={onRowClick(index)}
        onDoubleClick={() => {
          select(index, 'replace');
          if (study !== undefined) void openStudyRow(study);
        }}
      >
        {COLUMNS.map((column, columnIndex) => (
          <div key={column.key} role="gridcell" className={column.numeric ? 'cell numeric' : 'cell'}>
            {study === undefined ? '' : column.value(study.study)}
            {columnIndex === 0 && study?.hub?.private === true && <LockIcon />}
            {columnIndex === 0 && study?.hub !== null && study?.hub !== undefined && <AccessBadge reason={study.hub.reason} />}
          </div>
        ))}
        {withSite && (
          <div role="gridcell" className="cell site-cell" title={study?.hub?.site?.name}>
            {study?.hub?.site?.name ?? ''}
          </div>
        )}
        <div role="gridcell" className={`cell shared-cell ${marks}`}>
          {study === undefined ? null : <MarkCell row={study} state={shareStates.get(study.key)} />}
        </div>
      </div>,
    );
  }

  return (
    <div
      ref={gridRef}
      role="grid"
      aria-label={label}
      // A capped total is only a lower bound: -1 says the number of rows is not known.
      aria-rowcount={totalCapped ? -1 : count + 1}
      aria-colcount={COLUMNS.length + (withSite ? 2 : 1)}
      aria-multiselectable="true"
      tabIndex={0}
      className="grid"
      onKeyDown={onKeyDown}
    >
      <div role="rowgroup" className="grid-head">
        <div role="row" aria-rowindex={1} className="row head" style={{ gridTemplateColumns: template }}>
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
          {withSite && (
            <div role="columnheader" className="cell site-cell" title="The site each study comes from">
              <span className="head-label">{SITE_COLUMN.label}</span>
            </div>
          )}
          {marks === 'share-state' ? (
            <div role="columnheader" className="cell shared-cell" aria-label={MARK_COLUMN[marks].label}>
              <span aria-hidden="true">⇄</span>
            </div>
          ) : (
            <div role="columnheader" className="cell shared-cell shared-at" title="When it was shared into this worklist">
              <span className="head-label">{MARK_COLUMN[marks].label}</span>
            </div>
          )}
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
