/** The focused study's details: patient and study attributes, its series (some may be chosen for a collection), and who it is shared with. */
import { useEffect, useState } from 'react';
import type { StudyDetails } from '../../../shared/contract';
import { StudyFacts } from '../../components/StudyFacts';
import { api } from '../../lib/api';
import { formatPersonName } from '../../lib/format';
import { StudyHistory } from '../audit/StudyHistory';
import { hasPermission, useHub } from '../hub/hub-store';
import { SharedWith } from '../sharing/SharedWith';
import { SeriesTable } from './SeriesTable';
import { rowAt, useWorklist } from '../worklist/worklist-store';
import { useViewer } from '../viewer/viewer-store';
import { CommentsPanel } from '../comments/CommentsPanel';
import { StudyPhysiciansList } from '../physicians/StudyPhysiciansList';

type Loaded = { readonly status: 'loading' } | { readonly status: 'ready'; readonly details: StudyDetails } | { readonly status: 'error'; readonly message: string };

export function DetailsPanel({ version }: { readonly version: number }) {
  const signedIn = useHub((s) => s.status?.user != null);
  const canAudit = useHub((s) => hasPermission(s.status, 'audit.view'));
  const [hubStudyId, setHubStudyId] = useState<string | null>(null);
  const study = useWorklist((s) => (s.focus === null ? undefined : rowAt(s, s.focus)?.study));
  const closeDetails = useWorklist((s) => s.closeDetails);
  const uid = study?.studyInstanceUid;
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });

  useEffect(() => {
    setHubStudyId(null);
    if (uid === undefined) return;
    let current = true;
    setLoaded({ status: 'loading' });
    void api.call('studies:details', { studyInstanceUid: uid }).then((result) => {
      if (!current) return;
      setLoaded(result.ok ? { status: 'ready', details: result.value } : { status: 'error', message: result.error.message });
    });
    return () => {
      current = false;
    };
  }, [uid]);

  return (
    <aside className="details" aria-label="Study details">
      <header className="details-head">
        <h2>{study === undefined ? 'No study selected' : formatPersonName(study.patientName) || 'Unnamed patient'}</h2>
        <button type="button" className="quiet" aria-label="Close details" onClick={closeDetails}>
          ✕
        </button>
      </header>
      {study !== undefined && (
        <button type="button" className="primary open-images" onClick={() => void useViewer.getState().open({ uid: study.studyInstanceUid })}>
          Open images
        </button>
      )}
      {study !== undefined && <StudyFacts study={study} />}
      <h3>Series</h3>
      {loaded.status === 'loading' && <p className="muted">Loading series…</p>}
      {loaded.status === 'error' && <p role="alert" className="error-text">{loaded.message}</p>}
      {loaded.status === 'ready' && (
        <SeriesTable series={loaded.details.series} study={{ uid: loaded.details.study.studyInstanceUid }} choosable={signedIn} />
      )}
      {signedIn && uid !== undefined && <SharedWith study={{ uid }} version={version} onLoaded={(view) => setHubStudyId(view.hubStudyId)} />}
      {signedIn && hubStudyId !== null && <StudyPhysiciansList hubStudyId={hubStudyId} version={version} />}
      {signedIn && uid !== undefined && <CommentsPanel study={{ uid }} version={version} openAnchor={(anchor) => void useViewer.getState().open({ uid }, anchor)} />}
      {canAudit && hubStudyId !== null && <StudyHistory hubStudyId={hubStudyId} version={version} />}
    </aside>
  );
}
