/**
 * Connection requests of external users (issue 14, part 3): routes declared in
 * shared/hub-api/connections.ts, SQL in server/connections/ and server/sites/. Asking needs a
 * session of someone outside any site; the site side needs admin.connections and only ever
 * reaches the caller's own site.
 */
import type { FastifyPluginAsync } from 'fastify';
import {
  assignConnectionRoute,
  connectionPhysiciansRoute,
  connectionSettingsRoute,
  declineConnectionRoute,
  myConnectionsRoute,
  regenerateConnectionCodeRoute,
  requestConnectionRoute,
  setConnectionRoleRoute,
  setConnectionSettingsRoute,
  siteConnectionsRoute,
} from '../../shared/hub-api/connections';
import type { HubContext } from '../app';
import { requireAccount, requirePermission, type Actor } from '../auth/sessions';
import { assignPhysicians, declineConnection, myConnections, requestConnection, searchSitePhysicians, setConnectionRole, siteConnections } from '../connections/connections-repository';
import { addRoute } from '../http/hub-route';
import { connectionSettings, regenerateConnectionCode, setConnectionSettings } from '../sites/sites-repository';

/** The caller's site, when their role manages connections; a 403 before anything is looked up. */
const managedSite = (actor: Actor): string => {
  requirePermission(actor, 'admin.connections');
  return requireAccount(actor);
};

export const connectionRoutes =
  ({ db, now, flushMail }: HubContext): FastifyPluginAsync =>
  async (app) => {
    addRoute(app, requestConnectionRoute, async ({ body }, { actor }) => ({ connection: await requestConnection(db, actor, body, now().toISOString()) }));
    addRoute(app, myConnectionsRoute, async (_input, { actor }) => ({ connections: await myConnections(db, actor.userId) }));
    addRoute(app, siteConnectionsRoute, async (_input, { actor }) => siteConnections(db, managedSite(actor)));
    addRoute(app, assignConnectionRoute, async ({ params, body }, { actor }) => {
      const connection = await assignPhysicians(db, actor, managedSite(actor), params.id, body.physicianIds, now().toISOString());
      void flushMail();
      return { connection };
    });
    addRoute(app, setConnectionRoleRoute, async ({ params, body }, { actor }) => ({ connection: await setConnectionRole(db, actor, managedSite(actor), params.id, body.roleId, now().toISOString()) }));
    addRoute(app, declineConnectionRoute, async ({ params }, { actor }) => {
      const connection = await declineConnection(db, actor, managedSite(actor), params.id, now().toISOString());
      void flushMail();
      return { connection };
    });
    addRoute(app, connectionPhysiciansRoute, async ({ query }, { actor }) => ({ physicians: await searchSitePhysicians(db, managedSite(actor), query.q) }));
    addRoute(app, connectionSettingsRoute, async (_input, { actor }) => connectionSettings(db, managedSite(actor)));
    addRoute(app, setConnectionSettingsRoute, async ({ body }, { actor }) =>
      setConnectionSettings(db, { accountId: managedSite(actor), acceptsConnections: body.acceptsConnections, actorId: actor.userId, at: now() }),
    );
    addRoute(app, regenerateConnectionCodeRoute, async (_input, { actor }) => regenerateConnectionCode(db, managedSite(actor)));
  };
