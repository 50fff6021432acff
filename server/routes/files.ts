/**
 * A study's DICOM files on the hub: uploaded from a workstation one instance at a time (whole,
 * in one request, here; or resumably in chunks, resumable-uploads.ts) and streamed back on
 * demand. How a file is checked and stored is server/files/store-instance.ts, for both.
 *
 * The same bytes again (the desktop retries a cut upload) answer `unchanged` and store nothing;
 * different bytes answer 409 unless sent as a correction (`?correction=true`), which is recorded
 * on the study's audit trail.
 */
import type { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { downloadFileRoute, listFilesRoute, uploadFileRoute } from '../../shared/hub-api/files';
import type { HubContext } from '../app';
import type { BlobStore } from '../blobs/blob-store';
import { folderBlobStore } from '../blobs/folder-blob-store';
import { MAX_FILE_BYTES, storeInstance, visibleStudy, writableStudy } from '../files/store-instance';
import { STALE_PARTIAL_MS } from '../files/upload-sweeper';
import { sendStudyFile } from '../files/send-study-file';
import { findStudyFile, listStudyFiles } from '../files/study-files-repository';
import { addRoute } from '../http/hub-route';

/** Removes what uploads cut short by a crash left in a blob folder (kept for callers of the folder layout). */
export function removeStaleUploads(blobDir: string, now: Date, olderThanMs = STALE_PARTIAL_MS): Promise<number> {
  return folderBlobStore(blobDir).sweepPartial(new Date(now.getTime() - olderThanMs));
}

export const fileRoutes =
  ({ db, now, blobs }: HubContext & { readonly blobs: BlobStore }): FastifyPluginAsync =>
  async (app) => {
    // The body is handed over as a stream, never buffered whole.
    app.addContentTypeParser(['application/dicom', 'application/octet-stream'], { bodyLimit: MAX_FILE_BYTES }, (_request, payload, done) => done(null, payload));

    addRoute(app, uploadFileRoute, async ({ params, query }, request) => {
      const study = await writableStudy(db, request.actor, params.studyId);
      const declared = Number(request.headers['content-length']);
      return storeInstance(
        { db, now, blobs },
        {
          study,
          actor: request.actor,
          sop: params.sop,
          body: request.body as Readable,
          declaredSize: Number.isFinite(declared) ? declared : null,
          correction: query.correction === 'true',
          interrupted: () => !request.raw.complete,
        },
      );
    });

    addRoute(app, downloadFileRoute, async ({ params }, { actor }, reply) => {
      const { study } = await visibleStudy(db, actor, params.studyId);
      return sendStudyFile(reply, blobs, await findStudyFile(db, study.id, params.sop));
    });

    addRoute(app, listFilesRoute, async ({ params }, { actor }) => {
      const { study } = await visibleStudy(db, actor, params.studyId);
      return { files: await listStudyFiles(db, study.id) };
    });
  };
