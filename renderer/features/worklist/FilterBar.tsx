/** Search box, modality toggles and the study-date range above the worklist. */
import { useWorklist } from './worklist-store';

export const MODALITIES = ['CT', 'MR', 'CR', 'DX', 'US', 'MG', 'PT', 'NM', 'XA'] as const;

export function FilterBar({ searchRef }: { readonly searchRef: React.RefObject<HTMLInputElement | null> }) {
  const filters = useWorklist((s) => s.filters);
  const { setText, toggleModality, setDates, clearFilters } = useWorklist.getState();
  const filtered = filters.text !== '' || filters.modalities.length > 0 || filters.dateFrom !== '' || filters.dateTo !== '';

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
