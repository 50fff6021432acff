/** The list of worklists (today the local index), and Administration for those who may use it. */
import type { ReactNode } from 'react';
import { formatCount } from '../../lib/format';
import { canAdminister, useHub } from '../hub/hub-store';
import { useWorklist } from '../worklist/worklist-store';
import { useView, type MainView } from './view-store';

function SidebarLink({ target, current, children }: { readonly target: MainView; readonly current: MainView; readonly children: ReactNode }) {
  const show = useView((s) => s.show);
  const isCurrent = target === current;
  return (
    <li>
      <a
        href={`#${target}`}
        aria-current={isCurrent ? 'page' : undefined}
        className={`worklist-link${isCurrent ? ' current' : ''}`}
        onClick={(event) => {
          event.preventDefault();
          show(target);
        }}
      >
        {children}
      </a>
    </li>
  );
}

export function Sidebar() {
  const total = useWorklist((s) => s.total);
  const filtered = useWorklist((s) => s.filters.text !== '' || s.filters.modalities.length > 0 || s.filters.dateFrom !== '' || s.filters.dateTo !== '');
  const isAdmin = useHub((s) => canAdminister(s.status));
  const chosen = useView((s) => s.view);
  const view = chosen === 'admin' && isAdmin ? 'admin' : 'worklist';
  return (
    <nav className="sidebar" aria-label="Worklists">
      <h2>Worklists</h2>
      <ul>
        <SidebarLink target="worklist" current={view}>
          <span>Local studies</span>
          <span className="badge">{total === null || filtered ? '' : formatCount(total)}</span>
        </SidebarLink>
      </ul>
      {isAdmin && (
        <>
          <h2>Site</h2>
          <ul>
            <SidebarLink target="admin" current={view}>
              <span>Administration</span>
            </SidebarLink>
          </ul>
        </>
      )}
    </nav>
  );
}
