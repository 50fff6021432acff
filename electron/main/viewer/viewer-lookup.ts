/**
 * The local index as the viewer reads it: a study's series with each instance's file, in series
 * then instance order, and the same patient's other studies (priors). Read-only; the tables
 * are the study index's (electron/main/study-index), whose writer stays their only writer.
 */
import type Database from 'better-sqlite3';

export interface LocalInstanceRow {
  readonly seriesUid: string;
  readonly modality: string | null;
  readonly seriesNumber: number | null;
  readonly seriesDescription: string | null;
  readonly sopInstanceUid: string;
  readonly instanceNumber: number | null;
  readonly frames: number | null;
  readonly rows: number | null;
  readonly columns: number | null;
  readonly transferSyntaxUid: string | null;
  readonly path: string;
}

export function localStudyInstances(db: Database.Database, studyUid: string): readonly LocalInstanceRow[] {
  return db
    .prepare(
      `SELECT se.series_uid AS seriesUid, se.modality AS modality, se.series_number AS seriesNumber, se.description AS seriesDescription,
              i.sop_instance_uid AS sopInstanceUid, i.instance_number AS instanceNumber, i.frames AS frames, i.rows AS rows,
              i.columns AS columns, i.transfer_syntax_uid AS transferSyntaxUid, f.stored_path AS path
       FROM instances i JOIN series se ON se.id = i.series_ref JOIN studies st ON st.id = se.study_ref JOIN files f ON f.id = i.file_ref
       WHERE st.study_uid = ?
       ORDER BY se.series_number IS NULL, se.series_number, se.id, i.instance_number IS NULL, i.instance_number, i.id`,
    )
    .all(studyUid) as LocalInstanceRow[];
}

export interface PriorRow {
  readonly studyUid: string;
  readonly studyDate: string;
  readonly description: string;
  readonly modalities: string;
}

/** The same patient's other studies in the index, newest first (visibility is the caller's to apply). */
export function samePatientStudies(db: Database.Database, studyUid: string): readonly PriorRow[] {
  return db
    .prepare(
      `SELECT o.study_uid AS studyUid, o.study_date AS studyDate, o.study_description AS description, o.modalities AS modalities
       FROM studies s JOIN studies o ON o.patient_ref = s.patient_ref AND o.id <> s.id
       WHERE s.study_uid = ? ORDER BY o.study_date DESC, o.id DESC LIMIT 50`,
    )
    .all(studyUid) as PriorRow[];
}
