import { mkdirSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { HUB_SERVICE } from '../../../shared/hub-info';
import { buildHub } from '../../../server/app';
// SQLite only: probing checks addresses, HTTP(S) and certificates; which engine the hub keeps
// its data in changes nothing the probe sees.
import { openHubDatabase } from '../../../server/db/open-hub-db';
import type { HubDatabase } from '../../../server/db/schema';
import { HubCertificateError, HubClient } from '../sync-client/hub-client';
import { freePort } from '../test-support/free-port';
import { tempDir } from '../test-support/temp-dir';
import { makeSelfSignedCertificate, type TestCertificate } from '../test-support/test-certificates';
import { probeHub } from './hub-probe';

const APP_VERSION = '0.1.0';
const SETUP = { accountName: 'Riverside Imaging', adminName: 'Ada Admin', email: 'ada@riverside.example', password: 'correct horse battery' };

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function listen(server: Server): Promise<string> {
  cleanups.push(() => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

/**
 * The real hub on loopback, over HTTP (Fastify listening) or over HTTPS with the given
 * certificate: a node:https server passing every request to the hub's `inject`, since
 * buildHub does not take TLS options.
 */
async function startHub(options: { tls?: TestCertificate; listSites?: boolean; name?: string } = {}): Promise<{ url: string; app: FastifyInstance }> {
  const dir = tempDir();
  mkdirSync(dir, { recursive: true });
  const db: Kysely<HubDatabase> = await openHubDatabase(path.join(dir, 'hub.sqlite'));
  const port = await freePort();
  const url = `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;
  const app = buildHub({ db, blobDir: path.join(dir, 'blobs'), publicUrl: url, listSites: options.listSites ?? false, ...(options.name === undefined ? {} : { name: options.name }) });
  cleanups.push(async () => {
    await app.close();
    await db.destroy();
  });
  if (options.tls === undefined) {
    await app.listen({ port, host: '127.0.0.1' });
    cleanups.push(async () => app.server.closeAllConnections());
    return { url, app };
  }
  const server = createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, (request, response) => void (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const answer = await app.inject({ method: request.method as 'GET', url: request.url!, headers: request.headers, payload: Buffer.concat(chunks) });
    response.writeHead(answer.statusCode, answer.headers as Record<string, string>);
    response.end(answer.rawPayload);
  })());
  cleanups.push(() => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url, app };
}

function certificate(commonName: string, altName: string, dates?: { notBefore: string; notAfter: string }): TestCertificate {
  return makeSelfSignedCertificate(tempDir(), { commonName, altName, ...dates });
}

async function unusedAddress(): Promise<string> {
  return `127.0.0.1:${await freePort()}`;
}

describe('probeHub over plain HTTP', () => {
  it('finds the hub and shows its name and, where listed, its sites', async () => {
    const hub = await startHub({ listSites: true, name: 'Riverside hub' });
    await hub.app.inject({ method: 'POST', url: '/api/setup', payload: SETUP });
    const result = await probeHub(`${hub.url}/`, { appVersion: APP_VERSION });
    expect(result).toMatchObject({ ok: true, url: hub.url, certificate: null, info: { service: HUB_SERVICE, name: 'Riverside hub', sites: ['Riverside Imaging'], needsSetup: false } });
  });

  it('derives the hub from an invitation, guest or reset link, and never repeats the token', async () => {
    const hub = await startHub();
    for (const link of [`${hub.url}/register/secret-token-1`, `${hub.url}/g/secret-token-2?study=1#view`, `${hub.url}/reset-password/secret-token-3`]) {
      expect(await probeHub(link, { appVersion: APP_VERSION })).toMatchObject({ ok: true, url: hub.url, info: { sites: null, needsSetup: true } });
    }
    const nowhere = await probeHub(`http://${await unusedAddress()}/register/secret-token-4`, { appVersion: APP_VERSION });
    expect(nowhere).toMatchObject({ ok: false, code: 'unreachable' });
    expect(JSON.stringify(nowhere)).not.toContain('secret-token');
  });

  it('takes a bare host:port, trying HTTPS first and then plain HTTP', async () => {
    const hub = await startHub();
    expect(await probeHub(hub.url.replace('http://', ''), { appVersion: APP_VERSION })).toMatchObject({ ok: true, url: hub.url });
  });

  it('says nothing answers where nothing listens', async () => {
    const address = await unusedAddress();
    const explicit = await probeHub(`http://${address}`, { appVersion: APP_VERSION });
    expect(explicit).toEqual({ ok: false, code: 'unreachable', message: `Nothing answers at http://${address}. Check the address and that the hub is running.` });
    expect(await probeHub(address, { appVersion: APP_VERSION })).toMatchObject({ ok: false, code: 'unreachable', message: expect.stringContaining(address) });
  });

  it('refuses what is not an address', async () => {
    for (const input of ['', 'ftp://hub.example.org', 'https://user:pass@hub.example.org', 'not an address']) {
      expect(await probeHub(input, { appVersion: APP_VERSION })).toMatchObject({ ok: false, code: 'not-an-address' });
    }
  });

  it('tells a web server that is not a hub, and a wrong path on a hub, from a hub', async () => {
    const web: RequestListener = (_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Welcome to nginx</h1>');
    const address = await listen(createHttpServer(web));
    expect(await probeHub(`http://${address}`, { appVersion: APP_VERSION })).toMatchObject({ ok: false, code: 'not-a-hub', message: expect.stringContaining(`http://${address}`) });
    const hub = await startHub();
    expect(await probeHub(`${hub.url}/studyshare`, { appVersion: APP_VERSION })).toMatchObject({ ok: false, code: 'not-a-hub' });
  });

  it('says to use http:// when https:// was given to a plain-HTTP hub', async () => {
    const hub = await startHub();
    const result = await probeHub(hub.url.replace('http:', 'https:'), { appVersion: APP_VERSION });
    expect(result).toEqual({ ok: false, code: 'wrong-scheme-http', message: `This hub does not use HTTPS: use ${hub.url} (only on a network you trust).` });
  });

  it('names both versions when the hub needs a newer desktop', async () => {
    const newer: RequestListener = (request, response) => {
      if (request.url !== '/api/hub') return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ service: HUB_SERVICE, name: 'Future hub', version: '9.0.0', apiVersion: 99, minClientApiVersion: 99, sites: null, needsSetup: false, publicUrl: null }),
      );
    };
    const address = await listen(createHttpServer(newer));
    const result = await probeHub(`http://${address}`, { appVersion: APP_VERSION });
    expect(result).toMatchObject({ ok: false, code: 'incompatible' });
    expect(!result.ok && result.message).toContain('9.0.0');
    expect(!result.ok && result.message).toContain(APP_VERSION);
  });
});

describe('probeHub over HTTPS', () => {
  it('says to use https:// when http:// was given to an HTTPS hub', async () => {
    const hub = await startHub({ tls: certificate('127.0.0.1', 'IP:127.0.0.1') });
    const result = await probeHub(hub.url.replace('https:', 'http:'), { appVersion: APP_VERSION });
    expect(result).toEqual({ ok: false, code: 'wrong-scheme-https', message: `This hub uses HTTPS: use ${hub.url}.` });
  });

  it('shows a self-signed certificate, accepts it once trusted, and a client pinned to it signs in', async () => {
    const tls = certificate('127.0.0.1', 'IP:127.0.0.1');
    const hub = await startHub({ tls });
    const untrusted = await probeHub(hub.url, { appVersion: APP_VERSION });
    expect(untrusted).toMatchObject({
      ok: false,
      code: 'certificate-untrusted',
      message: expect.stringContaining('self-signed'),
      certificate: { fingerprint256: tls.fingerprint256, subject: 'CN=127.0.0.1', issuer: 'CN=127.0.0.1', selfSigned: true, trusted: false },
    });
    // A bare host with a self-signed certificate: the certificate is the answer, not a fall-back to http://.
    expect(await probeHub(hub.url.replace('https://', ''), { appVersion: APP_VERSION })).toMatchObject({ ok: false, code: 'certificate-untrusted' });

    const trusted = await probeHub(hub.url, { appVersion: APP_VERSION, trustedFingerprint: tls.fingerprint256.toLowerCase() });
    expect(trusted).toMatchObject({ ok: true, url: hub.url, info: { needsSetup: true }, certificate: { fingerprint256: tls.fingerprint256, trusted: true } });

    const pinned = new HubClient(hub.url, null, { trustedFingerprint: tls.fingerprint256 });
    cleanups.push(() => pinned.close());
    await pinned.request('POST', '/api/setup', SETUP);
    expect(await pinned.signIn(SETUP.email, SETUP.password)).toMatch(/.+/);
    expect(await pinned.hubInfo()).toMatchObject({ service: HUB_SERVICE, needsSetup: false });
    expect(await pinned.request('GET', '/api/me')).toMatchObject({ name: 'Ada Admin' });

    // Without a pin, or pinned to another certificate, the same hub is refused for its certificate (not "unreachable").
    const plain = new HubClient(hub.url);
    await expect(plain.hubInfo()).rejects.toMatchObject({ name: 'HubCertificateError', code: 'certificate-untrusted', detail: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const other = new HubClient(hub.url, null, { trustedFingerprint: certificate('127.0.0.1', 'IP:127.0.0.1').fingerprint256 });
    cleanups.push(() => other.close());
    const refused = await other.signIn(SETUP.email, SETUP.password).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HubCertificateError);
    expect(refused).toMatchObject({ code: 'certificate-untrusted', message: expect.stringContaining('not the one you trusted') });
    expect(await probeHub(hub.url, { appVersion: APP_VERSION, trustedFingerprint: certificate('127.0.0.1', 'IP:127.0.0.1').fingerprint256 })).toMatchObject({
      ok: false,
      code: 'certificate-untrusted',
      message: expect.stringContaining('not the one you trusted'),
    });

    // Changing the pin takes effect on the same client.
    other.setTrustedFingerprint(tls.fingerprint256);
    expect(await other.hubInfo()).toMatchObject({ service: HUB_SERVICE });
  });

  it('keeps upload-style streaming bodies working through a pinned client', async () => {
    const tls = certificate('127.0.0.1', 'IP:127.0.0.1');
    const hub = await startHub({ tls });
    const pinned = new HubClient(hub.url, null, { trustedFingerprint: tls.fingerprint256 });
    cleanups.push(() => pinned.close());
    const body = new Blob([JSON.stringify(SETUP)]).stream();
    const created = await pinned.request('POST', '/api/setup', undefined, { headers: { 'content-type': 'application/json' }, body, duplex: 'half' });
    expect(created).toMatchObject({ account: { name: SETUP.accountName } });
  });

  it('refuses an expired certificate and will not let it be trusted', async () => {
    const tls = certificate('127.0.0.1', 'IP:127.0.0.1', { notBefore: '20200101000000Z', notAfter: '20200201000000Z' });
    const hub = await startHub({ tls });
    const expired = await probeHub(hub.url, { appVersion: APP_VERSION });
    expect(expired).toMatchObject({
      ok: false,
      code: 'certificate-expired',
      message: expect.stringContaining('cannot be trusted'),
      certificate: { fingerprint256: tls.fingerprint256, validFrom: '2020-01-01T00:00:00.000Z', validTo: '2020-02-01T00:00:00.000Z', trusted: false },
    });
    expect(await probeHub(hub.url, { appVersion: APP_VERSION, trustedFingerprint: tls.fingerprint256 })).toMatchObject({ ok: false, code: 'certificate-expired' });
    const pinned = new HubClient(hub.url, null, { trustedFingerprint: tls.fingerprint256 });
    cleanups.push(() => pinned.close());
    await expect(pinned.hubInfo()).rejects.toMatchObject({ name: 'HubCertificateError', code: 'certificate-expired' });
  });

  it('refuses a certificate made for another host name, saying so', async () => {
    const tls = certificate('example.org', 'DNS:example.org');
    const hub = await startHub({ tls });
    expect(await probeHub(hub.url, { appVersion: APP_VERSION })).toMatchObject({
      ok: false,
      code: 'certificate-untrusted',
      message: expect.stringContaining('issued for example.org, not 127.0.0.1'),
      certificate: { subject: 'CN=example.org', fingerprint256: tls.fingerprint256 },
    });
  });
});
