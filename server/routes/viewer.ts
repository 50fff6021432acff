/**
 * The viewer's routes on the hub: a study's instances by series for a desktop that opens a study
 * only the hub has, and each instance's bytes for it. Seeing the study is the whole check: a
 * study the caller may not see answers 404 with the same sentence as one that is not there.
 *
 * Seen de-identified (visibility rule 14, `view-deidentified`): the manifest's UIDs are mapped
 * and its descriptions gone, and the bytes come only from the instance route here, each file
 * through the one de-identification module (server/deidentify/) — the files route refuses them.
 */
import type { FastifyPluginAsync } from 'fastify';
import { viewerInstanceRoute, viewerManifestRoute } from '../../shared/hub-api/viewer';
import type { HubContext } from '../app';
import type { BlobStore } from '../blobs/blob-store';
import { sendStudyFile } from '../files/send-study-file';
import { seenStudy } from '../files/store-instance';
import { findStudyFile } from '../files/study-files-repository';
import { addRoute } from '../http/hub-route';
import { studyManifest } from '../viewer/viewer-manifest';
import { deidentifiedInstance, deidentifiedManifest } from '../viewer/deidentified-viewer';
import { seenDeidentified } from '../deidentify/deidentify';

export const viewerRoutes =
  ({ db, blobs }: HubContext & { readonly blobs: BlobStore }): FastifyPluginAsync =>
  async (app) => {
    addRoute(app, viewerManifestRoute, async ({ params }, { actor }) => {
      const { study, access } = await seenStudy(db, actor, params.studyId);
      const deidentified = seenDeidentified(access);
      const series = await studyManifest(db, study.id);
      return deidentified ? { deidentified, series: await deidentifiedManifest(db, study, series) } : { deidentified, series };
    });

    addRoute(app, viewerInstanceRoute, async ({ params }, { actor }, reply) => {
      const { study, access } = await seenStudy(db, actor, params.studyId);
      if (seenDeidentified(access)) {
        // The de-identification hook: the file read whole, de-identified, sent (never the stored bytes).
        const bytes = await deidentifiedInstance({ db, blobs }, study, params.sop);
        return reply.header('content-type', 'application/dicom').header('content-length', String(bytes.length)).send(bytes);
      }
      return sendStudyFile(reply, blobs, await findStudyFile(db, study.id, params.sop));
    });
  };
