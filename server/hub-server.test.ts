/**
 * The hub as a server: health checks, request ids and what the log may hold, trusted proxies,
 * built-in HTTPS and the front page, against the real app (inject, or a real socket where the
 * transport is the point). The process around it (signals, stderr, exit codes) is in
 * hub-process.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { plainGet } from './test-support/plain-get';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHub, redactPath, requestIdFor, type HubOptions } from './app';
import { HUB_ENGINES, testHubDatabase, type HubEngine } from './test-support/test-database';
import type { HubDatabase } from './db/schema';
import { makeSelfSignedCertificate } from './test-support/self-signed-cert';

const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

/** A hub on a fresh data folder; closed after the file's tests. */
async function startHub(engine: HubEngine, options: Partial<HubOptions> = {}, addRoutes?: (hub: FastifyInstance) => void): Promise<{ hub: FastifyInstance; db: Kysely<HubDatabase>; dir: string; blobDir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-hub-server-'));
  const hubDatabase = await testHubDatabase(engine);
  const db = hubDatabase.db;
  const blobDir = path.join(dir, 'blobs');
  mkdirSync(blobDir);
  const hub = buildHub({ db, blobDir, ...options });
  addRoutes?.(hub);
  await hub.ready();
  cleanup.push(async () => {
    await hub.close();
    await hubDatabase.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { hub, db, dir, blobDir };
}

const SITE = { accountName: 'North Imaging', adminName: 'Ada Admin', email: 'ada@example.org', password: 'correct horse battery' };

describe.each(HUB_ENGINES)('health checks (%s)', (engine) => {
  it('answers /healthz and /readyz with 200, uncached, to anyone', async () => {
    const { hub } = await startHub(engine);
    for (const url of ['/healthz', '/readyz']) {
      const response = await hub.inject({ url });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ok' });
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });

  it('says 503 on /readyz when the blob folder cannot be written (it became a file), while /healthz stays 200', async () => {
    const { hub, blobDir } = await startHub(engine);
    // A regular file where the folder was: writes fail even for root, unlike a chmod.
    rmSync(blobDir, { recursive: true });
    writeFileSync(blobDir, '');
    const ready = await hub.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'unavailable', reason: 'blob folder not writable' });
    expect(ready.headers['cache-control']).toBe('no-store');
    expect((await hub.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('says 503 on /readyz when the database does not answer', async () => {
    const { hub, db } = await startHub(engine);
    await db.destroy();
    const ready = await hub.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'unavailable', reason: 'database not answering' });
  });

  it('answers 503 to /readyz once closing has begun, while a request in flight still finishes', async () => {
    const { hub } = await startHub(engine, { setupToken: 'C0DE123456' });
    await hub.listen({ port: 0, host: '127.0.0.1' });
    const { port } = hub.server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const body = JSON.stringify({ ...SITE, setupToken: 'C0DE123456' });
    // The request's head and half its body; once the server has read the head, the close begins.
    const headRead = new Promise((resolve) => hub.server.once('request', resolve));
    socket.write(`POST /api/setup HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 20)}`);
    await headRead;
    const closed = hub.close();
    // The rest of the body, and a readiness check pipelined behind it on the same connection.
    socket.write(`${body.slice(20)}GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    await ended;
    await closed;
    // Fastify's own 503 (return503OnClosing) for whatever arrives after the close began.
    const statuses = [...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => Number(match[1]));
    expect(statuses).toEqual([201, 503]);
  });
});

describe.each(HUB_ENGINES)('request ids and logs (%s)', (engine) => {
  it('takes a well-formed x-request-id, replaces any other with a UUID, and sends it back', async () => {
    const { hub } = await startHub(engine);
    const kept = await hub.inject({ url: '/healthz', headers: { 'x-request-id': 'lb-7f3a.01_X' } });
    expect(kept.headers['x-request-id']).toBe('lb-7f3a.01_X');
    for (const given of ['bad id', 'a'.repeat(65), '<script>', '']) {
      const replaced = await hub.inject({ url: '/healthz', headers: { 'x-request-id': given } });
      expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect((await hub.inject({ url: '/healthz' })).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFor('a'.repeat(64))).toBe('a'.repeat(64));
    expect(requestIdFor(['x', 'y'])).not.toBe('x');
  });

  it.each([
    ['/g/abcTOKEN123/api/series', '/g/[token]/api/series'],
    ['/g/abcTOKEN123', '/g/[token]'],
    ['/register/inviteTOKEN?x=1', '/register/[token]'],
    ['/reset-password/resetTOKEN', '/reset-password/[token]'],
    ['/reset-password', '/reset-password'],
    ['/api/worklists/7/studies?q=Doe%5EJane&after=3', '/api/worklists/7/studies'],
    ['/api/hub#frag', '/api/hub'],
    ['/api/g/not-a-guest-link', '/api/g/not-a-guest-link'],
  ])('logs %s as %s', (url, logged) => {
    expect(redactPath(url)).toBe(logged);
  });

  it('writes JSON lines, each request line with its id, without queries, tokens, headers or error messages', async () => {
    const stream = new PassThrough();
    let output = '';
    stream.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    // A route that fails the way a database fault would: its message holds a patient's name.
    const { hub } = await startHub(engine, { logger: { stream } }, (app) =>
      app.get('/test/fails', async () => {
        throw Object.assign(new Error('constraint failed for Doe^Jane'), { code: 'SQLITE_CONSTRAINT' });
      }),
    );
    const headers = { authorization: 'Bearer sessionSECRET', cookie: 'c=cookieSECRET', 'x-request-id': 'trace-1' };
    await hub.inject({ url: '/api/worklists/1/studies?q=Doe%5EJane', headers });
    await hub.inject({ url: '/g/guestSECRET/api/series?x=1' });
    await hub.inject({ url: '/register/inviteSECRET' });
    await hub.inject({ url: '/reset-password/resetSECRET' });
    const failed = await hub.inject({ url: '/test/fails', headers: { 'x-request-id': 'trace-500' } });
    expect(failed.statusCode).toBe(500);
    expect(failed.json()).toEqual({ error: { code: 'internal', message: 'The hub could not complete this request.' } });

    const lines = output.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const requestLines = lines.filter((line) => 'req' in line || 'res' in line || line.msg === 'request failed');
    expect(requestLines.length).toBeGreaterThanOrEqual(10);
    for (const line of requestLines) expect(line.reqId).toEqual(expect.any(String));
    expect(lines.filter((line) => line.reqId === 'trace-1').length).toBeGreaterThanOrEqual(2);
    expect(lines.map((line) => (line.req as { url?: string } | undefined)?.url).filter(Boolean)).toEqual([
      '/api/worklists/1/studies',
      '/g/[token]/api/series',
      '/register/[token]',
      '/reset-password/[token]',
      '/test/fails',
    ]);
    for (const secret of ['?', 'Doe', 'Jane', 'SECRET', 'authorization', 'cookie', 'constraint failed']) expect(output).not.toContain(secret);
    const failure = lines.find((line) => line.msg === 'request failed');
    expect(failure).toMatchObject({ level: 50, reqId: 'trace-500', route: '/test/fails', status: 500, code: 'internal', cause: [{ name: 'Error', code: 'SQLITE_CONSTRAINT' }] });
  });
});

describe.each(HUB_ENGINES)('reverse proxies (%s)', (engine) => {
  const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'hub.example.org', 'x-forwarded-for': '203.0.113.9' };

  it('believes X-Forwarded-Proto and -Host from a trusted proxy only', async () => {
    const { hub } = await startHub(engine, { trustProxy: ['10.0.0.1', '192.168.50.0/24'] });
    // The front page shows the request's own origin when no public URL is set: what the hub took the request to be.
    for (const remoteAddress of ['10.0.0.1', '192.168.50.7']) {
      const page = await hub.inject({ url: '/', remoteAddress, headers: forwarded });
      expect(page.body).toContain('<strong>https://hub.example.org</strong> (this address as you reached it');
    }
    const spoofed = await hub.inject({ url: '/', remoteAddress: '10.0.0.2', headers: { ...forwarded, host: 'inside:4710' } });
    expect(spoofed.body).toContain('<strong>http://inside:4710</strong>');
    expect(spoofed.body).not.toContain('hub.example.org');
  });

  it('trusts no proxy by default', async () => {
    const { hub } = await startHub(engine);
    const page = await hub.inject({ url: '/', remoteAddress: '127.0.0.1', headers: { ...forwarded, host: 'inside:4710' } });
    expect(page.body).toContain('<strong>http://inside:4710</strong>');
  });
});

describe.each(HUB_ENGINES)('built-in HTTPS (%s)', (engine) => {
  it('serves HTTPS with the given certificate, which a client trusting it accepts', async () => {
    const certificate = makeSelfSignedCertificate();
    cleanup.push(() => rmSync(certificate.dir, { recursive: true, force: true }));
    const { hub } = await startHub(engine, { https: { cert: certificate.cert, key: certificate.key } });
    await hub.listen({ port: 0, host: '127.0.0.1' });
    const { port } = hub.server.address() as AddressInfo;
    const get = (ca?: Buffer) => plainGet(`https://127.0.0.1:${port}/healthz`, { ca });
    expect(await get(certificate.cert)).toEqual({ status: 200, body: '{"status":"ok"}' });
    // Without trusting it, the same request fails the handshake: the certificate is really in use.
    await expect(get()).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });
});

describe.each(HUB_ENGINES)('the front page (%s)', (engine) => {
  it('on a fresh hub: says it needs setup, how to connect, and links password reset; no script', async () => {
    const { hub } = await startHub(engine, { publicUrl: 'https://hub.example.org/', name: 'North <Hub>' });
    const page = await hub.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.body).toContain('<h1>North &lt;Hub&gt;</h1>');
    expect(page.body).toContain('This hub has no site yet:');
    expect(page.body).toContain('connect a desktop and enter the setup code printed on the hub’s console');
    expect(page.body).toContain('<strong>Join your site’s hub</strong> and type this hub’s address: <strong>https://hub.example.org</strong>.');
    expect(page.body).not.toContain('as you reached it');
    expect(page.body).toContain('start with <strong>https://hub.example.org/g/…</strong>');
    expect(page.body).toContain('Register through the link in that invitation.');
    expect(page.body).toContain('<a href="/sign-up">Sign up</a>');
    expect(page.body).toContain('<a href="/reset-password">Forgot your password?</a>');
    expect(page.body).toContain('<a href="studyshare://join?hub=https%3A%2F%2Fhub.example.org">Open Studyshare on this computer</a>');
    expect(page.body).not.toMatch(/<script/i);
  });

  it('lists the sites only when the operator allows it', async () => {
    const listed = await startHub(engine, { publicUrl: 'https://hub.example.org', listSites: true, setupToken: 'C0DE' });
    const hidden = await startHub(engine, { publicUrl: 'https://hub.example.org', setupToken: 'C0DE' });
    for (const { hub } of [listed, hidden]) {
      expect((await hub.inject({ method: 'POST', url: '/api/setup', payload: { ...SITE, setupToken: 'C0DE' } })).statusCode).toBe(201);
    }
    const shown = (await listed.hub.inject({ url: '/' })).body;
    expect(shown).toContain('<li>North Imaging</li>');
    expect(shown).not.toContain('no site yet');
    const unlisted = (await hidden.hub.inject({ url: '/' })).body;
    expect(unlisted).not.toContain('North Imaging');
    expect(unlisted).not.toContain('no site yet');
  });
});
