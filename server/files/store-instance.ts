/**
 * Storing one instance's file on the hub, whoever brings the bytes: a whole upload (one PUT) or
 * a resumable upload's chunks streamed back in order when it completes. The body streams straight
 * into the blob store (server/blobs/) while its SHA-256 is computed and its header is read from
 * the first bytes (server/dicom/dicom-header.ts, parsed on worker threads), so the hub never
 * holds a whole file; the store makes the blob visible only once it is complete and is DICOM,
 * and only then is the row written. A cut body leaves nothing behind.
 *
 * The file must say it is the target (its Study Instance UID the study's, its SOP Instance UID
 * the address's), or it is refused before anything is stored. An instance on the hub is never
 * silently replaced: the same bytes again answer `unchanged` and store nothing; different bytes
 * answer 409 unless sent as a correction, which stores them under a new key, keeps the replaced
 * blob, and records the change on the study's audit trail.
 */
import { randomBytes } from 'node:crypto';
import { pipeline, type Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { seesStudy, studyAccess, type StudyAccess } from '../../shared/permissions/visibility';
import { studyFacts, viewerFacts } from '../access/access-facts';
import type { Actor } from '../auth/sessions';
import type { BlobStore } from '../blobs/blob-store';
import type { HubDatabase } from '../db/schema';
import { DicomHeaderTap, NotDicomError, UploadTooLargeError, type DicomHeader } from '../dicom/dicom-header';
import { HttpError } from '../http-error';
import { serverFault } from '../http/server-faults';
import { claimStudyFile, correctStudyFile, findStudyFile, releaseStudyFile, repointStudyFile, type StudyFileRecord } from './study-files-repository';

/**
 * The most one instance may be: the largest single instances (whole-slide levels, long
 * multi-frame series) stay under it. Checked against the declared length before the body is read
 * and counted as the body streams (a chunked body states no length).
 */
export const MAX_FILE_BYTES = 4 * 1024 ** 3;

/** Where an instance's first file lives in the store. */
export const blobKey = (studyId: string, sopInstanceUid: string): string => `${studyId}/${sopInstanceUid}.dcm`;
/** Where a correction of it lives: a key of its own, so the replaced file is kept. */
const correctionKey = (studyId: string, sopInstanceUid: string): string => `${studyId}/${sopInstanceUid}.${Date.now().toString(36)}-${randomBytes(4).toString('hex')}.dcm`;

export interface StudyRow {
  readonly id: string;
  readonly account_id: string;
  readonly uploader_id: string;
  readonly private: number;
  readonly study_uid: string;
}

export interface StoredInstance {
  readonly size: number;
  readonly sha256: string;
  readonly outcome: 'stored' | 'unchanged' | 'corrected';
}

/** The study, if the caller passes `sees`; 404 with one sentence whether it is missing or hidden. */
async function studyFor(db: Kysely<HubDatabase>, actor: Actor, studyId: string, sees: (access: StudyAccess) => boolean): Promise<{ study: StudyRow; access: StudyAccess }> {
  const study = await db.selectFrom('studies').select(['id', 'account_id', 'uploader_id', 'private', 'study_uid']).where('id', '=', studyId).executeTakeFirst();
  const access = study === undefined ? null : studyAccess(await studyFacts(db, study), await viewerFacts(db, actor));
  if (study === undefined || access === null || !sees(access)) {
    throw new HttpError(404, 'study-not-found', 'This study is not on the hub, or you cannot see it.');
  }
  return { study, access };
}

/** A study the actor may see as it is, with what they may do to it; 404 when there is none or they cannot see it. */
export function visibleStudy(db: Kysely<HubDatabase>, actor: Actor, studyId: string): Promise<{ study: StudyRow; access: StudyAccess }> {
  return studyFor(db, actor, studyId, (access) => access.actions.has('view'));
}

/** A study the actor may see as it is or de-identified (visibility rule 14): the viewer's routes. */
export function seenStudy(db: Kysely<HubDatabase>, actor: Actor, studyId: string): Promise<{ study: StudyRow; access: StudyAccess }> {
  return studyFor(db, actor, studyId, seesStudy);
}

/**
 * A study whose files the actor may write. Writing files is updating the study (visibility rule
 * 9): studies.import on the study's own site, and for a private study its uploader or admins.
 */
export async function writableStudy(db: Kysely<HubDatabase>, actor: Actor, studyId: string): Promise<StudyRow> {
  const { study, access } = await visibleStudy(db, actor, studyId);
  if (study.account_id !== actor.accountId) throw new HttpError(403, 'forbidden', 'Only the site that owns a study can upload its files.');
  if (!access.actions.has('update')) throw new HttpError(403, 'forbidden', 'Your role does not allow changing this study’s files. Ask an administrator of your site.');
  return study;
}

export class FileTooLargeError extends HttpError {
  constructor() {
    super(413, 'file-too-large', `The file is larger than this hub takes (${MAX_FILE_BYTES / 1024 ** 3} GiB); nothing was stored.`);
  }
}

export const CHECKSUM_MISMATCH_CODE = 'checksum-mismatch';

class UploadIncomplete extends Error {}
class ChecksumMismatch extends Error {}
/** The instance has these very bytes already: nothing to store. */
class Unchanged extends Error {}
/** The instance has other bytes already, and this is not a correction. */
class Conflict extends Error {}

/** The file must say it is the instance it is sent as. */
function checkTarget(header: DicomHeader, studyUid: string, sop: string): void {
  if (header.studyUid !== studyUid) {
    throw new HttpError(422, 'instance-mismatch', 'This file belongs to another study (its Study Instance UID is not this study’s); nothing was stored.');
  }
  if (header.sopInstanceUid !== sop) {
    throw new HttpError(422, 'instance-mismatch', 'This file is another instance (its SOP Instance UID is not the one it was sent as); nothing was stored.');
  }
}

/** A header's numbers and words as the database keeps them: whole 32-bit numbers, text without NULs, bounded. */
const whole = (n: number | null): number | null => (n !== null && Number.isSafeInteger(n) && Math.abs(n) <= 2_147_483_647 ? n : null);
const words = (text: string | null, max: number): string | null => text?.replace(/\0/g, '').slice(0, max).trim() || null;

const CONFLICT = new HttpError(
  409,
  'instance-exists',
  'This instance is already on the hub with different contents; nothing was replaced. To replace it, send it again as a correction (recorded on the study’s audit trail).',
);

export interface StoreInstanceInput {
  readonly study: StudyRow;
  readonly actor: Actor;
  readonly sop: string;
  readonly body: Readable;
  /** The size the sender declared (Content-Length or the upload's size), or null when it said none. */
  readonly declaredSize: number | null;
  /** The SHA-256 the sender declared (a resumable upload), checked against what streamed through. */
  readonly declaredSha256?: string;
  readonly correction: boolean;
  /** Whether the sender went away mid-body (a whole upload's request that did not complete). */
  readonly interrupted: () => boolean;
}

export async function storeInstance(
  { db, now, blobs }: { readonly db: Kysely<HubDatabase>; readonly now: () => Date; readonly blobs: BlobStore },
  { study, actor, sop, body: source, declaredSize, declaredSha256, correction, interrupted }: StoreInstanceInput,
): Promise<StoredInstance> {
  if (declaredSize !== null && declaredSize > MAX_FILE_BYTES) throw new FileTooLargeError();
  const existing = await findStudyFile(db, study.id, sop);
  // A row whose blob went missing is repaired by the same bytes.
  const present = existing !== undefined && (await blobs.head(existing.blob)) !== null;
  const key = existing === undefined ? blobKey(study.id, sop) : correction ? correctionKey(study.id, sop) : existing.blob;
  // Where the instance belongs comes from its own header, read as the bytes go by; what is not
  // DICOM, or not this instance, fails the stream, and the store keeps nothing.
  const tap = new DicomHeaderTap({ maxBytes: MAX_FILE_BYTES, check: (header) => checkTarget(header, study.study_uid, sop) });
  const body = pipeline(source, tap, () => undefined);
  const at = now().toISOString();
  const record = (size: number, sha256: string): StudyFileRecord => {
    const placed = tap.header!.image;
    return {
      studyId: study.id,
      sop,
      size,
      sha256,
      blob: key,
      at,
      series_uid: words(placed.seriesUid, 64),
      series_number: whole(placed.seriesNumber),
      series_description: words(placed.seriesDescription, 256),
      modality: words(placed.modality, 16),
      instance_number: whole(placed.instanceNumber),
    };
  };
  let claimed: StudyFileRecord | null = null;
  let facts;
  try {
    facts = await blobs.put(key, body, {
      verify: async ({ size, sha256 }) => {
        if (declaredSize !== null && declaredSize !== size) throw new UploadIncomplete();
        if (declaredSha256 !== undefined && declaredSha256 !== sha256) throw new ChecksumMismatch();
        if (existing !== undefined) {
          if (existing.sha256 === sha256) {
            if (present) throw new Unchanged();
            return; // the same bytes again, where the blob had gone: written again under its key
          }
          if (!correction) throw new Conflict();
          return;
        }
        // A new instance: its row is claimed before the blob becomes visible, so of two uploads
        // racing for it the database decides, and the loser's bytes are never kept.
        const row = record(size, sha256);
        if (await claimStudyFile(db, row)) {
          claimed = row;
          return;
        }
        const winner = await findStudyFile(db, study.id, sop);
        throw winner?.sha256 === sha256 ? new Unchanged() : new Conflict();
      },
    });
  } catch (error) {
    const claim = claimed as StudyFileRecord | null;
    if (claim !== null) await releaseStudyFile(db, claim.studyId, claim.sop, claim.sha256, claim.blob);
    if (error instanceof Unchanged) {
      const stored = (await findStudyFile(db, study.id, sop))!;
      return { size: stored.size, sha256: stored.sha256, outcome: 'unchanged' };
    }
    if (error instanceof Conflict) throw CONFLICT;
    if (error instanceof HttpError) throw error;
    if (error instanceof NotDicomError) throw new HttpError(400, error.code, error.message);
    if (error instanceof UploadTooLargeError) throw new FileTooLargeError();
    if (error instanceof ChecksumMismatch) {
      throw new HttpError(422, CHECKSUM_MISMATCH_CODE, 'The file the hub received is not the file that was sent (its SHA-256 differs); nothing was stored. Send it again.');
    }
    if (error instanceof UploadIncomplete) throw new HttpError(400, 'upload-incomplete', 'The file arrived incomplete; nothing was stored. Send it again.');
    // The hub's own storage failed (full, read-only): that is the answer, whatever became of the body.
    if (serverFault(error) !== null) throw error;
    // The sender went away mid-body: nobody reads this answer, but the reason is logged.
    if (interrupted()) throw new HttpError(400, 'upload-interrupted', 'The upload was interrupted; nothing was stored. Send the file again.');
    throw error;
  }
  const { size, sha256 } = facts;
  if (existing !== undefined && existing.sha256 !== sha256) {
    await correctStudyFile(db, record(size, sha256), { accountId: study.account_id, actorId: actor.userId });
    return { size, sha256, outcome: 'corrected' };
  }
  // The same bytes where the blob had gone: the row points at them again.
  if (existing !== undefined && existing.blob !== key) await repointStudyFile(db, study.id, sop, key);
  return { size, sha256, outcome: existing === undefined ? 'stored' : 'unchanged' };
}
