/**
 * A worklist on the hub (the user's own, a location's, a group's): the studies shared into it in
 * the same paged, virtualized table as the local worklist, searched, filtered and sorted on the
 * hub. Click selects, Ctrl/Shift-click adds, Enter or double-click opens the details with
 * "Shared with"; Actions → Share re-shares the selection where the role allows.
 */
import { useEffect, useState } from 'react';
import type { StudySharingView } from '../../../shared/contract';
import { formatCount, formatPersonName } from '../../lib/format';
import { StudyFacts } from '../../components/StudyFacts';
import { AccessBadge } from './AccessBadge';
import { StudyPhysiciansList } from '../physicians/StudyPhysiciansList';
import { StudyHistory } from '../audit/StudyHistory';
import { hasPermission, useHub } from '../hub/hub-store';
import { NoAccess, isNoAccess } from '../access-requests/NoAccess';
import { SeriesTable } from '../details/SeriesTable';
import { SharedWith } from '../sharing/SharedWith';
import type { StudyRow } from '../worklist/study-source';
import { SiteFilter } from '../worklist/SiteFilter';
import { WorklistBody, studyCountText } from '../worklist/WorklistBody';
import { isFiltered, rowAt } from '../worklist/worklist-store';
import { useHubStudies } from './hub-worklist-store';

export function HubWorklistView({ name, gridRef }: { readonly name: string; readonly gridRef: React.RefObject<HTMLDivElement | null> }) {
  const total = useHubStudies((s) => s.total);
  const capped = useHubStudies((s) => s.totalCapped);
  const filtered = useHubStudies((s) => isFiltered(s.filters));
  return (
    <>
      <div className="hub-worklist-head">
        <h2>{name}</h2>
        <SiteFilter store={useHubStudies} />
        <span className="muted">
          {total === null ? '' : studyCountText(total, capped, filtered)}
        </span>
        <button type="button" className="quiet" onClick={() => useHubStudies.getState().refresh()}>
          Refresh
        </button>
      </div>
      <WorklistBody store={useHubStudies} gridRef={gridRef} label={`Studies in ${name}`} empty={<p>Nothing is shared into this worklist yet.</p>} />
    </>
  );
}

/** The focused hub study's details: its facts, its series on the hub, who it is shared with. */
export function HubStudyPanel({ version, onClose }: { readonly version: number; readonly onClose: () => void }) {
  const row: StudyRow | undefined = useHubStudies((s) => (s.focus === null ? undefined : rowAt(s, s.focus)));
  const [sharing, setSharing] = useState<StudySharingView | null>(null);
  // Reached but not (or no longer) visible: a removal since the list was read (issue 13).
  const [noAccess, setNoAccess] = useState(false);
  const canAudit = useHub((state) => hasPermission(state.status, 'audit.view'));
  // Someone connected to several sites sees which one the study comes from (as the Site column says).
  const manySites = useHubStudies((s) => s.sites.length > 1);
  const hubStudyId = row?.hub?.studyId;
  useEffect(() => {
    setSharing(null);
    setNoAccess(false);
  }, [hubStudyId]);
  if (row === undefined || hubStudyId === undefined) return null;
  const s = row.study;
  // Seen de-identified (visibility rule 14): the hub sent the pseudonym; viewing only.
  const deidentified = row.hub?.reason === 'department-deidentified';
  return (
    <aside className="details" aria-label="Study details">
      <header className="details-head">
        <h2>{noAccess ? 'No access' : formatPersonName(s.patientName) || 'Unnamed patient'}</h2>
        <button type="button" className="quiet" aria-label="Close details" onClick={onClose}>
          ✕
        </button>
      </header>
      {deidentified && (
        <p className="deidentified-note">
          <AccessBadge reason="department-deidentified" /> <span className="muted small">A department colleague’s study: names, IDs, dates and UIDs are replaced, and it may only be viewed.</span>
        </p>
      )}
      {manySites && row.hub?.site != null && !noAccess && (
        <p className="study-site">
          <span className="muted">Site</span> {row.hub.site.name}
        </p>
      )}
      {!noAccess && <StudyFacts study={s} />}
      {sharing !== null && sharing.series.length > 0 && (
        <p className="muted">
          {formatCount(sharing.series.length)} series, {formatCount(sharing.series.reduce((n, series) => n + series.instanceCount, 0))} images on the hub
        </p>
      )}
      {sharing !== null && sharing.series.length > 0 && <SeriesTable series={sharing.series} study={{ hubId: hubStudyId }} choosable={!deidentified} />}
      {noAccess ? (
        <NoAccess studyId={hubStudyId} />
      ) : (
        <SharedWith study={{ hubId: hubStudyId }} version={version} onLoaded={setSharing} onRefused={(code) => setNoAccess(isNoAccess(code))} />
      )}
      {!noAccess && !deidentified && <StudyPhysiciansList hubStudyId={hubStudyId} version={version} />}
      {canAudit && !noAccess && !deidentified && <StudyHistory hubStudyId={hubStudyId} version={version} />}
    </aside>
  );
}
