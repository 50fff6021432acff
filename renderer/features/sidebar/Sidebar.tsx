/** The list of worklists (today the local index), and Administration for those who may use it. */
import { formatCount } from '../../lib/format';
import { useHub } from '../hub/hub-store';
import { useWorklist } from '../worklist/worklist-store';
import { useView } from './view-store';

export function Sidebar() {
  const total = useWorklist((s) => s.total);
  const filtered = useWorklist((s) => s.filters.text !== '' || s.filters.modalities.length > 0 || s.filters.dateFrom !== '' || s.filters.dateTo !== '');
  const show = useView((s) => s.show);
  const isAdmin = useHub((s) => s.status?.user?.permissions.some((key) => key.startsWith('admin.')) ?? false);
  const chosen = useView((s) => s.view);
  const view = chosen === 'admin' && isAdmin ? 'admin' : 'worklist';
  return (
    <nav className="sidebar" aria-label="Worklists">
      <h2>Worklists</h2>
      <ul>
        <li>
          <a href="#local" aria-current={view === 'worklist' ? 'page' : undefined} className={`worklist-link${view === 'worklist' ? ' current' : ''}`} onClick={(event) => {
            event.preventDefault();
            show('worklist');
          }}>
            <span>Local studies</span>
            <span className="badge">{total === null || filtered ? '' : formatCount(total)}</span>
          </a>
        </li>
      </ul>
      {isAdmin && (
        <>
          <h2>Site</h2>
          <ul>
            <li>
              <a href="#admin" aria-current={view === 'admin' ? 'page' : undefined} className={`worklist-link${view === 'admin' ? ' current' : ''}`} onClick={(event) => {
                event.preventDefault();
                show('admin');
              }}>
                <span>Administration</span>
              </a>
            </li>
          </ul>
        </>
      )}
    </nav>
  );
}
