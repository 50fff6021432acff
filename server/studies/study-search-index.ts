/**
 * What the hub's study lists sort, filter and search by, kept in real indexed columns and
 * tables beside the summary JSON (which is only read back for the rows of a page): the sortable
 * fields as the local index stores them ('' for absent, the name as its sort key, modalities
 * joined by `\`), the folded words of the searchable fields (`study_terms`) and the modalities
 * (`study_modalities`). Written in the same transaction as the study.
 */
import type { Kysely, Transaction } from 'kysely';
import { nameSortKey, studyTerms } from '../../shared/study-search';
import type { StudySummary } from '../../shared/types/study';
import type { HubDatabase } from '../db/schema';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

type SummaryFields = Pick<
  StudySummary,
  'patientName' | 'patientId' | 'patientBirthDate' | 'studyDate' | 'accessionNumber' | 'studyDescription' | 'modalities' | 'seriesCount' | 'instanceCount'
>;

/** The study's sortable columns, as the local index stores them (see its migration 0010). */
export function searchColumns(summary: SummaryFields) {
  return {
    patient_name: summary.patientName ?? '',
    patient_name_key: nameSortKey(summary.patientName),
    patient_id: summary.patientId ?? '',
    patient_birth_date: summary.patientBirthDate ?? '',
    study_date: summary.studyDate ?? '',
    accession_number: summary.accessionNumber ?? '',
    study_description: summary.studyDescription ?? '',
    modalities: [...new Set(summary.modalities)].sort().join('\\'),
    series_count: summary.seriesCount,
    instance_count: summary.instanceCount,
  };
}

/** The rows of `study_terms` and `study_modalities` for a study. */
export function searchRows(studyId: string, summary: SummaryFields) {
  return {
    terms: studyTerms([summary.patientName, summary.patientId, summary.accessionNumber, summary.studyDescription]).map((term) => ({ study_id: studyId, term })),
    modalities: [...new Set(summary.modalities)].map((modality) => ({ study_id: studyId, modality })),
  };
}

/**
 * Writes a study's search words and modalities (replacing what an earlier version had). The
 * columns themselves are set by the insert or update of the study (`searchColumns`).
 */
export async function indexStudySearch(db: Db, studyId: string, summary: SummaryFields): Promise<void> {
  const { terms, modalities } = searchRows(studyId, summary);
  await db.deleteFrom('study_terms').where('study_id', '=', studyId).execute();
  await db.deleteFrom('study_modalities').where('study_id', '=', studyId).execute();
  if (terms.length > 0) await db.insertInto('study_terms').values(terms).execute();
  if (modalities.length > 0) await db.insertInto('study_modalities').values(modalities).execute();
}
