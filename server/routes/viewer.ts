/**
 * The viewer's routes on the hub: a study's instances by series for a desktop that opens a study
 * only the hub has, and each instance's bytes for it. Seeing the study is the whole check: a
 * study the caller may not see answers 404 with the same sentence as one that is not there.
 *
 * Seen de-identified (visibility rule 14, `view-deidentified`): the manifest's UIDs are mapped
 * and its descriptions gone, and the bytes come only from the instance route here, each file
 * through the one de-identification module (server/deidentify/) — the files route refuses them.
 */
import type { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { viewerInstanceRoute, viewerManifestRoute } from '../../shared/hub-api/viewer';
import { seesStudy, studyAccess } from '../../shared/permissions/visibility';
import type { HubContext } from '../app';
import { studyFacts, viewerFacts } from '../access/access-facts';
import { BlobNotFoundError, type BlobStore } from '../blobs/blob-store';
import type { Actor } from '../auth/sessions';
import { addRoute } from '../http/hub-route';
import { HttpError } from '../http-error';
import { studyManifest } from '../viewer/viewer-manifest';
import { deidentifiedInstance, deidentifiedManifest } from '../viewer/deidentified-viewer';
import { seenDeidentified } from '../deidentify/deidentify';

async function seenStudy({ db }: Pick<HubContext, 'db'>, actor: Actor, studyId: string) {
  const study = await db.selectFrom('studies').select(['id', 'account_id', 'uploader_id', 'private', 'study_uid']).where('id', '=', studyId).executeTakeFirst();
  const access = study === undefined ? null : studyAccess(await studyFacts(db, study), await viewerFacts(db, actor));
  if (study === undefined || access === null || !seesStudy(access)) {
    throw new HttpError(404, 'study-not-found', 'This study is not on the hub, or you cannot see it.');
  }
  return { study, deidentified: seenDeidentified(access) };
}

export const viewerRoutes =
  ({ db, blobs }: HubContext & { readonly blobs: BlobStore }): FastifyPluginAsync =>
  async (app) => {
    addRoute(app, viewerManifestRoute, async ({ params }, { actor }) => {
      const { study, deidentified } = await seenStudy({ db }, actor, params.studyId);
      const series = await studyManifest(db, study.id);
      return deidentified ? { deidentified, series: await deidentifiedManifest(db, study, series) } : { deidentified, series };
    });

    addRoute(app, viewerInstanceRoute, async ({ params }, { actor }, reply) => {
      const { study, deidentified } = await seenStudy({ db }, actor, params.studyId);
      if (deidentified) {
        // The de-identification hook: the file read whole, de-identified, sent (never the stored bytes).
        const bytes = await deidentifiedInstance({ db, blobs }, study, params.sop);
        return reply.header('content-type', 'application/dicom').header('content-length', String(bytes.length)).send(bytes);
      }
      const file = await db.selectFrom('study_files').select(['blob', 'size']).where('study_id', '=', study.id).where('sop_instance_uid', '=', params.sop).executeTakeFirst();
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
  };
