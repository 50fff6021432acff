/**
 * `GET /api/hub`: what this hub is, for anyone (no sign-in): a desktop checks an address with it
 * and shows the hub's name and sites before it asks for a password. It says nothing a stranger
 * should not know: site names only where the operator allows listing them.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import { HUB_API_VERSION, HUB_SERVICE, MIN_CLIENT_API_VERSION, type HubInfo } from '../../shared/hub-info';
import type { HubContext } from '../app';
import type { HubDatabase } from '../db/schema';
import { addRoute } from '../http/hub-route';
import { hubInfoRoute, openApiRoute } from '../../shared/hub-api/hub';

/** The hub's software version (the package's). */
export const HUB_VERSION = '0.1.0';

export async function hubInfo(db: Kysely<HubDatabase>, context: Pick<HubContext, 'name' | 'listSites' | 'publicUrl'>): Promise<HubInfo> {
  const sites = await db.selectFrom('accounts').select('name').orderBy('name').limit(context.listSites ? 200 : 1).execute();
  return {
    service: HUB_SERVICE,
    name: context.name,
    version: HUB_VERSION,
    apiVersion: HUB_API_VERSION,
    minClientApiVersion: MIN_CLIENT_API_VERSION,
    sites: context.listSites ? sites.map((site) => site.name) : null,
    needsSetup: sites.length === 0,
    publicUrl: context.publicUrl,
  };
}

export const hubInfoRoutes =
  (context: HubContext): FastifyPluginAsync =>
  async (app) => {
    addRoute(app, hubInfoRoute, async (_input, _request, reply) => {
      reply.header('cache-control', 'no-store');
      return hubInfo(context.db, context);
    });
    addRoute(app, openApiRoute, () => app.swagger() as unknown as Record<string, unknown>);
  };
