/**
 * Studies: one study as a person who may see it sees it (server/studies/study-details.ts), every
 * study the caller may see (server/studies/study-list.ts), and the share targets a sharer may
 * pick (server/studies/share-targets.ts). Declared in shared/hub-api/studies.ts.
 */
import type { FastifyPluginAsync } from 'fastify';
import { shareTargetsRoute, studyDetailsRoute, visibleStudiesRoute } from '../../shared/hub-api/studies';
import { ACTION_PERMISSIONS, shareAction } from '../../shared/permissions/visibility';
import { viewerFacts } from '../access/access-facts';
import { studyActionSql } from '../access/visibility-sql';
import type { HubContext } from '../app';
import { requireAccount, requirePermission } from '../auth/sessions';
import { addRoute } from '../http/hub-route';
import { HttpError } from '../http-error';
import { shareTargets } from '../studies/share-targets';
import { studyDetails } from '../studies/study-details';
import { listStudies } from '../studies/study-list';


export const studyRoutes =
  ({ db, now }: HubContext): FastifyPluginAsync =>
  async (app) => {
    addRoute(app, studyDetailsRoute, async ({ params, query }, { actor }) =>
      studyDetails(db, actor, await viewerFacts(db, actor), params.id, { opened: query.view === 'opened', at: now().toISOString() }),
    );

    addRoute(app, visibleStudiesRoute, async ({ query }, { actor }) => listStudies(db, await viewerFacts(db, actor), { kind: 'visible' }, query));

    addRoute(app, shareTargetsRoute, async ({ query }, { actor }) => {
      const { kind, studyId } = query;
      const accountId = requireAccount(actor);
      // Targets listed here are of the caller's own site: the share action is the visibility rules' (rule 10).
      const action = shareAction({ kind: kind === 'user' ? 'person' : kind, accountId }, actor);
      for (const key of ACTION_PERMISSIONS[action]) requirePermission(actor, key);
      if (studyId !== undefined) {
        // The same SQL condition as every list and the share operation itself: a study the
        // caller may not see (or may not share this way) is answered as one that does not exist.
        const viewer = await viewerFacts(db, actor);
        const study = await db.selectFrom('studies').select('id').where('id', '=', studyId).where(studyActionSql(viewer, action, 'studies')).executeTakeFirst();
        if (study === undefined) throw new HttpError(404, 'not-found', 'This study is not on the hub, or you cannot share it this way.');
      }
      return shareTargets(db, actor, accountId, query);
    });
  };
