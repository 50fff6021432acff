/**
 * The local study index: patients, studies, series, instances and the files behind them, a
 * full-text index over the columns people type into the search box, and the per-modality table
 * that lets "CT in the last month, newest first" walk an index instead of the whole table.
 *
 * Sortable text columns are NOT NULL with '' for absent so that keyset paging can compare row
 * values directly; mappers turn '' back into null.
 */
import type { Migration } from './index';

export const studyIndex0010: Migration = {
  version: 10,
  name: 'study-index',
  up(db) {
    db.exec(`
      CREATE TABLE patients (
        id INTEGER PRIMARY KEY,
        identity TEXT NOT NULL UNIQUE,
        patient_id TEXT,
        issuer TEXT,
        name TEXT,
        birth_date TEXT,
        sex TEXT
      ) STRICT;

      CREATE TABLE studies (
        id INTEGER PRIMARY KEY,
        study_uid TEXT NOT NULL UNIQUE,
        patient_ref INTEGER NOT NULL REFERENCES patients(id),
        patient_name TEXT NOT NULL DEFAULT '',
        patient_name_key TEXT NOT NULL DEFAULT '',
        patient_id TEXT NOT NULL DEFAULT '',
        patient_birth_date TEXT NOT NULL DEFAULT '',
        patient_sex TEXT,
        study_date TEXT NOT NULL DEFAULT '',
        study_time TEXT,
        accession_number TEXT NOT NULL DEFAULT '',
        study_description TEXT NOT NULL DEFAULT '',
        referring_physician_name TEXT,
        institution_name TEXT,
        study_id TEXT,
        modalities TEXT NOT NULL DEFAULT '',
        series_count INTEGER NOT NULL DEFAULT 0,
        instance_count INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX studies_by_patient ON studies(patient_ref);
      CREATE INDEX studies_by_date ON studies(study_date, id);
      CREATE INDEX studies_by_name ON studies(patient_name_key, id);
      CREATE INDEX studies_by_patient_id ON studies(patient_id, id);
      CREATE INDEX studies_by_birth_date ON studies(patient_birth_date, id);
      CREATE INDEX studies_by_accession ON studies(accession_number, id);
      CREATE INDEX studies_by_description ON studies(study_description, id);
      CREATE INDEX studies_by_modalities ON studies(modalities, id);
      CREATE INDEX studies_by_series_count ON studies(series_count, id);
      CREATE INDEX studies_by_instance_count ON studies(instance_count, id);

      CREATE TABLE study_modalities (
        modality TEXT NOT NULL,
        study_date TEXT NOT NULL,
        study_ref INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
        PRIMARY KEY (modality, study_date, study_ref)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX study_modalities_by_study ON study_modalities(study_ref);

      CREATE TABLE series (
        id INTEGER PRIMARY KEY,
        study_ref INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
        series_uid TEXT NOT NULL UNIQUE,
        modality TEXT,
        series_number INTEGER,
        description TEXT,
        body_part TEXT,
        instance_count INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE INDEX series_by_study ON series(study_ref);

      CREATE TABLE files (
        id INTEGER PRIMARY KEY,
        source_path TEXT NOT NULL UNIQUE,
        stored_path TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ms INTEGER NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('instance', 'duplicate', 'dicomdir')),
        sop_instance_uid TEXT,
        managed INTEGER NOT NULL DEFAULT 0 CHECK (managed IN (0, 1)),
        indexed_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE instances (
        id INTEGER PRIMARY KEY,
        series_ref INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        sop_instance_uid TEXT NOT NULL UNIQUE,
        sop_class_uid TEXT,
        instance_number INTEGER,
        transfer_syntax_uid TEXT,
        rows INTEGER,
        columns INTEGER,
        frames INTEGER,
        file_ref INTEGER NOT NULL REFERENCES files(id)
      ) STRICT;
      CREATE INDEX instances_by_series ON instances(series_ref);
      CREATE INDEX instances_by_file ON instances(file_ref);

      -- One row holding the study count, so an unfiltered worklist never counts a million rows.
      CREATE TABLE study_totals (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        studies INTEGER NOT NULL
      ) STRICT;
      INSERT INTO study_totals (singleton, studies) VALUES (1, 0);
      CREATE TRIGGER studies_count_insert AFTER INSERT ON studies BEGIN
        UPDATE study_totals SET studies = studies + 1 WHERE singleton = 1;
      END;
      CREATE TRIGGER studies_count_delete AFTER DELETE ON studies BEGIN
        UPDATE study_totals SET studies = studies - 1 WHERE singleton = 1;
      END;

      CREATE VIRTUAL TABLE studies_fts USING fts5(
        patient_name, patient_id, accession_number, study_description,
        content = 'studies', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '1 2 3'
      );
      CREATE TRIGGER studies_fts_insert AFTER INSERT ON studies BEGIN
        INSERT INTO studies_fts (rowid, patient_name, patient_id, accession_number, study_description)
        VALUES (new.id, new.patient_name, new.patient_id, new.accession_number, new.study_description);
      END;
      CREATE TRIGGER studies_fts_delete AFTER DELETE ON studies BEGIN
        INSERT INTO studies_fts (studies_fts, rowid, patient_name, patient_id, accession_number, study_description)
        VALUES ('delete', old.id, old.patient_name, old.patient_id, old.accession_number, old.study_description);
      END;
      CREATE TRIGGER studies_fts_update
      AFTER UPDATE OF patient_name, patient_id, accession_number, study_description ON studies BEGIN
        INSERT INTO studies_fts (studies_fts, rowid, patient_name, patient_id, accession_number, study_description)
        VALUES ('delete', old.id, old.patient_name, old.patient_id, old.accession_number, old.study_description);
        INSERT INTO studies_fts (rowid, patient_name, patient_id, accession_number, study_description)
        VALUES (new.id, new.patient_name, new.patient_id, new.accession_number, new.study_description);
      END;
    `);
  },
};
