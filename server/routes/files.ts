/**
 * A study's DICOM files on the hub: uploaded from a workstation one instance at a time and
 * streamed back on demand. The body streams straight into the blob store (server/blobs/) while
 * its SHA-256 is computed and its header is read from the first bytes (server/dicom/
 * dicom-header.ts), so the hub never holds a whole file; the store makes the blob visible only
 * once it is complete and is DICOM, and only then is the row written. A dropped upload leaves
 * nothing behind. Uploading the same instance again replaces it (same key, same row).
 */
import type { IncomingMessage } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { downloadFileRoute, listFilesRoute, uploadFileRoute } from '../../shared/hub-api/files';
import { studyAccess } from '../../shared/permissions/visibility';
import type { HubContext } from '../app';
import { studyFacts, viewerFacts } from '../access/access-facts';
import type { Actor } from '../auth/sessions';
import { BlobNotFoundError, type BlobStore } from '../blobs/blob-store';
import { folderBlobStore } from '../blobs/folder-blob-store';
import { DicomHeaderTap, NotDicomError } from '../dicom/dicom-header';
import { findStudyFile, listStudyFiles, recordStudyFile } from '../files/study-files-repository';
import { addRoute } from '../http/hub-route';
import { HttpError } from '../http-error';

const MAX_FILE_BYTES = 4 * 1024 ** 3;
/** Unfinished uploads older than this are a crash's leftovers (one in progress is always being written). */
const STALE_UPLOAD_MS = 3_600_000;

/** Where an instance's file lives in the store. */
export const blobKey = (studyId: string, sopInstanceUid: string): string => `${studyId}/${sopInstanceUid}.dcm`;

/** Removes what uploads cut short by a crash left in a blob folder (kept for callers of the folder layout). */
export function removeStaleUploads(blobDir: string, now: Date, olderThanMs = STALE_UPLOAD_MS): Promise<number> {
  return folderBlobStore(blobDir).sweepPartial(new Date(now.getTime() - olderThanMs));
}

class UploadIncomplete extends Error {}

export const fileRoutes =
  ({ db, now, blobs }: HubContext & { readonly blobs: BlobStore }): FastifyPluginAsync =>
  async (app) => {
    await blobs.sweepPartial(new Date(now().getTime() - STALE_UPLOAD_MS)).catch((error: unknown) => {
      app.log.warn({ store: blobs.kind, name: (error as Error).name, reason: (error as Error).message }, 'unfinished uploads could not be swept');
    });
    // The body is handed over as a stream, never buffered whole.
    app.addContentTypeParser(['application/dicom', 'application/octet-stream'], { bodyLimit: MAX_FILE_BYTES }, (_request, payload, done) => done(null, payload));

    async function studyFor(actor: Actor, studyId: string, forUpload: boolean) {
      const study = await db.selectFrom('studies').select(['id', 'account_id', 'uploader_id', 'private']).where('id', '=', studyId).executeTakeFirst();
      if (study === undefined || !studyAccess(await studyFacts(db, study), await viewerFacts(db, actor)).actions.has('view')) {
        throw new HttpError(404, 'study-not-found', 'This study is not on the hub, or you cannot see it.');
      }
      if (forUpload && study.account_id !== actor.accountId) throw new HttpError(403, 'forbidden', 'Only the site that owns a study can upload its files.');
      return study;
    }

    addRoute(app, uploadFileRoute, async ({ params }, request) => {
      const { actor } = request;
      const { studyId, sop } = params;
      const study = await studyFor(actor, studyId, true);
      const key = blobKey(study.id, sop);
      const declared = Number(request.headers['content-length']);
      // Where the instance belongs comes from its own header, read as the bytes go by; what is
      // not DICOM fails the stream, and the store keeps nothing.
      const tap = new DicomHeaderTap();
      const body = pipeline(request.body as Readable, tap, () => undefined);
      let facts;
      try {
        facts = await blobs.put(key, body, {
          verify: ({ size }) => {
            if (Number.isFinite(declared) && declared !== size) throw new UploadIncomplete();
          },
        });
      } catch (error) {
        if (error instanceof NotDicomError) throw new HttpError(400, 'not-dicom', error.message);
        if (error instanceof UploadIncomplete) throw new HttpError(400, 'upload-incomplete', 'The file arrived incomplete; nothing was stored. Send it again.');
        // The client went away mid-body: nobody reads this answer, but the reason is logged.
        if (!(request.raw as IncomingMessage).complete) throw new HttpError(400, 'upload-interrupted', 'The upload was interrupted; nothing was stored. Send the file again.');
        throw error;
      }
      const placed = tap.header!.image;
      const placement = {
        series_uid: placed.seriesUid,
        series_number: placed.seriesNumber,
        series_description: placed.seriesDescription,
        modality: placed.modality,
        instance_number: placed.instanceNumber,
      };
      const { size, sha256 } = facts;
      await recordStudyFile(db, { studyId: study.id, sop, size, sha256, blob: key, at: now().toISOString(), ...placement });
      return { size, sha256 };
    });

    addRoute(app, downloadFileRoute, async ({ params }, { actor }, reply) => {
      const study = await studyFor(actor, params.studyId, false);
      const file = await findStudyFile(db, study.id, params.sop);
      if (file === undefined) throw new HttpError(404, 'file-not-found', 'This instance has not been uploaded to the hub.');
      let stream: Readable;
      try {
        stream = await blobs.get(file.blob);
      } catch (error) {
        if (error instanceof BlobNotFoundError) throw new HttpError(404, 'file-missing', 'This instance was uploaded, but its file is missing from the hub’s storage. Upload it again.');
        throw error;
      }
      return reply.header('content-type', 'application/dicom').header('content-length', String(file.size)).send(stream);
    });

    addRoute(app, listFilesRoute, async ({ params }, { actor }) => {
      const study = await studyFor(actor, params.studyId, false);
      return { files: await listStudyFiles(db, study.id) };
    });
  };
