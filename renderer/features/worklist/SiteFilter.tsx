/**
 * The Site filter (issue 14): for someone whose list spans several sites (an external user
 * connected to more than one), All sites or one site; the hub narrows the list in SQL. Shown in
 * the list's own head, beside its name, only when the source names several sites.
 */
import type { WorklistStore } from './worklist-store';

export function SiteFilter({ store }: { readonly store: WorklistStore }) {
  const sites = store((s) => s.sites);
  const site = store((s) => s.filters.site);
  if (sites.length < 2) return null;
  return (
    <label className="inline site-filter">
      <span>Site</span>
      <select aria-label="Site" value={site} onChange={(event) => store.getState().setSite(event.target.value)}>
        <option value="">All sites</option>
        {sites.map((option) => (
          <option key={option.id} value={option.id}>
            {option.name}
          </option>
        ))}
      </select>
    </label>
  );
}
