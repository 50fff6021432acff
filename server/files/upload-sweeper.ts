/**
 * What uploads leave behind when they stop halfway: a whole upload cut by a crash leaves a
 * partial blob (`.partial` in a folder, an unfinished multipart upload in S3); a resumable upload
 * the desktop gave up on leaves its session and chunks. Both are swept when the hub starts and
 * every few minutes while it runs (any hub process may: the sweeps only remove what nobody has
 * touched for a long while).
 */
import type { Kysely } from 'kysely';
import type { BlobStore } from '../blobs/blob-store';
import type { HubDatabase } from '../db/schema';
import { closeUploadSession, staleUploadSessions } from './upload-sessions';

/** A partial blob untouched this long is a crash's leftover (one in progress is always being written). */
export const STALE_PARTIAL_MS = 3_600_000;
/** A resumable upload untouched this long is abandoned (the desktop retries far more often). */
export const STALE_UPLOAD_SESSION_MS = 7 * 24 * 3_600_000;
/** How often a running hub sweeps. */
export const SWEEP_INTERVAL_MS = 10 * 60_000;

export interface SweepResult {
  readonly partialBlobs: number;
  readonly uploadSessions: number;
}

export async function sweepUploads(db: Kysely<HubDatabase>, blobs: BlobStore, now: Date): Promise<SweepResult> {
  const partialBlobs = await blobs.sweepPartial(new Date(now.getTime() - STALE_PARTIAL_MS));
  let uploadSessions = 0;
  for (const id of await staleUploadSessions(db, new Date(now.getTime() - STALE_UPLOAD_SESSION_MS))) {
    for (const blob of await closeUploadSession(db, id)) await blobs.delete(blob);
    uploadSessions++;
  }
  return { partialBlobs, uploadSessions };
}
