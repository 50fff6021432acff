/**
 * Choosing a hub: the first run asks (nothing starts until the user chose), the hub inside this
 * app keeps its port and makes links on the address the user set, listens on the local network
 * only when allowed, and switching hubs says what waits and lets go of nothing without a choice.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hashPassword } from '../../../server/auth/password';
import { addUser, createAccount } from '../../../server/accounts/accounts-repository';
import { EventBus } from '../api/event-bus';
import { openIndexDatabase } from '../db/connection';
import { tempDir } from '../test-support/temp-dir';
import { TestHub } from '../test-support/test-hub';
// SQLite only: these tests are about the desktop's choice of hub (the embedded hub, which is
// always a SQLite file in the app's data folder, and switching between addresses); the remote
// hubs here only answer. The hub's behaviour on PostgreSQL is covered by server/*.test.ts and by
// the sync-client and share-service tests, which run on both engines.
import { importPaths } from '../dicom-import/import-service';
import { testUid, writeInstance } from '../dicom-write/synthetic-study';
import { findStudy } from '../study-index/study-lookup';
import { HubConnection, type HubConnectionOptions } from './hub-connection';
import { TokenStore } from './token-store';

const PASSWORD = 'long enough password';
const SETUP = { siteName: 'Riverside Imaging', adminName: 'Ada Admin', email: 'ada@riverside.example', password: 'correct horse battery' };
const open: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

function desktop(dataDir: string, options: Partial<HubConnectionOptions> = {}) {
  mkdirSync(dataDir, { recursive: true });
  const localDb = openIndexDatabase(path.join(dataDir, 'index.sqlite'));
  const hub = new HubConnection({ dataDir, localDb, bus: new EventBus(), tokens: new TokenStore(path.join(dataDir, 'hub-token')), syncEveryMs: 0, ...options });
  const item = {
    hub,
    localDb,
    async close() {
      await hub.close();
      if (localDb.open) localDb.close();
    },
  };
  open.push(item);
  return item;
}

async function hubWithUser(dir: string, email: string) {
  const hub = new TestHub(dir);
  await hub.start();
  open.push({ close: () => hub.stop() });
  const passwordHash = await hashPassword(PASSWORD);
  await hub.db!.transaction().execute(async (trx) => {
    const site = await createAccount(trx, `Site ${path.basename(dir)}`, { name: 'Admin', email: `admin-${path.basename(dir)}@example.org`, passwordHash }, new Date());
    await addUser(trx, site.account.id, { name: 'Rita Radiologist', email, passwordHash, role: 'Radiologist' }, new Date());
  });
  return hub;
}

describe('the first run', () => {
  it('starts nothing until the user chooses, then runs the hub on this computer and keeps that choice', async () => {
    const dataDir = tempDir();
    const first = desktop(dataDir);
    await first.hub.start();
    expect(first.hub.status()).toMatchObject({ firstRun: true, mode: 'off', url: null, user: null, embedded: null });
    expect(existsSync(path.join(dataDir, 'hub'))).toBe(false);

    const status = await first.hub.connect({ kind: 'embedded' });
    expect(status).toMatchObject({ firstRun: false, mode: 'embedded', needsSetup: true, linkReach: 'this-computer' });
    const port = status.embedded!.port;
    expect(status.publicUrl).toBe(`http://127.0.0.1:${port}`);
    await first.hub.setup(SETUP);
    await first.close();

    // The port is kept: links made yesterday still work today.
    const again = desktop(dataDir);
    await again.hub.start();
    expect(again.hub.status()).toMatchObject({ firstRun: false, mode: 'embedded', user: { email: SETUP.email }, embedded: { port } });
  });

  it('“Later” keeps the local index only, and says so at the next start', async () => {
    const dataDir = tempDir();
    const first = desktop(dataDir);
    await first.hub.start();
    expect(await first.hub.connect({ kind: 'off' })).toMatchObject({ firstRun: false, mode: 'off', url: null });
    await first.close();
    const again = desktop(dataDir);
    await again.hub.start();
    expect(again.hub.status()).toMatchObject({ firstRun: false, mode: 'off' });
  });

  it('joins a hub by its address after checking it, and refuses an address that is no hub', async () => {
    const hub = await hubWithUser(tempDir(), 'rita@riverside.example');
    const { hub: connection } = desktop(tempDir());
    await connection.start();
    const probe = await connection.probe({ url: `${hub.url}/register/some-invitation-token` });
    expect(probe).toMatchObject({ ok: true, url: hub.url, needsSetup: false });
    await expect(connection.connect({ kind: 'remote', url: 'http://127.0.0.1:1' })).rejects.toMatchObject({ code: 'unreachable' });
    expect(connection.status().firstRun).toBe(true);

    const status = await connection.signIn({ url: hub.url, email: 'rita@riverside.example', password: PASSWORD });
    expect(status).toMatchObject({ firstRun: false, mode: 'remote', url: hub.url, hubName: 'Studyshare hub', publicUrl: hub.url, user: { name: 'Rita Radiologist' } });
    // Signed in to a hub that has its site: nothing asks to set one up (issue 19: it once did until a restart).
    expect(status.needsSetup).toBe(false);
    await connection.syncNow();
    expect(connection.status()).toMatchObject({ needsSetup: false, sync: { state: 'online' } });
  });

  it('signing in to a remote hub from this computer’s own hub (not set up yet) leaves "set up your site" behind', async () => {
    const hub = await hubWithUser(tempDir(), 'rita@riverside.example');
    const { hub: connection } = desktop(tempDir(), { defaultMode: 'embedded' });
    await connection.start();
    expect(connection.status()).toMatchObject({ mode: 'embedded', needsSetup: true });
    const status = await connection.signIn({ url: hub.url, email: 'rita@riverside.example', password: PASSWORD });
    expect(status).toMatchObject({ mode: 'remote', url: hub.url, needsSetup: false, user: { name: 'Rita Radiologist' } });
  });
});

describe('forgot password', () => {
  it('asks the hub just checked (or the hub in use) to mail a reset link on its public address', async () => {
    const dir = tempDir();
    const hub = await hubWithUser(path.join(dir, 'hub'), 'rita@riverside.example');
    const { hub: connection } = desktop(path.join(dir, 'desk'));
    await connection.start();
    expect(await connection.requestPasswordReset({ url: hub.url, email: 'rita@riverside.example' })).toEqual({ sent: true });
    // The same answer for an address with no account: nothing tells a stranger who has one.
    expect(await connection.requestPasswordReset({ url: hub.url, email: 'nobody@riverside.example' })).toEqual({ sent: true });
    const drop = path.join(dir, 'hub', 'mail-drop');
    await vi.waitFor(() => expect(existsSync(drop) && readdirSync(drop).length).toBe(1));
    const mail = readFileSync(path.join(drop, readdirSync(drop)[0]), 'utf8').replace(/=\r?\n/g, '');
    expect(mail).toContain('To: rita@riverside.example');
    expect(mail).toMatch(new RegExp(`${hub.url.replaceAll('.', '\\.')}/reset-password/[A-Za-z0-9_-]{43}`));
    await expect(connection.requestPasswordReset({ email: 'rita@riverside.example' })).rejects.toMatchObject({ code: 'no-hub' });
  });
});

describe('the hub on this computer', () => {
  it('makes links on the public address the user set, and refuses one that is not an address', async () => {
    const { hub } = desktop(tempDir(), { defaultMode: 'embedded' });
    await hub.start();
    await hub.setup(SETUP);
    await expect(hub.setEmbeddedSettings({ lan: false, publicUrl: 'hub dot example' })).rejects.toMatchObject({ code: 'bad-public-url' });
    const port = hub.status().embedded!.port;
    // A documentation address (RFC 5737): never contacted, only written into links.
    const status = await hub.setEmbeddedSettings({ lan: false, publicUrl: `http://192.0.2.10:${port}/` });
    expect(status).toMatchObject({ linkReach: 'elsewhere', publicUrl: `http://192.0.2.10:${port}`, embedded: { port, lan: false, publicUrl: `http://192.0.2.10:${port}` } });
    // The hub restarted on the same port and still answers here, signed in.
    expect((await hub.syncNow()).sync.state).toBe('online');
    expect(await hub.hubRequest('GET', '/api/hub')).toMatchObject({ publicUrl: `http://192.0.2.10:${port}` });
  });

  it('listens on the local network only when allowed', async () => {
    // 127.0.0.2 stands for "the local network" here: the test reaches nothing off this machine.
    const { hub } = desktop(tempDir(), { defaultMode: 'embedded', embeddedHub: { lanHost: '127.0.0.2' } });
    await hub.start();
    const port = hub.status().embedded!.port;
    await expect(fetch(`http://127.0.0.2:${port}/api/hub`)).rejects.toThrow();
    await hub.setEmbeddedSettings({ lan: true, publicUrl: null });
    expect((await (await fetch(`http://127.0.0.2:${port}/api/hub`)).json()) as { service: string }).toMatchObject({ service: 'studyshare-hub' });
    expect(hub.status()).toMatchObject({ embedded: { lan: true, port }, linkReach: 'this-computer' });
    await hub.setEmbeddedSettings({ lan: false, publicUrl: null });
    await expect(fetch(`http://127.0.0.2:${port}/api/hub`)).rejects.toThrow();
  });

  it('moves to another port when its own is taken, and says links made before point at the old one', async () => {
    const dataDir = tempDir();
    const first = desktop(dataDir, { defaultMode: 'embedded' });
    await first.hub.start();
    const port = first.hub.status().embedded!.port;
    await first.close();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    open.push({ close: () => new Promise<void>((resolve) => squatter.close(() => resolve())) });
    const again = desktop(dataDir);
    await again.hub.start();
    const status = again.hub.status();
    expect(status.embedded!.port).not.toBe(port);
    expect(status.notice).toContain(`port ${port}`);
    expect(JSON.parse(readFileSync(path.join(dataDir, 'hub.json'), 'utf8')).embedded.port).toBe(status.embedded!.port);
  });
});

describe('switching hubs', () => {
  it('says what waits, sends it first or discards it as chosen, and drops the old hub’s cache', async () => {
    const dir = tempDir();
    const hubA = await hubWithUser(path.join(dir, 'a'), 'rita@a.example');
    const hubB = await hubWithUser(path.join(dir, 'b'), 'rita@b.example');
    const { hub, localDb } = desktop(path.join(dir, 'desk'), { defaultMode: 'remote' });
    await hub.signIn({ url: hubA.url, email: 'rita@a.example', password: PASSWORD });
    await hub.settled();

    // Two changes queued while hub A is down.
    await hubA.stop();
    const sync = hub.requireSync();
    const input = path.join(dir, 'in');
    mkdirSync(input);
    for (const n of [1, 2]) writeFileSync(path.join(input, `${n}.dcm`), writeInstance({ studyInstanceUid: testUid(60 + n), seriesInstanceUid: testUid(60 + n, 1), sopInstanceUid: testUid(60 + n, 1, 1), rows: 8, columns: 8 }));
    await importPaths(localDb, { paths: [input] });
    for (const n of [1, 2]) {
      const study = findStudy(localDb, testUid(60 + n))!;
      sync.enqueue({ kind: 'study.publish', study: { ...study, modalities: [...study.modalities] }, private: false });
    }
    expect(hub.switchPreview()).toMatchObject({ hub: 'Studyshare hub', pendingChanges: 2 });
    await expect(hub.connect({ kind: 'remote', url: hubB.url })).rejects.toMatchObject({ code: 'queued-operations', message: expect.stringContaining('2 changes') });
    await expect(hub.connect({ kind: 'remote', url: hubB.url }, 'send')).rejects.toMatchObject({ code: 'still-queued' });
    expect(hub.status().url).toBe(hubA.url);

    // Hub A is back: "send first" delivers both, then switches.
    await hubA.start();
    const status = await hub.connect({ kind: 'remote', url: hubB.url }, 'send');
    expect(await hubA.count('studies')).toBe(2);
    expect(status).toMatchObject({ url: hubB.url, user: null });
    expect((localDb.prepare('SELECT count(*) AS n FROM hub_studies').get() as { n: number }).n).toBe(0);

    // On hub B, something waits again; discarding is counted and kept as a record.
    await hub.signIn({ email: 'rita@b.example', password: PASSWORD });
    await hubB.stop();
    hub.requireSync().enqueue({ kind: 'study.private', study: { hubId: '00000000-0000-4000-8000-000000000000' }, private: true } as never);
    const off = await hub.connect({ kind: 'off' }, 'discard');
    expect(off).toMatchObject({ mode: 'off', url: null, user: null });
    const discarded = localDb.prepare("SELECT error_code AS code FROM outbox WHERE state = 'rejected'").all() as { code: string }[];
    expect(discarded).toEqual([{ code: 'discarded' }]);
    expect(existsSync(path.join(dir, 'desk', 'hub-token'))).toBe(false);
  });
});
