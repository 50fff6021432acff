/**
 * A study's DICOM files on the hub: uploaded from a workstation one instance at a time (the
 * body streams to a temporary file, then is renamed into place, so a dropped upload leaves
 * nothing behind) and streamed back on demand. Uploading the same instance again is harmless.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyPluginAsync } from 'fastify';
import { studyAccess } from '../../shared/permissions/visibility';
import type { HubContext } from '../app';
import { studyFacts, viewerFacts } from '../access/access-facts';
import type { Actor } from '../auth/sessions';
import { readDicomImage } from '../dicom/dicom-image';
import { HttpError } from '../http-error';

const UID = /^[0-9]+(\.[0-9]+)*$/;
const MAX_FILE_BYTES = 4 * 1024 ** 3;

/**
 * Removes what uploads cut short by a crash left behind: `.partial` files untouched for an hour
 * (an upload in progress writes continuously, so its file is always fresh).
 */
export async function removeStaleUploads(blobDir: string, now: Date, olderThanMs = 3_600_000): Promise<number> {
  let removed = 0;
  let entries: string[];
  try {
    entries = await readdir(blobDir, { recursive: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!entry.endsWith('.partial')) continue;
    const full = path.join(blobDir, entry);
    const info = await stat(full).catch(() => null);
    if (info !== null && now.getTime() - info.mtimeMs > olderThanMs) {
      await rm(full, { force: true });
      removed++;
    }
  }
  return removed;
}

export const fileRoutes =
  ({ db, now, blobDir }: HubContext & { readonly blobDir: string }): FastifyPluginAsync =>
  async (app) => {
    await removeStaleUploads(blobDir, now());
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

    app.put<{ Params: { studyId: string; sop: string } }>('/studies/:studyId/files/:sop', async (request, reply) => {
      const { actor } = request;
      const { studyId, sop } = request.params;
      if (!UID.test(sop) || sop.length > 64) throw new HttpError(400, 'invalid-input', 'The SOP Instance UID is not a valid UID.');
      const study = await studyFor(actor, studyId, true);
      const folder = path.join(blobDir, study.id);
      await mkdir(folder, { recursive: true });
      const target = path.join(folder, `${sop}.dcm`);
      const partial = `${target}.${process.pid}.${Date.now()}.partial`;
      const hash = createHash('sha256');
      let size = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          size += chunk.length;
          hash.update(chunk);
          callback(null, chunk);
        },
      });
      try {
        await pipeline(request.body as Readable, counter, createWriteStream(partial));
      } catch {
        await rm(partial, { force: true });
        throw new HttpError(400, 'upload-interrupted', 'The upload was interrupted; nothing was stored. Send the file again.');
      }
      const declared = Number(request.headers['content-length']);
      if (Number.isFinite(declared) && declared !== size) {
        await rm(partial, { force: true });
        throw new HttpError(400, 'upload-incomplete', 'The file arrived incomplete; nothing was stored. Send it again.');
      }
      // Where the instance belongs comes from its own header; what is not DICOM is not kept.
      let placed;
      try {
        placed = readDicomImage(await readFile(partial), false).image;
      } catch {
        await rm(partial, { force: true });
        throw new HttpError(400, 'not-dicom', 'The uploaded file is not a readable DICOM file; nothing was stored.');
      }
      await rename(partial, target);
      const sha256 = hash.digest('hex');
      const placement = {
        series_uid: placed.seriesUid,
        series_number: placed.seriesNumber,
        series_description: placed.seriesDescription,
        modality: placed.modality,
        instance_number: placed.instanceNumber,
      };
      await db
        .insertInto('study_files')
        .values({ study_id: study.id, sop_instance_uid: sop, size, sha256, blob: path.relative(blobDir, target), uploaded_at: now().toISOString(), ...placement })
        .onConflict((oc) => oc.columns(['study_id', 'sop_instance_uid']).doUpdateSet({ size, sha256, uploaded_at: now().toISOString(), ...placement }))
        .execute();
      return reply.status(201).send({ size, sha256 });
    });

    app.get<{ Params: { studyId: string; sop: string } }>('/studies/:studyId/files/:sop', async (request, reply) => {
      const { actor } = request;
      const study = await studyFor(actor, request.params.studyId, false);
      const file = await db.selectFrom('study_files').selectAll().where('study_id', '=', study.id).where('sop_instance_uid', '=', request.params.sop).executeTakeFirst();
      if (file === undefined) throw new HttpError(404, 'file-not-found', 'This instance has not been uploaded to the hub.');
      const full = path.join(blobDir, file.blob);
      await stat(full);
      return reply.header('content-type', 'application/dicom').header('content-length', String(file.size)).send(createReadStream(full));
    });

    app.get<{ Params: { studyId: string } }>('/studies/:studyId/files', async (request) => {
      const { actor } = request;
      const study = await studyFor(actor, request.params.studyId, false);
      const files = await db.selectFrom('study_files').select(['sop_instance_uid as sopInstanceUid', 'size', 'sha256']).where('study_id', '=', study.id).execute();
      return { files };
    });
  };
