/**
 * The browser transport: the same contract as IPC, over HTTP on 127.0.0.1 only, with a random
 * per-launch token, events over Server-Sent Events, and the built renderer as static files.
 *
 * Defences, because any web page the user visits can send requests to loopback: the token
 * (never in a cookie, so no cross-site request carries it), a Host check against DNS rebinding,
 * an Origin check on calls, and a body size limit.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { isEventName } from '../../../shared/contract';
import { securityHeaders, type CspKind } from '../../../shared/security-headers';
import { dispatch, type Handlers, type Logger } from '../api/dispatch';
import type { EventBus } from '../api/event-bus';
import { resolveInside } from '../security/app-protocol';
import { VIEWER_DATA_PREFIX } from '../../../shared/viewer/viewer-types';
import { VIEWER_DATA_TYPE, viewerDataFor } from '../viewer/viewer-data';

export interface LoopbackOptions {
  readonly handlers: Handlers;
  readonly bus: EventBus;
  /** The built renderer (out/renderer). */
  readonly rendererDir: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly log?: Logger;
}

export interface LoopbackServer {
  /** The address to open, token included (in the fragment, which browsers never send). */
  readonly url: string;
  readonly origin: string;
  readonly token: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};
/**
 * Every answer carries the one header policy the hub also uses (shared/security-headers.ts):
 * the app page's CSP on HTML, the API's on everything else; `extra` may only loosen caching of
 * the app's own static files, which hold no patient data.
 */
function send(response: ServerResponse, status: number, body: string | Buffer, contentType: string, kind: CspKind = 'api', extra: Record<string, string> = {}): void {
  response.writeHead(status, { ...securityHeaders(kind), 'content-type': contentType, ...extra });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, JSON.stringify(value), 'application/json; charset=utf-8');
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export async function startLoopbackServer(options: LoopbackOptions): Promise<LoopbackServer> {
  const token = randomBytes(32).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const log = options.log ?? (() => {});
  const streams = new Set<ServerResponse>();
  let port = 0;

  const tokenMatches = (candidate: string | null | undefined): boolean => {
    if (typeof candidate !== 'string') return false;
    const bytes = Buffer.from(candidate);
    return bytes.length === tokenBytes.length && timingSafeEqual(bytes, tokenBytes);
  };
  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  async function serveStatic(response: ServerResponse, pathname: string): Promise<void> {
    const file = resolveInside(options.rendererDir, pathname === '/' ? '/index.html' : pathname);
    if (file === null) return send(response, 404, 'Not found', 'text/plain; charset=utf-8');
    try {
      const body = await readFile(file);
      const type = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
      // Scripts carry the app page's policy too: a worker (the viewer's decoders) runs under its own script's CSP.
      if (type.startsWith('text/html')) send(response, 200, body, type, 'appPage');
      else if (type.startsWith('text/javascript')) send(response, 200, body, type, 'appPage', { 'cache-control': 'max-age=3600' });
      // The built scripts and styles: no patient data, so a browser may keep them for an hour.
      else send(response, 200, body, type, 'api', { 'cache-control': 'max-age=3600' });
    } catch {
      send(response, 404, 'Not found', 'text/plain; charset=utf-8');
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!allowedHosts().has(request.headers.host ?? '')) return send(response, 421, 'Wrong host', 'text/plain; charset=utf-8');
    const url = new URL(request.url ?? '/', `http://${request.headers.host}`);

    if (url.pathname.startsWith('/api/call/')) {
      if (request.method !== 'POST') return sendJson(response, 405, { ok: false, error: { code: 'method', message: 'Use POST.' } });
      const origin = request.headers.origin;
      if (origin !== undefined && !allowedHosts().has(origin.replace(/^http:\/\//, ''))) {
        return sendJson(response, 403, { ok: false, error: { code: 'forbidden', message: 'Calls are accepted from the Studyshare page only.' } });
      }
      const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      if (!tokenMatches(bearer)) {
        return sendJson(response, 401, { ok: false, error: { code: 'unauthorized', message: 'This page has no valid session: open the address Studyshare printed.' } });
      }
      let input: unknown;
      try {
        const body = await readBody(request);
        input = body === '' ? {} : JSON.parse(body);
      } catch {
        return sendJson(response, 400, { ok: false, error: { code: 'invalid-input', message: 'The request was not valid JSON.' } });
      }
      const name = decodeURIComponent(url.pathname.slice('/api/call/'.length));
      return sendJson(response, 200, await dispatch(options.handlers, name, input, log));
    }

    // The viewer's instance bytes (electron/main/viewer): the same key as calls, as a Bearer header.
    if (url.pathname.startsWith(VIEWER_DATA_PREFIX)) {
      const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      if (!tokenMatches(bearer)) return sendJson(response, 401, { error: { code: 'unauthorized', message: 'This page has no valid session.' } });
      const server = viewerDataFor(options.handlers);
      if (server === null) return sendJson(response, 404, { error: { code: 'not-found', message: 'No viewer here.' } });
      const answer = await server(url.pathname.slice(VIEWER_DATA_PREFIX.length));
      if ('body' in answer) return send(response, 200, Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength), VIEWER_DATA_TYPE);
      return sendJson(response, answer.status, { error: { code: answer.code, message: answer.message } });
    }

    if (url.pathname === '/api/events') {
      // EventSource cannot send headers, so the token comes in the query (loopback only).
      if (!tokenMatches(url.searchParams.get('token'))) return send(response, 401, 'Unauthorized', 'text/plain; charset=utf-8');
      response.writeHead(200, { ...securityHeaders('api'), 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
      response.write(': connected\n\n');
      streams.add(response);
      const unsubscribe = options.bus.subscribe((name, payload) => {
        if (isEventName(name)) response.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
      });
      const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), 15_000);
      request.on('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
        streams.delete(response);
      });
      return;
    }

    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'Method not allowed', 'text/plain; charset=utf-8');
    return serveStatic(response, url.pathname);
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => {
      log('loopback request failed');
      if (!response.headersSent) send(response, 500, 'Internal error', 'text/plain; charset=utf-8');
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const stream of streams) stream.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
