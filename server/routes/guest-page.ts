/**
 * The page a guest's browser opens at /g/<token>: static HTML and style, and the viewer bundle
 * (the app's own Cornerstone3D viewer with its decoding workers and WebAssembly codecs, built
 * into out/guest-page by scripts/build-guest-viewer.mjs), under a strict CSP and no-referrer (the
 * token is in the address). Everything about the study comes from the guest API after the link
 * is opened, so the page itself leaks nothing.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { pageCsp } from '../http/security-headers';

/** Where the page's files are when running from source; a packaged app passes its own folder. */
export const DEFAULT_GUEST_PAGE_DIR = path.resolve(import.meta.dirname, '../../resources/guest-page');

/**
 * The viewer bundle sits in out/guest-page two folders above the page's folder, wherever that
 * is (the repository, a packaged app's folder; the hub's own bundle in out/hub resolves the page
 * from the repository): one rule, so no caller passes a second folder.
 */
export function guestViewerDir(pageDir: string): string {
  return path.join(pageDir, '..', '..', 'out', 'guest-page');
}

const ASSETS: Readonly<Record<string, string>> = {
  'guest.css': 'text/css; charset=utf-8',
};

const VIEWER_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** A bundle file's name as the build writes it: one optional `assets/` folder, no other path. */
const VIEWER_FILE = /^(assets\/)?[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

/** The guest page's CSP; the rest of the header policy (no-referrer, nosniff, no-store…) is on every hub answer (shared/security-headers.ts). */
function secure(reply: FastifyReply): FastifyReply {
  return pageCsp(reply, 'guestPage');
}

export const guestPageRoutes = (pageDir: string): FastifyPluginAsync => async (app) => {
  const viewerDir = guestViewerDir(pageDir);
  app.get<{ Params: { '*': string } }>('/g/assets/viewer/*', async (request, reply) => {
    const name = request.params['*'];
    const type = VIEWER_TYPES[path.extname(name)];
    const file = path.join(viewerDir, name);
    const found = type !== undefined && VIEWER_FILE.test(name) && !name.includes('..') && (await stat(file).catch(() => null))?.isFile() === true;
    if (!found) return reply.status(404).send({ error: { code: 'not-found', message: 'No such file.' } });
    return secure(reply).header('content-type', type).send(await readFile(file));
  });
  app.get<{ Params: { asset: string } }>('/g/assets/:asset', async (request, reply) => {
    const type = ASSETS[request.params.asset];
    if (type === undefined) return reply.status(404).send({ error: { code: 'not-found', message: 'No such file.' } });
    return secure(reply).header('content-type', type).send(await readFile(path.join(pageDir, request.params.asset)));
  });
  app.get<{ Params: { token: string } }>('/g/:token', async (_request, reply) =>
    secure(reply).header('content-type', 'text/html; charset=utf-8').send(await readFile(path.join(pageDir, 'guest.html'))),
  );
};
