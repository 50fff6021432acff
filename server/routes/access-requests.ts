/**
 * Access requests (issue 13): routes declared in shared/hub-api/access-requests.ts, SQL in
 * server/access-requests/. Asking needs a session; answering, the study's uploader or its
 * site's admins (checked in the repository).
 */
import type { FastifyPluginAsync } from 'fastify';
import { accessRequestsRoute, decideAccessRequestRoute, requestAccessRoute } from '../../shared/hub-api/access-requests';
import { viewerFacts } from '../access/access-facts';
import { accessRequestsFor, decideAccessRequest, requestAccess } from '../access-requests/access-requests-repository';
import type { HubContext } from '../app';
import { addRoute } from '../http/hub-route';

export const accessRequestRoutes =
  ({ db, now }: HubContext): FastifyPluginAsync =>
  async (app) => {
    addRoute(app, requestAccessRoute, async ({ params, body }, { actor }) => ({ request: await requestAccess(db, actor, await viewerFacts(db, actor), params.id, body.message, now().toISOString()) }));
    addRoute(app, accessRequestsRoute, async (_input, { actor }) => accessRequestsFor(db, actor));
    addRoute(app, decideAccessRequestRoute, async ({ params, body }, { actor }) => ({ request: await decideAccessRequest(db, actor, params.id, body.approve, now().toISOString()) }));
  };
