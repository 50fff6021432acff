/**
 * A worklist on the hub (the user's own, a location's, a group's): the studies shared into it,
 * newest share first. Click selects, Ctrl-click adds, Enter or double-click opens the details
 * with "Shared with"; Actions → Share re-shares the selection where the role allows.
 */
import { useEffect, useState, type KeyboardEvent } from 'react';
import type { HubWorklistStudy, StudySharingView } from '../../../shared/contract';
import { formatCount, formatDate, formatDateTime, formatPersonName } from '../../lib/format';
import { ErrorMessage } from '../../components/Messages';
import { StudyFacts } from '../../components/StudyFacts';
import { StudyHistory } from '../audit/StudyHistory';
import { hasPermission, useHub } from '../hub/hub-store';
import { SharedWith } from '../sharing/SharedWith';
import { useHubWorklists } from './hub-worklist-store';

export function HubWorklistView({ name, version }: { readonly name: string; readonly version: number }) {
  const { studies, total, status, error, selected, focus } = useHubWorklists();
  const { select, refresh } = useHubWorklists.getState();
  const [detailsOpen, setDetailsOpen] = useState(false);
  const focused = studies.find((s) => s.hubStudyId === focus);

  const onKeyDown = (event: KeyboardEvent<HTMLTableElement>) => {
    const index = studies.findIndex((s) => s.hubStudyId === focus);
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const next = studies[Math.max(0, Math.min(studies.length - 1, index + (event.key === 'ArrowDown' ? 1 : -1)))];
      if (next !== undefined) select(next.hubStudyId, 'replace');
    } else if (event.key === 'Enter' && focused !== undefined) {
      event.preventDefault();
      setDetailsOpen(true);
    } else if (event.key === 'Escape' && detailsOpen) {
      event.preventDefault();
      setDetailsOpen(false);
    }
  };

  return (
    <div className="hub-worklist">
      <div className="hub-worklist-head">
        <h2>{name}</h2>
        <span className="muted">{total === null ? '' : `${formatCount(total)} ${total === 1 ? 'study' : 'studies'}`}</span>
        <button type="button" className="quiet" onClick={() => void refresh()}>
          Refresh
        </button>
      </div>
      {status === 'error' && <ErrorMessage message={error} />}
      {status === 'loading' && <p className="muted">Loading…</p>}
      {status === 'ready' && studies.length === 0 && <p className="muted">Nothing is shared into this worklist yet.</p>}
      {studies.length > 0 && (
        <table className="admin-table hub-table" aria-label={`Studies in ${name}`} tabIndex={0} onKeyDown={onKeyDown}>
          <thead>
            <tr>
              <th scope="col">Patient name</th>
              <th scope="col">Patient ID</th>
              <th scope="col">Study date</th>
              <th scope="col">Modality</th>
              <th scope="col">Description</th>
              <th scope="col">Shared</th>
            </tr>
          </thead>
          <tbody>
            {studies.map((study: HubWorklistStudy) => (
              <tr
                key={study.hubStudyId}
                aria-selected={selected.has(study.hubStudyId)}
                className={selected.has(study.hubStudyId) ? 'selected' : undefined}
                onClick={(event) => select(study.hubStudyId, event.ctrlKey || event.metaKey ? 'toggle' : 'replace')}
                onDoubleClick={() => {
                  select(study.hubStudyId, 'replace');
                  setDetailsOpen(true);
                }}
              >
                <td>
                  {formatPersonName(study.summary.patientName) || 'Unnamed patient'}
                  {study.private && <span className="tag">Private</span>}
                </td>
                <td>{study.summary.patientId ?? ''}</td>
                <td>{formatDate(study.summary.studyDate)}</td>
                <td>{study.summary.modalities.join(' ')}</td>
                <td>{study.summary.studyDescription ?? ''}</td>
                <td>{formatDateTime(study.sharedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {total !== null && total > studies.length && (
        <p className="muted">
          Showing the {formatCount(studies.length)} most recently shared of {formatCount(total)}.
        </p>
      )}
      {detailsOpen && focused !== undefined && <HubStudyPanel study={focused} version={version} onClose={() => setDetailsOpen(false)} />}
    </div>
  );
}

function HubStudyPanel({ study, version, onClose }: { study: HubWorklistStudy; version: number; onClose: () => void }) {
  const [sharing, setSharing] = useState<StudySharingView | null>(null);
  const canAudit = useHub((state) => hasPermission(state.status, 'audit.view'));
  useEffect(() => setSharing(null), [study.hubStudyId]);
  const s = study.summary;
  return (
    <aside className="details hub-details" aria-label="Study details">
      <header className="details-head">
        <h2>{formatPersonName(s.patientName) || 'Unnamed patient'}</h2>
        <button type="button" className="quiet" aria-label="Close details" onClick={onClose}>
          ✕
        </button>
      </header>
      <StudyFacts study={s} />
      {sharing !== null && sharing.series.length > 0 && (
        <p className="muted">
          {formatCount(sharing.series.length)} series, {formatCount(sharing.series.reduce((n, series) => n + series.instanceCount, 0))} images on the hub
        </p>
      )}
      <SharedWith study={{ hubId: study.hubStudyId }} version={version} onLoaded={setSharing} />
      {canAudit && <StudyHistory hubStudyId={study.hubStudyId} version={version} />}
    </aside>
  );
}
