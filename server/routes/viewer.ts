/**
 * The viewer's routes on the hub: a study's instances by series for a desktop that opens a study
 * only the hub has. Seeing the study (visibility's `view`) is the whole check, as for downloading
 * its files: a study the caller may not see answers 404 with the same sentence as one that is not
 * there. The bytes themselves come from the files route, instance by instance.
 */
import type { FastifyPluginAsync } from 'fastify';
import { viewerManifestRoute } from '../../shared/hub-api/viewer';
import { studyAccess } from '../../shared/permissions/visibility';
import type { HubContext } from '../app';
import { studyFacts, viewerFacts } from '../access/access-facts';
import { addRoute } from '../http/hub-route';
import { HttpError } from '../http-error';
import { studyManifest } from '../viewer/viewer-manifest';

export const viewerRoutes =
  ({ db }: HubContext): FastifyPluginAsync =>
  async (app) => {
    addRoute(app, viewerManifestRoute, async ({ params }, { actor }) => {
      const study = await db.selectFrom('studies').select(['id', 'account_id', 'uploader_id', 'private', 'study_uid']).where('id', '=', params.studyId).executeTakeFirst();
      const access = study === undefined ? null : studyAccess(await studyFacts(db, study), await viewerFacts(db, actor));
      if (study === undefined || access === null || !access.actions.has('view')) {
        throw new HttpError(404, 'study-not-found', 'This study is not on the hub, or you cannot see it.');
      }
      return { series: await studyManifest(db, study.id) };
    });
  };
