/** Reads one study and its series, for the details panel and the CLI. */
import type Database from 'better-sqlite3';
import type { SeriesSummary, StudySummary } from '../../../shared/types/study';
import { prepared } from './statement-cache';
import { toSeriesSummary, toStudySummary, type SeriesRow, type StudyRow } from './study-rows';

export function findStudy(db: Database.Database, studyInstanceUid: string): StudySummary | null {
  const row = prepared(db, 'SELECT * FROM studies WHERE study_uid = ?').get(studyInstanceUid) as StudyRow | undefined;
  return row === undefined ? null : toStudySummary(row);
}

export function listSeries(db: Database.Database, studyInstanceUid: string): readonly SeriesSummary[] {
  const rows = prepared(
    db,
    `SELECT se.series_uid, se.modality, se.series_number, se.description, se.body_part, se.instance_count
     FROM series se JOIN studies st ON st.id = se.study_ref WHERE st.study_uid = ?
     ORDER BY se.series_number IS NULL, se.series_number, se.series_uid`,
  ).all(studyInstanceUid) as SeriesRow[];
  return rows.map(toSeriesSummary);
}

/** The files behind a study's instances, in series then instance order. */
export function listStudyFiles(db: Database.Database, studyInstanceUid: string): readonly string[] {
  const rows = prepared(
    db,
    `SELECT f.stored_path AS path FROM instances i
     JOIN series se ON se.id = i.series_ref JOIN studies st ON st.id = se.study_ref JOIN files f ON f.id = i.file_ref
     WHERE st.study_uid = ? ORDER BY se.series_number, se.id, i.instance_number, i.id`,
  ).all(studyInstanceUid) as { path: string }[];
  return rows.map((row) => row.path);
}

/** Each instance of a study with the file behind it, for uploads. */
export function listStudyInstances(db: Database.Database, studyInstanceUid: string): readonly { sopInstanceUid: string; path: string; size: number }[] {
  return prepared(
    db,
    `SELECT i.sop_instance_uid AS sopInstanceUid, f.stored_path AS path, f.size AS size FROM instances i
     JOIN series se ON se.id = i.series_ref JOIN studies st ON st.id = se.study_ref JOIN files f ON f.id = i.file_ref
     WHERE st.study_uid = ? ORDER BY se.series_number, se.id, i.instance_number, i.id`,
  ).all(studyInstanceUid) as { sopInstanceUid: string; path: string; size: number }[];
}
