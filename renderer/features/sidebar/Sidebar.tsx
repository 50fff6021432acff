/** The list of worklists. Today the local index; location, group and personal worklists join it with the hub. */
import { formatCount } from '../../lib/format';
import { useWorklist } from '../worklist/worklist-store';

export function Sidebar() {
  const total = useWorklist((s) => s.total);
  const filtered = useWorklist((s) => s.filters !== undefined && (s.filters.text !== '' || s.filters.modalities.length > 0 || s.filters.dateFrom !== '' || s.filters.dateTo !== ''));
  return (
    <nav className="sidebar" aria-label="Worklists">
      <h2>Worklists</h2>
      <ul>
        <li>
          <a href="#local" aria-current="page" className="worklist-link current">
            <span>Local studies</span>
            <span className="badge">{total === null || filtered ? '' : formatCount(total)}</span>
          </a>
        </li>
      </ul>
    </nav>
  );
}
