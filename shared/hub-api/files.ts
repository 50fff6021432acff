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
