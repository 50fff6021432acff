/**
 * The resumable uploads' SQL (server/routes/resumable-uploads.ts only calls these). An upload is
 * a row saying which instance and bytes (size, SHA-256) are coming and how many have arrived;
 * each chunk that arrived whole is a blob of its own, listed in `upload_chunks`. A chunk counts
 * only once its blob is complete, and only if the upload still had exactly the bytes before it
 * (`received = start`, checked in the same UPDATE): of two copies of one chunk racing, one counts
 * and the other's blob is removed by its sender.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { HubDatabase, UploadSessionTable } from '../db/schema';

type Db = Kysely<HubDatabase>;

export type UploadSession = UploadSessionTable;

/** Where a chunk's bytes wait until the upload completes. */
export const chunkKey = (uploadId: string, start: number): string => `uploads/${uploadId}/${String(start).padStart(13, '0')}.chunk`;

/** The open upload of these bytes by this person, or a new one (a retry finds the first). */
export async function openUploadSession(
  db: Db,
  input: { studyId: string; sop: string; userId: string; size: number; sha256: string; correction: boolean },
  now: Date,
): Promise<UploadSession> {
  const at = now.toISOString();
  await db
    .insertInto('upload_sessions')
    .values({
      id: randomUUID(),
      study_id: input.studyId,
      sop_instance_uid: input.sop,
      user_id: input.userId,
      size: input.size,
      sha256: input.sha256,
      correction: input.correction ? 1 : 0,
      received: 0,
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) => oc.columns(['study_id', 'sop_instance_uid', 'user_id', 'sha256']).doUpdateSet({ updated_at: at }))
    .execute();
  return (await db
    .selectFrom('upload_sessions')
    .selectAll()
    .where('study_id', '=', input.studyId)
    .where('sop_instance_uid', '=', input.sop)
    .where('user_id', '=', input.userId)
    .where('sha256', '=', input.sha256)
    .executeTakeFirst())!;
}

export async function findUploadSession(db: Db, id: string): Promise<UploadSession | undefined> {
  return db.selectFrom('upload_sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Counts a chunk whose blob is complete; false when the upload no longer had exactly `start` bytes (or is gone). */
export async function addUploadChunk(db: Db, id: string, start: number, size: number, blob: string, now: Date): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const moved = await trx
      .updateTable('upload_sessions')
      .set((eb) => ({ received: eb('received', '+', size), updated_at: now.toISOString() }))
      .where('id', '=', id)
      .where('received', '=', start)
      .where((eb) => eb(eb('received', '+', size), '<=', eb.ref('size')))
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) return false;
    await trx.insertInto('upload_chunks').values({ upload_id: id, start, size, blob }).execute();
    return true;
  });
}

/** The chunks' blobs in order. */
export async function uploadChunks(db: Db, id: string): Promise<{ start: number; size: number; blob: string }[]> {
  return db.selectFrom('upload_chunks').select(['start', 'size', 'blob']).where('upload_id', '=', id).orderBy('start').execute();
}

/** Removes an upload's rows (its chunks' rows go with it); returns the chunks' blobs for the caller to delete. */
export async function closeUploadSession(db: Db, id: string): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const blobs = (await trx.selectFrom('upload_chunks').select('blob').where('upload_id', '=', id).execute()).map((row) => row.blob);
    await trx.deleteFrom('upload_chunks').where('upload_id', '=', id).execute();
    await trx.deleteFrom('upload_sessions').where('id', '=', id).execute();
    return blobs;
  });
}

/** Uploads untouched since `before` (abandoned: the desktop was uninstalled, the file deleted). */
export async function staleUploadSessions(db: Db, before: Date, limit = 500): Promise<string[]> {
  return (await db.selectFrom('upload_sessions').select('id').where('updated_at', '<', before.toISOString()).limit(limit).execute()).map((row) => row.id);
}
