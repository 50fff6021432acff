/**
 * The one place a hub request's session is checked: every route under /api needs a signed-in
 * user unless it says `config: { public: true }` (what a hub is, setup, signing in, asking for a
 * password reset). The hook puts the actor on the request; handlers read `request.actor` and
 * check permissions with requirePermission — they never parse a token themselves.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { HubDatabase } from '../db/schema';
import { actorFor, type Actor, type SessionPolicy } from './sessions';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user; set on every non-public /api route before its handler runs. */
    actor: Actor;
  }
  interface FastifyContextConfig {
    /** A route anyone may call, signed in or not. */
    public?: boolean;
  }
}

export function addAuthHook(app: FastifyInstance, db: Kysely<HubDatabase>, now: () => Date, policy: SessionPolicy): void {
  app.decorateRequest('actor', null as unknown as Actor);
  // onRequest: before the body is read or validated, so a caller without a session learns nothing, not even a schema.
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/') || request.routeOptions.config.public === true) return;
    // Unknown /api addresses get their 404 from the not-found handler, which has no route config.
    if (request.routeOptions.url === undefined) return;
    request.actor = await actorFor(db, request.headers.authorization, now(), policy);
  });
}
