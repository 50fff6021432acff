/**
 * `GET /api/changes` (declared in shared/hub-api/sync.ts): the change feed a desktop pulls by
 * cursor, read by server/sharing/change-feed.ts as the caller may see it now.
 */
import type { FastifyPluginAsync } from 'fastify';
import { changesRoute } from '../../shared/hub-api/sync';
import { viewerFacts } from '../access/access-facts';
import type { HubContext } from '../app';
import { addRoute } from '../http/hub-route';
import { readChanges } from '../sharing/change-feed';

export const changeRoutes =
  ({ db }: HubContext): FastifyPluginAsync =>
  async (app) => {
    addRoute(app, changesRoute, async ({ query }, { actor }) => readChanges(db, await viewerFacts(db, actor), query.after, query.limit));
  };
