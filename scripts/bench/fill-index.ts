/**
 * Fills a study index with generated studies for benchmarks: realistic names, a modality mix,
 * ten years of dates. Rows go straight into the tables (triggers keep FTS and totals), which is
 * a hundred times faster than importing files and measures the same queries.
 */
import type { IndexDatabase } from '../../electron/main/db/connection';
import { FAMILY_NAMES, GIVEN_NAMES, STUDY_DESCRIPTIONS } from '../../electron/main/dicom-write/sample-names';
import { nameSortKey } from '../../electron/main/study-index/study-rows';

/** A small deterministic PRNG so every run measures the same data and the same queries. */
export function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MODALITY_MIX: readonly (readonly string[])[] = [
  ['CT'], ['CT'], ['CT'], ['MR'], ['MR'], ['CR'], ['CR'], ['DX'], ['US'], ['US'], ['MG'], ['CT', 'PT'], ['NM'], ['CT', 'SR'], ['XA'], ['RF'],
];
export const DAY_MS = 86_400_000;
export const FIRST_DAY = Date.UTC(2015, 0, 1);
export const DAYS = 3650;

export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Inserts `count` generated studies (about three per patient) straight into the index tables. */
export function fillIndex(db: IndexDatabase, count: number): void {
  const random = rng(42);
  // A patient row is offered for each of its studies; the first one stays.
  const insertPatient = db.prepare('INSERT OR IGNORE INTO patients (id, identity, patient_id, name, birth_date, sex) VALUES (?, ?, ?, ?, ?, ?)');
  const insertStudy = db.prepare(`INSERT INTO studies (id, study_uid, patient_ref, patient_name, patient_name_key, patient_id,
    patient_birth_date, patient_sex, study_date, study_time, accession_number, study_description, modalities, series_count,
    instance_count, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertModality = db.prepare('INSERT INTO study_modalities (modality, study_date, study_ref) VALUES (?, ?, ?)');
  const patients = Math.ceil(count / 3);
  const now = new Date().toISOString();
  const batch = 50_000;
  const started = performance.now();
  for (let start = 0; start < count; start += batch) {
    db.transaction(() => {
      for (let id = start + 1; id <= Math.min(count, start + batch); id++) {
        // About three studies per patient, as in a real archive.
        const patient = 1 + Math.floor(random() * patients);
        const family = FAMILY_NAMES[patient % FAMILY_NAMES.length];
        const given = GIVEN_NAMES[(patient * 7) % GIVEN_NAMES.length];
        const name = `${family}^${given}`;
        const patientId = `PID${String(patient).padStart(8, '0')}`;
        const birth = isoDay(Date.UTC(1930, 0, 1) + (patient % 30_000) * DAY_MS);
        insertPatient.run(patient, `id:${patientId}|`, patientId, name, birth, patient % 2 ? 'F' : 'M');
        const modalities = MODALITY_MIX[Math.floor(random() * MODALITY_MIX.length)];
        const date = isoDay(FIRST_DAY + Math.floor(random() * DAYS) * DAY_MS);
        const series = 1 + Math.floor(random() * 8);
        insertStudy.run(
          id, `1.2.826.0.1.3680043.10.1234.77.${id}`, patient, name, nameSortKey(name), patientId, birth, patient % 2 ? 'F' : 'M',
          date, '10:00:00', `ACC${String(id).padStart(9, '0')}`, STUDY_DESCRIPTIONS[id % STUDY_DESCRIPTIONS.length],
          [...modalities].sort().join('\\'), series, series * (20 + Math.floor(random() * 200)), now, now,
        );
        for (const modality of modalities) insertModality.run(modality, date, id);
      }
    })();
    process.stdout.write(`\rfilling: ${Math.min(count, start + batch)} / ${count} studies (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  process.stdout.write('\n');
  db.exec("INSERT INTO studies_fts (studies_fts) VALUES ('optimize'); ANALYZE;");
}

