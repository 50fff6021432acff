/**
 * The files domain's SQL: which instances of a study are on the hub, where each one's blob is,
 * and where it belongs in the study (from its own header). The routes in server/routes/files.ts
 * only call these.
 *
 * An instance's row is written once (claimStudyFile: the primary key on (study, SOP instance)
 * decides between two uploads racing for a new instance) and replaced only by an explicit,
 * audited correction (correctStudyFile).
 */
import type { Kysely, Transaction } from 'kysely';
import type { HubDatabase } from '../db/schema';
import { recordAudit } from '../audit/audit-trail';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

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

/**
 * Records a new instance's file unless the instance has one already; answers whether this call
 * wrote the row (false: another upload got there first — compare its SHA-256).
 */
export async function claimStudyFile(db: Db, file: StudyFileRecord): Promise<boolean> {
  const { studyId, sop, size, sha256, blob, at, ...placement } = file;
  const inserted = await db
    .insertInto('study_files')
    .values({ study_id: studyId, sop_instance_uid: sop, size, sha256, blob, uploaded_at: at, ...placement })
    .onConflict((oc) => oc.columns(['study_id', 'sop_instance_uid']).doNothing())
    .returning('sop_instance_uid')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Takes back a claim whose blob never became visible (only the row this upload wrote). */
export async function releaseStudyFile(db: Db, studyId: string, sop: string, sha256: string, blob: string): Promise<void> {
  await db.deleteFrom('study_files').where('study_id', '=', studyId).where('sop_instance_uid', '=', sop).where('sha256', '=', sha256).where('blob', '=', blob).execute();
}

/**
 * Replaces an instance's file by a correction, with its audit event on the study's trail, in one
 * transaction. The replaced blob stays in the store (its key is in the event): a correction never
 * destroys what staff may already have read.
 */
export async function correctStudyFile(db: Kysely<HubDatabase>, file: StudyFileRecord, audit: { readonly accountId: string; readonly actorId: string }): Promise<void> {
  const { studyId, sop, size, sha256, blob, at, ...placement } = file;
  await db.transaction().execute(async (trx) => {
    const previous = await findStudyFile(trx, studyId, sop);
    await trx.updateTable('study_files').set({ size, sha256, blob, uploaded_at: at, ...placement }).where('study_id', '=', studyId).where('sop_instance_uid', '=', sop).execute();
    await recordAudit(trx, {
      at,
      accountId: audit.accountId,
      studyId,
      trail: 'study',
      actorId: audit.actorId,
      action: 'study.update',
      detail: { change: 'file-corrected', sop, sha256, size, previousSha256: previous?.sha256 ?? null, previousBlob: previous?.blob ?? null },
    });
  });
}

/** Points an instance's row at another blob of the very same bytes (one stored again after it went missing). */
export async function repointStudyFile(db: Db, studyId: string, sop: string, blob: string): Promise<void> {
  await db.updateTable('study_files').set({ blob }).where('study_id', '=', studyId).where('sop_instance_uid', '=', sop).execute();
}

export function findStudyFile(db: Db, studyId: string, sop: string) {
  return db.selectFrom('study_files').selectAll().where('study_id', '=', studyId).where('sop_instance_uid', '=', sop).executeTakeFirst();
}

export function listStudyFiles(db: Db, studyId: string) {
  return db.selectFrom('study_files').select(['sop_instance_uid as sopInstanceUid', 'size', 'sha256']).where('study_id', '=', studyId).execute();
}
