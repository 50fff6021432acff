/**
 * Search box, modality toggles and the study-date range in the top bar. They drive the worklist
 * that is showing (the local index or a hub worklist): each keeps its own filters. (The Site
 * filter, for someone connected to several sites, sits in the list's own head: SiteFilter.tsx.)
 */
import { isFiltered, type WorklistStore } from './worklist-store';

export const MODALITIES = ['CT', 'MR', 'CR', 'DX', 'US', 'MG', 'PT', 'NM', 'XA'] as const;

export function FilterBar({ store, searchRef }: { readonly store: WorklistStore; readonly searchRef: React.RefObject<HTMLInputElement | null> }) {
  const filters = store((s) => s.filters);
  const { setText, toggleModality, setDates, clearFilters } = store.getState();
  const filtered = isFiltered(filters) || filters.text !== '';

  return (
    <div className="filter-bar">
      <input
        ref={searchRef}
        type="search"
        className="search"
        aria-label="Search studies"
        placeholder="Search name, ID, accession…  ( / )"
        value={filters.text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            if (filters.text !== '') setText('');
            else event.currentTarget.blur();
          }
        }}
      />
      <div role="group" aria-label="Modality" className="modalities">
        {MODALITIES.map((modality) => (
          <button
            key={modality}
            type="button"
            className="toggle"
            aria-pressed={filters.modalities.includes(modality)}
            onClick={() => toggleModality(modality)}
          >
            {modality}
          </button>
        ))}
      </div>
      <label className="date">
        <span>From</span>
        <input type="date" aria-label="Study date from" value={filters.dateFrom} onChange={(event) => setDates(event.target.value, filters.dateTo)} />
      </label>
      <label className="date">
        <span>To</span>
        <input type="date" aria-label="Study date to" value={filters.dateTo} onChange={(event) => setDates(filters.dateFrom, event.target.value)} />
      </label>
      <button type="button" className="quiet" onClick={clearFilters} disabled={!filtered}>
        Clear filters
      </button>
    </div>
  );
}
