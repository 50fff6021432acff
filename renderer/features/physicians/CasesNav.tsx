/** The sidebar's My cases link: shown to a physician of the directory and to whoever acts for one. */
import { useEffect } from 'react';
import { useView } from '../sidebar/view-store';
import { CASES_VIEW } from './cases-source';
import { hasCases, useMyPhysicians } from './physicians-store';

export function CasesNav({ userEmail }: { readonly userEmail: string }) {
  const shows = useMyPhysicians(hasCases);
  const acting = useMyPhysicians((s) => s.actsFor.length > 0);
  const view = useView((s) => s.view);
  const current = useView((s) => view === 'hub' && s.hubWorklist?.id === CASES_VIEW.id);
  useEffect(() => {
    void useMyPhysicians.getState().load();
  }, [userEmail]);
  if (!shows) return null;
  return (
    <li>
      <a
        href={`#${CASES_VIEW.id}`}
        aria-current={current ? 'page' : undefined}
        className={`worklist-link${current ? ' current' : ''}`}
        onClick={(event) => {
          event.preventDefault();
          useView.getState().showHubWorklist({ id: CASES_VIEW.id, name: acting ? 'Doctors’ cases' : CASES_VIEW.name });
        }}
      >
        <span>{acting ? 'Doctors’ cases' : CASES_VIEW.name}</span>
      </a>
    </li>
  );
}
