/**
 * The page a guest's browser opens at /g/<token>: static HTML, script and style, under a strict
 * CSP and no-referrer (the token is in the address). Everything about the study comes from the
 * guest API after the link is opened, so the page itself leaks nothing.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { pageCsp } from '../http/security-headers';

/** Where the page's files are when running from source; a packaged app passes its own folder. */
export const DEFAULT_GUEST_PAGE_DIR = path.resolve(import.meta.dirname, '../../resources/guest-page');

const ASSETS: Readonly<Record<string, string>> = {
  'guest.js': 'text/javascript; charset=utf-8',
  'guest.css': 'text/css; charset=utf-8',
};

/** The guest page's CSP; the rest of the header policy (no-referrer, nosniff, no-store…) is on every hub answer (shared/security-headers.ts). */
function secure(reply: FastifyReply): FastifyReply {
  return pageCsp(reply, 'guestPage');
}

export const guestPageRoutes = (pageDir: string): FastifyPluginAsync => async (app) => {
  app.get<{ Params: { asset: string } }>('/g/assets/:asset', async (request, reply) => {
    const type = ASSETS[request.params.asset];
    if (type === undefined) return reply.status(404).send({ error: { code: 'not-found', message: 'No such file.' } });
    return secure(reply).header('content-type', type).send(await readFile(path.join(pageDir, request.params.asset)));
  });
  app.get<{ Params: { token: string } }>('/g/:token', async (_request, reply) =>
    secure(reply).header('content-type', 'text/html; charset=utf-8').send(await readFile(path.join(pageDir, 'guest.html'))),
  );
};
