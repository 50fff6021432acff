/**
 * The worklists: the local index, then the user's worklists on the hub (their own, their
 * locations', their groups'), and Administration for those who may use it.
 */
import { useEffect, type ReactNode } from 'react';
import { formatCount } from '../../lib/format';
import { canAdminister, useHub } from '../hub/hub-store';
import { isFiltered, useWorklist } from '../worklist/worklist-store';
import { useHubStudies, useHubWorklists } from '../hub-worklists/hub-worklist-store';
import { HUB_VISIBLE, hubVisibleSource } from '../collections/hub-sources';
import { CasesNav } from '../physicians/CasesNav';
import { CollectionsNav } from '../collections/CollectionsNav';
import { AccessRequestsNav } from '../access-requests/AccessRequests';
import { ConnectionReviewBadge } from '../connections/ConnectionReviewBadge';
import { MyConnectionsNav } from '../connections/MyConnections';
import { useView, type MainView } from './view-store';

const KIND_HINT = { personal: '', location: 'location', group: 'group' } as const;

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
  const filtered = useWorklist((s) => isFiltered(s.filters));
  const isAdmin = useHub((s) => canAdminister(s.status));
  const userEmail = useHub((s) => s.status?.user?.email ?? null);
  const chosen = useView((s) => s.view);
  const hubWorklist = useView((s) => s.hubWorklist);
  const showHubWorklist = useView((s) => s.showHubWorklist);
  const worklists = useHubWorklists((s) => s.worklists);
  const view = chosen === 'admin' && !isAdmin ? 'worklist' : chosen === 'hub' && userEmail === null ? 'worklist' : chosen;
  // Whoever signs in has their own worklists.
  useEffect(() => {
    if (userEmail !== null) void useHubWorklists.getState().loadWorklists();
  }, [userEmail]);
  return (
    <nav className="sidebar" aria-label="Worklists">
      <h2>Worklists</h2>
      <ul>
        <SidebarLink target="worklist" current={view}>
          <span>Local studies</span>
          <span className="badge">{total === null || filtered ? '' : formatCount(total)}</span>
        </SidebarLink>
      </ul>
      {userEmail !== null && (
        <>
          <h2>On the hub</h2>
          <ul aria-label="Hub studies">
            <li>
              <a
                href={`#${HUB_VISIBLE.id}`}
                aria-current={view === 'hub' && hubWorklist?.id === HUB_VISIBLE.id ? 'page' : undefined}
                className={`worklist-link${view === 'hub' && hubWorklist?.id === HUB_VISIBLE.id ? ' current' : ''}`}
                onClick={(event) => {
                  event.preventDefault();
                  showHubWorklist(HUB_VISIBLE);
                  useHubStudies.getState().setSource(hubVisibleSource(userEmail));
                }}
              >
                <span>{HUB_VISIBLE.name}</span>
              </a>
            </li>
            <CasesNav userEmail={userEmail} />
            <AccessRequestsNav />
          </ul>
        </>
      )}
      {userEmail !== null && worklists.length > 0 && (
        <>
          <ul aria-label="Hub worklists">
            {worklists.map((worklist) => {
              const current = view === 'hub' && hubWorklist?.id === worklist.id;
              const label = worklist.kind === 'personal' ? 'My worklist' : worklist.name;
              return (
                <li key={worklist.id}>
                  <a
                    href={`#hub-${worklist.id}`}
                    aria-current={current ? 'page' : undefined}
                    className={`worklist-link${current ? ' current' : ''}`}
                    onClick={(event) => {
                      event.preventDefault();
                      showHubWorklist({ id: worklist.id, name: label });
                      useHubWorklists.getState().open(worklist.id);
                    }}
                  >
                    <span>{label}</span>
                    <span className="muted small">{KIND_HINT[worklist.kind]}</span>
                  </a>
                </li>
              );
            })}
          </ul>
        </>
      )}
      <CollectionsNav current={view === 'hub' ? (hubWorklist?.id ?? null) : null} />
      <MyConnectionsNav />
      {isAdmin && (
        <>
          <h2>Site</h2>
          <ul>
            <SidebarLink target="admin" current={view}>
              <span>Administration</span>
              <ConnectionReviewBadge />
            </SidebarLink>
          </ul>
        </>
      )}
    </nav>
  );
}
