/**
 * My cases (issue 14): a physician's studies, or a case manager's doctors' — the picker at the top
 * says whose: All doctors (the default) or one doctor. The same paged, searchable table as every
 * hub worklist, with how each study is theirs (relation and doctor) in the last column. What the
 * case manager does from here is recorded for the doctor (the hub decides for whom: the one doctor
 * of theirs on the study; docs/architecture.md, "Physicians on studies").
 */
import { useEffect } from 'react';
import { physicianLabel } from '../../../shared/physicians/name-key';
import { useHub } from '../hub/hub-store';
import { useHubStudies } from '../hub-worklists/hub-worklist-store';
import { SiteFilter } from '../worklist/SiteFilter';
import { WorklistBody, studyCountText } from '../worklist/WorklistBody';
import { isFiltered } from '../worklist/worklist-store';
import { casesSource } from './cases-source';
import { useMyPhysicians } from './physicians-store';

export function CasesView({ gridRef }: { readonly gridRef: React.RefObject<HTMLDivElement | null> }) {
  const self = useMyPhysicians((s) => s.self);
  const actsFor = useMyPhysicians((s) => s.actsFor);
  const chosen = useMyPhysicians((s) => s.chosen);
  const who = useHub((s) => s.status?.user?.email ?? '');
  const total = useHubStudies((s) => s.total);
  const capped = useHubStudies((s) => s.totalCapped);
  const filtered = useHubStudies((s) => isFiltered(s.filters));
  useEffect(() => {
    useHubStudies.getState().setSource(casesSource(chosen, who));
  }, [chosen, who]);
  const doctors = [...(self === null ? [] : [{ physicianId: self.id, displayName: self.displayName }]), ...actsFor];
  return (
    <>
      <div className="hub-worklist-head">
        <h2>{actsFor.length > 0 ? 'Doctors’ cases' : 'My cases'}</h2>
        {doctors.length > 1 && (
          <label className="inline">
            <span>Doctor</span>
            <select aria-label="Doctor" value={chosen ?? ''} onChange={(event) => useMyPhysicians.getState().choose(event.target.value === '' ? null : event.target.value)}>
              <option value="">All doctors</option>
              {doctors.map((doctor) => (
                <option key={doctor.physicianId} value={doctor.physicianId}>
                  {physicianLabel(doctor.displayName)}
                </option>
              ))}
            </select>
          </label>
        )}
        <SiteFilter store={useHubStudies} />
        <span className="muted">{total === null ? '' : studyCountText(total, capped, filtered)}</span>
        <button type="button" className="quiet" onClick={() => useHubStudies.getState().refresh()}>
          Refresh
        </button>
      </div>
      <WorklistBody store={useHubStudies} gridRef={gridRef} label="Cases" empty={<p>No study is linked to {chosen === null ? 'these doctors' : 'this doctor'} yet.</p>} />
    </>
  );
}
