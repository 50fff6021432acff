/**
 * The files domain's SQL: which instances of a study are on the hub, where each one's blob is,
 * and where it belongs in the study (from its own header). The routes in server/routes/files.ts
 * only call these.
 */
import type { Kysely } from 'kysely';
import type { HubDatabase } from '../db/schema';

export interface StudyFileRecord {
  readonly studyId: string;
  readonly sop: string;
  readonly size: number;
  readonly sha256: string;
  readonly blob: string;
  readonly at: string;
  readonly series_uid: string | null;
  readonly series_number: number | null;
  readonly series_description: string | null;
  readonly modality: string | null;
  readonly instance_number: number | null;
}

/** Records (or re-records, after a new upload of the same instance) a stored file. */
export async function recordStudyFile(db: Kysely<HubDatabase>, file: StudyFileRecord): Promise<void> {
  const { studyId, sop, size, sha256, blob, at, ...placement } = file;
  await db
    .insertInto('study_files')
    .values({ study_id: studyId, sop_instance_uid: sop, size, sha256, blob, uploaded_at: at, ...placement })
    .onConflict((oc) => oc.columns(['study_id', 'sop_instance_uid']).doUpdateSet({ size, sha256, blob, uploaded_at: at, ...placement }))
    .execute();
}

export function findStudyFile(db: Kysely<HubDatabase>, studyId: string, sop: string) {
  return db.selectFrom('study_files').selectAll().where('study_id', '=', studyId).where('sop_instance_uid', '=', sop).executeTakeFirst();
}

export function listStudyFiles(db: Kysely<HubDatabase>, studyId: string) {
  return db.selectFrom('study_files').select(['sop_instance_uid as sopInstanceUid', 'size', 'sha256']).where('study_id', '=', studyId).execute();
}
