/**
 * A study's facts as a viewer who sees it de-identified gets them (visibility rule 14): the
 * summary a list row or the details carry, and its series and instances for the viewer. What
 * names or dates the patient or the visit goes (PS3.15 basic profile: names, IDs, birth date,
 * sex, dates and times, accession number, descriptions, physicians, institution); the UIDs are
 * mapped (pseudonyms.ts) the same way as inside the served files (deidentify-dicom.ts), so what
 * the viewer lists matches the bytes it fetches; counts, modalities and numbers stay.
 */
import type { StudySummary } from '../../shared/types/study';
import { mapUid, pseudonymName, pseudonymPatientId, type StudyKey } from './pseudonyms';

export function deidentifySummary(study: StudyKey, summary: StudySummary): StudySummary {
  return {
    studyInstanceUid: mapUid(study, summary.studyInstanceUid),
    patientName: pseudonymName(study),
    patientId: pseudonymPatientId(study),
    patientBirthDate: null,
    studyDate: null,
    studyTime: null,
    patientSex: null,
    accessionNumber: null,
    studyDescription: null,
    referringPhysicianName: null,
    ...(summary.readingPhysicianNames === undefined ? {} : { readingPhysicianNames: null }),
    institutionName: null,
    modalities: summary.modalities,
    seriesCount: summary.seriesCount,
    instanceCount: summary.instanceCount,
  };
}

/** A series as the details panel lists it: its UID mapped, its description gone. */
export function deidentifySeries<T extends { seriesInstanceUid: string | null; seriesDescription: string | null }>(study: StudyKey, series: T): T {
  return { ...series, seriesInstanceUid: series.seriesInstanceUid === null ? null : mapUid(study, series.seriesInstanceUid), seriesDescription: null };
}

/** The viewer's manifest: series and instance UIDs mapped, descriptions gone. */
export function deidentifyManifest<S extends { seriesInstanceUid: string; description: string | null; instances: { sopInstanceUid: string }[] }>(study: StudyKey, series: readonly S[]): S[] {
  return series.map((entry) => ({
    ...entry,
    // A file that named no series stays in its own 'unknown' group.
    seriesInstanceUid: entry.seriesInstanceUid === 'unknown' ? 'unknown' : mapUid(study, entry.seriesInstanceUid),
    description: null,
    instances: entry.instances.map((instance) => ({ ...instance, sopInstanceUid: mapUid(study, instance.sopInstanceUid) })),
  }));
}
