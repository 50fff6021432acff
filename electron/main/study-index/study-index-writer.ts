/**
 * Writes parsed instance headers into the index. Callers group calls inside one transaction and
 * call `refreshAggregates` before committing; counts and modality lists are derived there, once
 * per touched study, instead of on every instance.
 */
import type Database from 'better-sqlite3';
import type { InstanceHeader } from '../dicom-import/instance-header';
import { prepared } from './statement-cache';
import { nameSortKey } from './study-rows';

export interface FileFacts {
  /** The path the user imported from: the key for "unchanged since last time". */
  readonly sourcePath: string;
  /** Where the bytes live now: the source itself, or the copy in the managed library. */
  readonly storedPath: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly managed: boolean;
}

export interface KnownFile {
  readonly id: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly outcome: 'instance' | 'duplicate' | 'dicomdir';
  readonly sopInstanceUid: string | null;
}

export type RecordOutcome = 'imported' | 'duplicate';

/** Remembers ids and touched rows for the life of one import run. */
export class IndexWriteSession {
  private readonly studyIds = new Map<string, number>();
  private readonly seriesIds = new Map<string, number>();
  readonly touchedStudies = new Set<number>();
  /** Everything this run saw, for the summary (including already-known instances). */
  readonly studiesSeen = new Set<string>();
  readonly seriesSeen = new Set<string>();
  readonly instancesSeen = new Set<string>();

  constructor(private readonly db: Database.Database) {}

  /** After a rolled-back write the cached ids may name rows that no longer exist. */
  forgetCachedIds(): void {
    this.studyIds.clear();
    this.seriesIds.clear();
  }

  knownFile(sourcePath: string): KnownFile | undefined {
    const row = prepared(
      this.db,
      'SELECT id, size, mtime_ms AS mtimeMs, outcome, sop_instance_uid AS sopInstanceUid FROM files WHERE source_path = ?',
    ).get(sourcePath) as KnownFile | undefined;
    return row;
  }

  /** Notes an unchanged file's instance as part of this run without touching the database. */
  noteUnchanged(sopInstanceUid: string | null): void {
    if (sopInstanceUid === null) return;
    const row = prepared(
      this.db,
      `SELECT st.study_uid AS study, se.series_uid AS series FROM instances i
       JOIN series se ON se.id = i.series_ref JOIN studies st ON st.id = se.study_ref
       WHERE i.sop_instance_uid = ?`,
    ).get(sopInstanceUid) as { study: string; series: string } | undefined;
    if (row === undefined) return;
    this.studiesSeen.add(row.study);
    this.seriesSeen.add(row.series);
    this.instancesSeen.add(sopInstanceUid);
  }

  private upsertFile(file: FileFacts, outcome: KnownFile['outcome'], sopInstanceUid: string | null, now: string): number {
    const row = prepared(
      this.db,
      `INSERT INTO files (source_path, stored_path, size, mtime_ms, outcome, sop_instance_uid, managed, indexed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (source_path) DO UPDATE SET stored_path = excluded.stored_path, size = excluded.size,
         mtime_ms = excluded.mtime_ms, outcome = excluded.outcome, sop_instance_uid = excluded.sop_instance_uid,
         managed = excluded.managed, indexed_at = excluded.indexed_at
       RETURNING id`,
    ).get(file.sourcePath, file.storedPath, file.size, Math.trunc(file.mtimeMs), outcome, sopInstanceUid, file.managed ? 1 : 0, now) as {
      id: number;
    };
    return row.id;
  }

  recordDicomdir(file: FileFacts): void {
    this.upsertFile(file, 'dicomdir', null, new Date().toISOString());
  }

  /** The instance this SOP Instance UID already has, and the file it came from. */
  existingInstance(sopInstanceUid: string): { id: number; sourcePath: string } | undefined {
    return prepared(
      this.db,
      `SELECT i.id, f.source_path AS sourcePath FROM instances i JOIN files f ON f.id = i.file_ref
       WHERE i.sop_instance_uid = ?`,
    ).get(sopInstanceUid) as { id: number; sourcePath: string } | undefined;
  }

  /**
   * Records one instance. An instance already indexed from another file is a duplicate: the file
   * is remembered (so the next run skips it) but nothing is doubled.
   */
  recordInstance(header: InstanceHeader, file: FileFacts): RecordOutcome {
    const now = new Date().toISOString();
    const sop = header.instance.sopInstanceUid;
    this.studiesSeen.add(header.study.uid);
    this.seriesSeen.add(header.series.uid);
    this.instancesSeen.add(sop);

    const existing = this.existingInstance(sop);
    if (existing !== undefined && existing.sourcePath !== file.sourcePath) {
      this.upsertFile(file, 'duplicate', sop, now);
      return 'duplicate';
    }
    const rewritten = existing !== undefined;
    // The file at this path used to hold another instance: that instance is gone from disk.
    const previous = this.knownFile(file.sourcePath);
    if (previous?.outcome === 'instance' && previous.sopInstanceUid !== null && previous.sopInstanceUid !== sop) {
      this.removeInstance(previous.sopInstanceUid);
    }

    const studyId = this.studyId(header, now, rewritten);
    const seriesId = this.seriesId(header, studyId, rewritten);
    const fileId = this.upsertFile(file, 'instance', sop, now);
    const { instance } = header;
    prepared(
      this.db,
      `INSERT INTO instances (series_ref, sop_instance_uid, sop_class_uid, instance_number, transfer_syntax_uid, rows, columns, frames, file_ref)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (sop_instance_uid) DO UPDATE SET series_ref = excluded.series_ref, sop_class_uid = excluded.sop_class_uid,
         instance_number = excluded.instance_number, transfer_syntax_uid = excluded.transfer_syntax_uid, rows = excluded.rows,
         columns = excluded.columns, frames = excluded.frames, file_ref = excluded.file_ref`,
    ).run(seriesId, sop, instance.sopClassUid, instance.number, header.transferSyntaxUid, instance.rows, instance.columns, instance.frames, fileId);
    this.touchedStudies.add(studyId);
    return 'imported';
  }

  private removeInstance(sopInstanceUid: string): void {
    const row = prepared(
      this.db,
      `SELECT se.study_ref AS studyId FROM instances i JOIN series se ON se.id = i.series_ref WHERE i.sop_instance_uid = ?`,
    ).get(sopInstanceUid) as { studyId: number } | undefined;
    if (row === undefined) return;
    prepared(this.db, 'DELETE FROM instances WHERE sop_instance_uid = ?').run(sopInstanceUid);
    this.touchedStudies.add(row.studyId);
  }

  private patientId(header: InstanceHeader): number {
    const { patient } = header;
    // Patients are told apart by ID and issuer; without an ID, by name and birth date.
    const identity =
      patient.id !== null
        ? `id:${patient.id}|${patient.issuer ?? ''}`
        : `name:${patient.name ?? ''}|${patient.birthDate ?? ''}`;
    const row = prepared(
      this.db,
      `INSERT INTO patients (identity, patient_id, issuer, name, birth_date, sex) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (identity) DO UPDATE SET name = coalesce(patients.name, excluded.name),
         birth_date = coalesce(patients.birth_date, excluded.birth_date), sex = coalesce(patients.sex, excluded.sex)
       RETURNING id`,
    ).get(identity, patient.id, patient.issuer, patient.name, patient.birthDate, patient.sex) as { id: number };
    return row.id;
  }

  private studyId(header: InstanceHeader, now: string, rewritten: boolean): number {
    const { study, patient } = header;
    const cached = this.studyIds.get(study.uid);
    if (cached !== undefined && !rewritten) return cached;
    const found = prepared(this.db, 'SELECT id FROM studies WHERE study_uid = ?').get(study.uid) as { id: number } | undefined;
    // New instances of a known study leave it as it is; a rewritten file (same instance, new
    // bytes) is a correction, and its study attributes replace the old ones.
    if (found !== undefined && !rewritten) {
      this.studyIds.set(study.uid, found.id);
      return found.id;
    }
    const values = [
      this.patientId(header),
      patient.name ?? '',
      nameSortKey(patient.name),
      patient.id ?? '',
      patient.birthDate ?? '',
      patient.sex,
      study.date ?? '',
      study.time,
      study.accessionNumber ?? '',
      study.description ?? '',
      study.referringPhysicianName,
      study.readingPhysicianNames ?? null,
      study.institutionName,
      study.studyId,
      now,
    ];
    let id: number;
    if (found === undefined) {
      id = (
        prepared(
          this.db,
          `INSERT INTO studies (patient_ref, patient_name, patient_name_key, patient_id, patient_birth_date, patient_sex,
             study_date, study_time, accession_number, study_description, referring_physician_name, reading_physician_names,
             institution_name, study_id, created_at, updated_at, study_uid)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        ).get(...values, now, study.uid) as { id: number }
      ).id;
    } else {
      prepared(
        this.db,
        `UPDATE studies SET patient_ref = ?, patient_name = ?, patient_name_key = ?, patient_id = ?, patient_birth_date = ?,
           patient_sex = ?, study_date = ?, study_time = ?, accession_number = ?, study_description = ?,
           referring_physician_name = ?, reading_physician_names = ?, institution_name = ?, study_id = ?, updated_at = ?
         WHERE id = ?`,
      ).run(...values, found.id);
      id = found.id;
    }
    this.studyIds.set(study.uid, id);
    return id;
  }

  private seriesId(header: InstanceHeader, studyId: number, rewritten: boolean): number {
    const { series } = header;
    const cached = this.seriesIds.get(series.uid);
    if (cached !== undefined && !rewritten) return cached;
    const row = prepared(
      this.db,
      `INSERT INTO series (study_ref, series_uid, modality, series_number, description, body_part) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (series_uid) DO UPDATE SET
         study_ref = CASE WHEN ? THEN excluded.study_ref ELSE series.study_ref END,
         modality = CASE WHEN ? THEN excluded.modality ELSE coalesce(series.modality, excluded.modality) END,
         series_number = CASE WHEN ? THEN excluded.series_number ELSE coalesce(series.series_number, excluded.series_number) END,
         description = CASE WHEN ? THEN excluded.description ELSE coalesce(series.description, excluded.description) END,
         body_part = CASE WHEN ? THEN excluded.body_part ELSE coalesce(series.body_part, excluded.body_part) END
       RETURNING id, study_ref AS studyRef`,
    ).get(studyId, series.uid, series.modality, series.number, series.description, series.bodyPart,
      ...Array<number>(5).fill(rewritten ? 1 : 0)) as { id: number; studyRef: number };
    // A series moved to another study by a rewritten file leaves its old study to be recounted.
    if (row.studyRef !== studyId) this.touchedStudies.add(row.studyRef);
    this.seriesIds.set(series.uid, row.id);
    return row.id;
  }

  /** Recounts series and instances, rebuilds modality lists, drops emptied series and studies. */
  refreshAggregates(): void {
    const now = new Date().toISOString();
    for (const studyId of this.touchedStudies) {
      prepared(
        this.db,
        'UPDATE series SET instance_count = (SELECT count(*) FROM instances WHERE series_ref = series.id) WHERE study_ref = ?',
      ).run(studyId);
      const emptied = prepared(this.db, 'DELETE FROM series WHERE study_ref = ? AND instance_count = 0 RETURNING series_uid').all(studyId) as {
        series_uid: string;
      }[];
      for (const { series_uid } of emptied) this.seriesIds.delete(series_uid);
      prepared(
        this.db,
        `UPDATE studies SET
           series_count = (SELECT count(*) FROM series WHERE study_ref = studies.id),
           instance_count = (SELECT coalesce(sum(instance_count), 0) FROM series WHERE study_ref = studies.id),
           modalities = (SELECT coalesce(group_concat(modality, '\\'), '') FROM
             (SELECT DISTINCT modality FROM series WHERE study_ref = @study AND modality IS NOT NULL AND modality != '' ORDER BY modality)),
           updated_at = @now
         WHERE id = @study`,
      ).run({ study: studyId, now });
      prepared(this.db, 'DELETE FROM study_modalities WHERE study_ref = ?').run(studyId);
      const removed = prepared(this.db, 'DELETE FROM studies WHERE id = ? AND series_count = 0 RETURNING study_uid').get(studyId) as
        | { study_uid: string }
        | undefined;
      if (removed !== undefined) {
        this.studyIds.delete(removed.study_uid);
        continue;
      }
      prepared(
        this.db,
        `INSERT INTO study_modalities (modality, study_date, study_ref)
         SELECT DISTINCT se.modality, st.study_date, st.id FROM series se JOIN studies st ON st.id = se.study_ref
         WHERE st.id = ? AND se.modality IS NOT NULL AND se.modality != ''`,
      ).run(studyId);
    }
    this.touchedStudies.clear();
  }
}
