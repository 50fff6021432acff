/**
 * The details panel's Physicians (issue 14): who the study is on and how (referred by, reading,
 * associated). An associated physician — added by hand — can be taken off here by someone who may
 * share the study (the hub checks); the others follow the DICOM data and the shares. Taking off
 * goes through the outbox: with the hub away it waits, and says so.
 */
import { useEffect, useState } from 'react';
import { RELATION_LABELS, type StudyPhysicianView } from '../../../shared/hub-api/physicians';
import { ErrorMessage, Notice } from '../../components/Messages';
import { api } from '../../lib/api';
import { hasPermission, useHub } from '../hub/hub-store';

export function StudyPhysiciansList({ hubStudyId, version }: { readonly hubStudyId: string; readonly version: number }) {
  const mayShare = useHub((s) => hasPermission(s.status, 'studies.share'));
  const [physicians, setPhysicians] = useState<readonly StudyPhysicianView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    let current = true;
    void api.call('physicians:study', { hubStudyId }).then((result) => {
      if (!current) return;
      if (result.ok) setPhysicians(result.value.physicians);
      else setError(result.error.message);
    });
    return () => {
      current = false;
    };
  }, [hubStudyId, version, reload]);
  const remove = async (physician: StudyPhysicianView) => {
    const result = await api.call('physicians:unlink', { study: { hubId: hubStudyId }, physicianId: physician.id });
    if (!result.ok) setError(result.error.message);
    else if (result.value.refused.length > 0) setError(result.value.refused[0].reason);
    else if (result.value.pending > 0) setNotice(`Taking ${physician.displayName} off waits for the hub; it goes as soon as the hub answers.`);
    else {
      setError(null);
      setNotice(`${physician.displayName} was taken off the study.`);
    }
    setReload((n) => n + 1);
  };
  if (physicians === null && error === null) return null;
  return (
    <section aria-labelledby={`physicians-${hubStudyId}`}>
      <h3 id={`physicians-${hubStudyId}`}>Physicians</h3>
      <ErrorMessage message={error} />
      <Notice message={notice} />
      {physicians !== null && physicians.length === 0 && <p className="muted">On no physician’s cases yet.</p>}
      {physicians !== null && physicians.length > 0 && (
        <ul className="study-physicians" aria-label="Physicians on this study">
          {physicians.map((physician) => (
            <li key={`${physician.id}:${physician.relation}`}>
              <span>{physician.displayName}</span> <span className="tag">{RELATION_LABELS[physician.relation]}</span>
              {physician.relation === 'associated' && mayShare && (
                <button type="button" className="quiet" aria-label={`Take ${physician.displayName} off the study`} onClick={() => void remove(physician)}>
                  ✕
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
