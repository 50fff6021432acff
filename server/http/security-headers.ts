/**
 * The hub's side of the one header policy (shared/security-headers.ts): @fastify/helmet on every
 * answer with the API's CSP, the two headers helmet does not make (no-store, noindex), and
 * `pageCsp` for the routes that serve a page (the hub's forms, the guest page) to put their own
 * CSP in place of the API's.
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { CSP, cspValue, HSTS_MAX_AGE_SECONDS, SECURITY_HEADERS, type CspKind } from '../../shared/security-headers';

export function addSecurityHeaders(app: FastifyInstance): void {
  app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: Object.fromEntries(Object.entries(CSP.api).map(([name, values]) => [name, [...values]])) },
    // Off: it would stop the guest page's own images if they ever came from elsewhere, and
    // nothing here needs cross-origin isolation.
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    originAgentCluster: true,
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: { maxAge: HSTS_MAX_AGE_SECONDS, includeSubDomains: false },
    xContentTypeOptions: true,
    xDnsPrefetchControl: { allow: false },
    xDownloadOptions: true,
    xFrameOptions: { action: 'deny' },
    xPermittedCrossDomainPolicies: { permittedPolicies: 'none' },
    xXssProtection: true,
  });
  app.addHook('onRequest', async (_request, reply) => {
    // Before the handler: a route that has reason to (none today) may still say otherwise.
    reply.header('cache-control', SECURITY_HEADERS['cache-control']).header('x-robots-tag', SECURITY_HEADERS['x-robots-tag']);
  });
}

/** Puts a page's CSP (shared/security-headers.ts) on the answer in place of the API's. */
export function pageCsp(reply: FastifyReply, kind: CspKind): FastifyReply {
  return reply.header('content-security-policy', cspValue(CSP[kind]));
}
