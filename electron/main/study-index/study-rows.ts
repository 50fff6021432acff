/** Row types of the study index and their mapping to the shared domain types. */
import type { SeriesSummary, StudySummary } from '../../../shared/types/study';

export interface StudyRow {
  id: number;
  study_uid: string;
  patient_name: string;
  patient_id: string;
  patient_birth_date: string;
  patient_sex: string | null;
  study_date: string;
  study_time: string | null;
  accession_number: string;
  study_description: string;
  referring_physician_name: string | null;
  /** Absent from queries that do not select it (the list); `\`-joined PN values (migration 0080). */
  reading_physician_names?: string | null;
  institution_name: string | null;
  modalities: string;
  series_count: number;
  instance_count: number;
}

export interface SeriesRow {
  series_uid: string;
  modality: string | null;
  series_number: number | null;
  description: string | null;
  body_part: string | null;
  instance_count: number;
}

/** Sortable columns hold '' for absent (see migration 0010); the domain says null. */
const orNull = (value: string | null): string | null => (value === '' ? null : value);

export function toStudySummary(row: StudyRow): StudySummary {
  return {
    studyInstanceUid: row.study_uid,
    patientName: orNull(row.patient_name),
    patientId: orNull(row.patient_id),
    patientBirthDate: orNull(row.patient_birth_date),
    studyDate: orNull(row.study_date),
    studyTime: row.study_time,
    patientSex: row.patient_sex,
    accessionNumber: orNull(row.accession_number),
    studyDescription: orNull(row.study_description),
    referringPhysicianName: row.referring_physician_name,
    // Only when the files named readers: the key stays absent otherwise, as from older publishers.
    ...(row.reading_physician_names === undefined || row.reading_physician_names === null ? {} : { readingPhysicianNames: row.reading_physician_names }),
    institutionName: row.institution_name,
    modalities: row.modalities === '' ? [] : row.modalities.split('\\'),
    seriesCount: row.series_count,
    instanceCount: row.instance_count,
  };
}

export function toSeriesSummary(row: SeriesRow): SeriesSummary {
  return {
    seriesInstanceUid: row.series_uid,
    modality: row.modality,
    seriesNumber: row.series_number,
    seriesDescription: row.description,
    bodyPart: row.body_part,
    instanceCount: row.instance_count,
  };
}

/** One definition for the local index and the hub (the hub sorts names the same way). */
export { nameSortKey } from '../../../shared/study-search';
