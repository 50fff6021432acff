/**
 * The hub's routes for a study's DICOM files: upload one (the body is the file itself, streamed,
 * not JSON), download one, list what is there. Declared once (see route.ts).
 */
import { z } from 'zod';
import { hubRoute } from './route';

const studyId = z.string().uuid();
const sop = z.string().regex(/^[0-9]+(\.[0-9]+)*$/, 'a DICOM UID').max(64);

export const uploadFileRoute = hubRoute({
  method: 'PUT',
  path: '/api/studies/:studyId/files/:sop',
  summary: 'Uploads one instance of a study the caller’s site owns (body: the DICOM file, application/dicom, streamed); it is placed from its own header and stored only once complete.',
  status: 201,
  params: z.object({ studyId, sop }).strict(),
  response: z.object({ size: z.number().int(), sha256: z.string() }),
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
