/**
 * Resumable uploads (the protocol is described with its routes in shared/hub-api/files.ts): each
 * chunk streams into a blob of its own and counts once whole; completing streams the chunks in
 * order through store-instance.ts — the same header, target, size and conflict checks as a whole
 * upload, plus the declared SHA-256 — then removes them. Only the person who opened an upload
 * may add to, complete or discard it, and completing checks their right to the study again (a
 * role changed in between counts).
 */
import { PassThrough, type Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { completeUploadRoute, discardUploadRoute, MAX_UPLOAD_CHUNK_BYTES, openUploadRoute, uploadChunkRoute, uploadStateRoute } from '../../shared/hub-api/files';
import type { HubContext } from '../app';
import type { Actor } from '../auth/sessions';
import type { BlobStore } from '../blobs/blob-store';
import { storeInstance, writableStudy } from '../files/store-instance';
import { findStudyFile } from '../files/study-files-repository';
import { addUploadChunk, chunkKey, closeUploadSession, findUploadSession, openUploadSession, uploadChunks, type UploadSession } from '../files/upload-sessions';
import { addRoute } from '../http/hub-route';
import { HttpError } from '../http-error';

const NO_UPLOAD = new HttpError(404, 'upload-not-found', 'This upload is not open on the hub (it was completed, discarded, or abandoned for too long). Start it again.');

/** The chunks' blobs one after another, as one stream (each opened only when the one before has ended). */
function chunksInOrder(blobs: BlobStore, keys: readonly string[]): Readable {
  const out = new PassThrough();
  void (async () => {
    for (const key of keys) {
      if (out.destroyed) return;
      const part = await blobs.get(key);
      // The reader stopped (store-instance refused the file): stop reading the blob too.
      const stop = () => part.destroy();
      out.once('close', stop);
      try {
        for await (const chunk of part) {
          // Waits for room, or for the reader to go (then no 'drain' ever comes).
          if (!out.write(chunk)) {
            await new Promise((resolve) => {
              out.once('drain', resolve);
              out.once('close', resolve);
            });
          }
          if (out.destroyed) return;
        }
      } finally {
        out.off('close', stop);
      }
    }
    out.end();
  })().catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
  return out;
}

export const resumableUploadRoutes =
  ({ db, now, blobs }: HubContext & { readonly blobs: BlobStore }): FastifyPluginAsync =>
  async (app) => {
    // Chunks stream into the store, never buffered whole; bounded per chunk.
    app.addContentTypeParser('application/octet-stream', { bodyLimit: MAX_UPLOAD_CHUNK_BYTES }, (_request, payload, done) => done(null, payload));

    async function ownUpload(actor: Actor, id: string): Promise<UploadSession> {
      const upload = await findUploadSession(db, id);
      if (upload === undefined || upload.user_id !== actor.userId) throw NO_UPLOAD;
      return upload;
    }

    addRoute(app, openUploadRoute, async ({ params, body }, { actor }) => {
      const study = await writableStudy(db, actor, params.studyId);
      // The very bytes already stored: nothing to send.
      const existing = await findStudyFile(db, study.id, params.sop);
      if (existing !== undefined && existing.sha256 === body.sha256 && (await blobs.head(existing.blob)) !== null) {
        return { uploadId: null, received: existing.size, done: { size: existing.size, sha256: existing.sha256, outcome: 'unchanged' as const } };
      }
      const upload = await openUploadSession(
        db,
        { studyId: study.id, sop: params.sop, userId: actor.userId, size: body.size, sha256: body.sha256, correction: body.correction === true },
        now(),
      );
      if (upload.size !== body.size) throw new HttpError(409, 'upload-size', 'An upload of these bytes is open with another size. Discard it and start again.');
      return { uploadId: upload.id, received: upload.received, done: null };
    });

    addRoute(app, uploadStateRoute, async ({ params }, { actor }) => {
      const upload = await ownUpload(actor, params.uploadId);
      return { received: upload.received, size: upload.size };
    });

    addRoute(app, uploadChunkRoute, async ({ params }, request) => {
      const upload = await ownUpload(request.actor, params.uploadId);
      const { offset } = params;
      if (offset !== upload.received) {
        throw new HttpError(409, 'upload-offset', `The hub has ${upload.received} bytes of this upload; send from there.`);
      }
      const declared = Number(request.headers['content-length']);
      if (!Number.isFinite(declared) || declared <= 0) throw new HttpError(411, 'length-required', 'A chunk must say its length (Content-Length).');
      if (offset + declared > upload.size) throw new HttpError(400, 'upload-overflow', 'This chunk goes past the size the upload was opened with.');
      const key = chunkKey(upload.id, offset);
      try {
        await blobs.put(key, request.body as Readable, {
          verify: ({ size }) => {
            if (size !== declared) throw new HttpError(400, 'upload-interrupted', 'The chunk arrived incomplete; the hub keeps what it had before it. Send it again.');
          },
        });
      } catch (error) {
        if (error instanceof HttpError) throw error;
        if (!request.raw.complete) throw new HttpError(400, 'upload-interrupted', 'The chunk was interrupted; the hub keeps what it had before it. Send it again.');
        throw error;
      }
      if (!(await addUploadChunk(db, upload.id, offset, declared, key, now()))) {
        // Another copy of this chunk counted first (or the upload went): this one is not needed.
        await blobs.delete(key).catch(() => undefined);
        const current = await findUploadSession(db, upload.id);
        if (current === undefined) throw NO_UPLOAD;
        throw new HttpError(409, 'upload-offset', `The hub has ${current.received} bytes of this upload; send from there.`);
      }
      return { received: offset + declared };
    });

    addRoute(app, completeUploadRoute, async ({ params }, request) => {
      const upload = await ownUpload(request.actor, params.uploadId);
      if (upload.received !== upload.size) {
        throw new HttpError(409, 'upload-offset', `The hub has ${upload.received} of ${upload.size} bytes of this upload; send the rest first.`);
      }
      const study = await writableStudy(db, request.actor, upload.study_id);
      const chunks = await uploadChunks(db, upload.id);
      try {
        const stored = await storeInstance(
          { db, now, blobs },
          {
            study,
            actor: request.actor,
            sop: upload.sop_instance_uid,
            body: chunksInOrder(
              blobs,
              chunks.map((chunk) => chunk.blob),
            ),
            declaredSize: upload.size,
            declaredSha256: upload.sha256,
            correction: upload.correction === 1,
            interrupted: () => false,
          },
        );
        await discard(upload.id);
        return stored;
      } catch (error) {
        // A file the hub refuses as a whole (not DICOM, another instance, other bytes than
        // declared) will not become right by completing again: the upload goes, the answer says why.
        if (error instanceof HttpError && error.status < 500) await discard(upload.id);
        throw error;
      }
    });

    addRoute(app, discardUploadRoute, async ({ params }, { actor }) => {
      await ownUpload(actor, params.uploadId);
      await discard(params.uploadId);
    });

    async function discard(id: string): Promise<void> {
      for (const blob of await closeUploadSession(db, id)) await blobs.delete(blob).catch(() => undefined);
    }
  };
