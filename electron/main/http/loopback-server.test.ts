import { request } from 'node:http';
import path from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { securityHeaders } from '../../../shared/security-headers';
import { createStudyshareApp, type StudyshareApp } from '../app/create-app';
import { tempDir } from '../test-support/temp-dir';
import { startLoopbackServer, type LoopbackServer } from './loopback-server';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(server: LoopbackServer, method: string, pathname: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  const url = new URL(server.origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: url.port, method, path: pathname, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('loopback server', () => {
  let app: StudyshareApp;
  let server: LoopbackServer;
  let host: string;
  const call = (name: string, input: unknown, headers: Record<string, string> = {}) =>
    send(server, 'POST', `/api/call/${name}`, { host, authorization: `Bearer ${server.token}`, 'content-type': 'application/json', ...headers }, JSON.stringify(input));

  beforeEach(async () => {
    const dir = tempDir();
    const rendererDir = path.join(dir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Studyshare</title>');
    app = createStudyshareApp(path.join(dir, 'data'), { kind: 'browser' }, { hubMode: 'off' });
    server = await startLoopbackServer({ handlers: app.handlers, bus: app.bus, rendererDir });
    host = new URL(server.origin).host;
  });

  it('goes through the workstation lock: locked, patient data calls are refused; signed in, they answer', async () => {
    expect(JSON.parse((await call('studies:query', {})).body)).toEqual({ ok: false, error: { code: 'locked', message: 'Studyshare is locked. Sign in to continue.' } });
    expect(JSON.parse((await call('host:info', {})).body)).toMatchObject({ ok: true });
    await call('workstation:create-profile', { name: 'Desk 4', password: 'a long local password' });
    expect(JSON.parse((await call('studies:query', {})).body)).toMatchObject({ ok: true });
  });

  afterEach(async () => {
    await server.close();
    await app.close();
  });

  it('binds to 127.0.0.1 and puts the session key in the fragment only', () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).toBe(`${server.origin}/#token=${server.token}`);
    expect(Buffer.from(server.token, 'base64url').length).toBe(32);
  });

  it('answers a call with the contract result', async () => {
    await app.workstation.createProfile('Desk 4', 'a long local password');
    const reply = await call('studies:query', { limit: 10 });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ ok: true, value: { rows: [], total: 0, nextCursor: null } });
    expect(reply.headers['cache-control']).toBe('no-store');
  });

  it('refuses calls without the session key, with a wrong one, or from another origin', async () => {
    expect((await send(server, 'POST', '/api/call/studies:query', { host }, '{}')).status).toBe(401);
    expect((await call('studies:query', {}, { authorization: 'Bearer nope' })).status).toBe(401);
    const crossSite = await call('studies:query', {}, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect((await call('studies:query', {}, { origin: server.origin })).status).toBe(200);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const reply = await call('studies:query', {}, { host: 'attacker.example:80' });
    expect(reply.status).toBe(421);
  });

  it('validates input and names for every call', async () => {
    await app.workstation.createProfile('Desk 4', 'a long local password');
    const invalid = JSON.parse((await call('studies:query', { limit: 'all' })).body);
    expect(invalid).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const unknown = JSON.parse((await call('studies:drop', {})).body);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
    const notJson = await send(server, 'POST', '/api/call/studies:query', { host, authorization: `Bearer ${server.token}` }, '{nope');
    expect(notJson.status).toBe(400);
    const missingFolder = JSON.parse((await call('import:start', { paths: ['/no/such/folder'] })).body);
    expect(missingFolder).toEqual({ ok: false, error: { code: 'path-not-found', message: 'No such file or folder: /no/such/folder' } });
    const noPicker = JSON.parse((await call('import:pick-folder', {})).body);
    expect(noPicker).toMatchObject({ ok: false, error: { code: 'not-available' } });
  });

  it('serves the renderer with a CSP and nothing outside it', async () => {
    const page = await send(server, 'GET', '/', { host });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(page.headers['x-frame-options']).toBe('DENY');
    // The one header policy the hub sends too (shared/security-headers.ts), on the page and on calls.
    for (const [name, value] of Object.entries(securityHeaders('appPage'))) expect(page.headers[name], name).toBe(value);
    const refused = await send(server, 'POST', '/api/call/app:info', { host });
    for (const [name, value] of Object.entries(securityHeaders('api'))) expect(refused.headers[name], name).toBe(value);
    expect((await send(server, 'GET', '/../../etc/passwd', { host })).status).toBe(404);
    expect((await send(server, 'GET', '/%2e%2e/%2e%2e/etc/passwd', { host })).status).toBe(404);
  });

  it('streams events to a client with the key, and refuses one without', async () => {
    expect((await send(server, 'GET', '/api/events', { host })).status).toBe(401);
    const url = new URL(server.origin);
    const received = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: url.port, path: `/api/events?token=${server.token}`, headers: { host } }, (res) => {
        expect(res.headers['content-type']).toMatch(/text\/event-stream/);
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
          if (text.includes('data:')) {
            req.destroy();
            resolve(text);
          } else if (text.includes(': connected')) {
            app.bus.emit('data:changed', { reason: 'import' });
          }
        });
      });
      req.on('error', (error) => (error.message.includes('aborted') ? undefined : reject(error)));
      req.end();
    });
    expect(received).toContain('event: data:changed\ndata: {"reason":"import"}');
  });
});
