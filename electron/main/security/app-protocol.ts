/**
 * Serves the built renderer from `app://studyshare/` instead of file://, so the page has a real
 * origin, a CSP that means something, and no way to read other files on disk.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Protocol } from 'electron';
import { APP_SCHEME } from './window-options';

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** Resolves a request path inside `root`, or null when it would escape it. */
export function resolveInside(root: string, requestPath: string): string | null {
  const decoded = decodeURIComponent(requestPath);
  const target = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  return target === root || target.startsWith(root + path.sep) ? target : null;
}

/**
 * `viewerData`: the viewer's byte server (electron/main/viewer), looked up per request because
 * the app is created after the protocol is registered; `/viewer-data/…` goes to it.
 */
export function registerAppProtocol(protocol: Protocol, rendererRoot: string, viewerData: () => ((pathAfterPrefix: string) => Promise<{ status: number; body?: Uint8Array; code?: string; message?: string }>) | null = () => null): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.pathname.startsWith('/viewer-data/')) {
      const server = viewerData();
      const answer = server === null ? { status: 404, code: 'not-found', message: 'No viewer here.' } : await server(url.pathname.slice('/viewer-data/'.length));
      if (answer.status === 200 && answer.body !== undefined) {
        return new Response(answer.body as Uint8Array<ArrayBuffer>, { headers: { 'content-type': 'application/dicom', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' } });
      }
      return new Response(JSON.stringify({ error: { code: answer.code, message: answer.message } }), { status: answer.status, headers: { 'content-type': 'application/json' } });
    }
    const file = resolveInside(rendererRoot, url.pathname === '/' ? '/index.html' : url.pathname);
    if (file === null) return new Response('Not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, {
        headers: { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'x-content-type-options': 'nosniff' },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}
