/**
 * The hub's routes for a study's DICOM files: upload one (the body is the file itself, streamed,
 * not JSON), download one, list what is there. Declared once (see route.ts).
 */
import { z } from 'zod';
import { hubRoute } from './route';

const studyId = z.string().uuid();
const sop = z.string().regex(/^[0-9]+(\.[0-9]+)*$/, 'a DICOM UID').max(64);

/**
 * Uploading is idempotent: the same bytes again (a retry after a cut connection) answer as the
 * first time did, `unchanged`. Different bytes for an instance already on the hub are refused
 * (409 `instance-exists`) unless sent as a correction (`?correction=true`), which replaces the
 * file and is recorded on the study's audit trail.
 */
export const uploadFileRoute = hubRoute({
  method: 'PUT',
  path: '/api/studies/:studyId/files/:sop',
  summary:
    'Uploads one instance of a study the caller’s site owns, with studies.import (body: the DICOM file, application/dicom, streamed); its Study and SOP Instance UIDs must be the target’s; it is placed from its own header and stored only once complete. The same bytes again answer `unchanged`; different bytes for a stored instance need `correction=true` (audited).',
  status: 201,
  params: z.object({ studyId, sop }).strict(),
  query: z.object({ correction: z.enum(['true', 'false']).optional() }).strict(),
  response: z.object({ size: z.number().int(), sha256: z.string(), outcome: z.enum(['stored', 'unchanged', 'corrected']) }),
});

export const downloadFileRoute = hubRoute({
  method: 'GET',
  path: '/api/studies/:studyId/files/:sop',
  summary: 'Downloads one instance (application/dicom) of a study the caller may see.',
  params: z.object({ studyId, sop }).strict(),
});

export const listFilesRoute = hubRoute({
  method: 'GET',
  path: '/api/studies/:studyId/files',
  summary: 'The instances of a study the caller may see that are on the hub, with size and SHA-256.',
  params: z.object({ studyId }).strict(),
  response: z.object({ files: z.array(z.object({ sopInstanceUid: z.string(), size: z.number().int(), sha256: z.string() })) }),
});

/**
 * Resumable uploads, for files too large to send in one request over a slow or breaking link
 * (mammography, tomosynthesis, enhanced multi-frame: 50–500 MB). The desktop opens an upload with
 * the file's size and SHA-256, sends it in chunks at the offset the hub says it has, and asks
 * the hub to complete it; the hub then streams the chunks through the same checks as a whole
 * upload and keeps the file only if its SHA-256 (computed as it streams) is the one declared.
 * Opening an upload for the same instance and bytes again returns the one already open, with how
 * much of it the hub has: a connection cut mid-chunk costs at most that chunk.
 */
const uploadId = z.string().uuid();
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex SHA-256');
/** The most one chunk may be (the desktop sends 2 MiB). */
export const MAX_UPLOAD_CHUNK_BYTES = 64 * 1024 * 1024;
const stored = z.object({ size: z.number().int(), sha256: z.string(), outcome: z.enum(['stored', 'unchanged', 'corrected']) });

export const openUploadRoute = hubRoute({
  method: 'POST',
  path: '/api/studies/:studyId/files/:sop/uploads',
  summary:
    'Opens (or finds again) a resumable upload of one instance, with the same rights as a whole upload; answers how many bytes the hub already has. If the instance is already stored with these bytes, answers `done` instead.',
  status: 201,
  params: z.object({ studyId, sop }).strict(),
  body: z.object({ size: z.number().int().positive().max(4 * 1024 ** 3), sha256, correction: z.boolean().optional() }).strict(),
  response: z.object({ uploadId: uploadId.nullable(), received: z.number().int(), done: stored.nullable() }),
});

export const uploadChunkRoute = hubRoute({
  method: 'PUT',
  path: '/api/uploads/:uploadId/chunks/:offset',
  summary:
    'Adds the next chunk of an open upload (body: the bytes, application/octet-stream, streamed) at `offset`, which must be how many bytes the hub has (else 409 `upload-offset` with that number). Only the person who opened the upload may add to it.',
  params: z.object({ uploadId, offset: z.coerce.number().int().min(0) }).strict(),
  response: z.object({ received: z.number().int() }),
});

export const uploadStateRoute = hubRoute({
  method: 'GET',
  path: '/api/uploads/:uploadId',
  summary: 'How many bytes of an open upload the hub has (its opener only).',
  params: z.object({ uploadId }).strict(),
  response: z.object({ received: z.number().int(), size: z.number().int() }),
});

export const completeUploadRoute = hubRoute({
  method: 'POST',
  path: '/api/uploads/:uploadId/complete',
  summary:
    'Completes an upload whose every byte has arrived: the file is checked as a whole upload is, and kept only if its SHA-256 is the one declared (else 422 `checksum-mismatch`, and the upload is discarded so it can be sent again).',
  params: z.object({ uploadId }).strict(),
  response: stored,
});

export const discardUploadRoute = hubRoute({
  method: 'DELETE',
  path: '/api/uploads/:uploadId',
  summary: 'Discards an open upload and what it received (its opener only).',
  params: z.object({ uploadId }).strict(),
  status: 204,
});
