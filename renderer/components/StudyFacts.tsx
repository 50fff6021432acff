/** A study's patient and study attributes as the details panels list them. */
import type { StudySummary } from '../../shared/types/study';
import { formatPersonName } from '../lib/format';

export function StudyFacts({ study }: { readonly study: StudySummary }) {
  return (
    <dl className="facts">
      <dt>Patient ID</dt>
      <dd>{study.patientId ?? '—'}</dd>
      <dt>Birth date</dt>
      <dd>{study.patientBirthDate ?? '—'}</dd>
      <dt>Sex</dt>
      <dd>{study.patientSex ?? '—'}</dd>
      <dt>Study</dt>
      <dd>{study.studyDescription ?? '—'}</dd>
      <dt>Date</dt>
      <dd>{[study.studyDate, study.studyTime].filter(Boolean).join(' ') || '—'}</dd>
      <dt>Accession</dt>
      <dd>{study.accessionNumber ?? '—'}</dd>
      <dt>Referring</dt>
      <dd>{formatPersonName(study.referringPhysicianName) || '—'}</dd>
      <dt>Institution</dt>
      <dd>{study.institutionName ?? '—'}</dd>
      <dt>Study UID</dt>
      <dd className="uid">{study.studyInstanceUid}</dd>
    </dl>
  );
}
