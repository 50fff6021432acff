import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HubStatus } from '../../../shared/contract';
import { AppError } from '../api/app-error';
import { EventBus } from '../api/event-bus';
import { openIndexDatabase } from '../db/connection';
import { importPaths } from '../dicom-import/import-service';
import { testUid, writeInstance } from '../dicom-write/synthetic-study';
import { tempDir } from '../test-support/temp-dir';
import { HubConnection, type HubConnectionOptions } from './hub-connection';
import { TokenStore } from './token-store';

function connect(dataDir: string, bus = new EventBus(), options: Partial<HubConnectionOptions> = { defaultMode: 'embedded' }) {
  const localDb = openIndexDatabase(path.join(dataDir, 'index.sqlite'));
  const tokens = new TokenStore(path.join(dataDir, 'hub-token'));
  return { hub: new HubConnection({ dataDir, localDb, bus, tokens, syncEveryMs: 0, ...options }), localDb, tokens };
}

const SETUP = { siteName: 'Riverside Imaging', adminName: 'Ada Admin', email: 'ada@riverside.example', password: 'correct horse battery' };

describe('HubConnection with the embedded hub', () => {
  it('starts the hub in-process, asks for first-run setup, and signs the admin in', async () => {
    const dataDir = tempDir();
    const bus = new EventBus();
    const events: HubStatus[] = [];
    bus.subscribe((name, payload) => name === 'hub:status' && events.push(payload as HubStatus));
    const { hub, localDb, tokens } = connect(dataDir, bus);
    await hub.start();
    expect(hub.status()).toMatchObject({ mode: 'embedded', needsSetup: true, user: null, sync: { state: 'signed-out' } });
    expect(hub.status().url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const status = await hub.setup(SETUP);
    expect(status).toMatchObject({ needsSetup: false, user: { name: 'Ada Admin', role: 'Admin' }, tokenEncrypted: false });
    expect(JSON.stringify(status)).not.toContain(tokens.load());
    expect(statSync(path.join(dataDir, 'hub-token')).mode & 0o777).toBe(0o600);
    await expect(hub.setup(SETUP)).rejects.toMatchObject({ code: 'already-set-up' });
    expect(events.length).toBeGreaterThan(1);
    await hub.close();
    localDb.close();
  });

  it('hands the site’s lock time to the workstation at sign-in, and an admin sets it on the hub', async () => {
    const dataDir = tempDir();
    const signedIn: { id: string; lockMinutes: number | null; permissions: readonly string[] }[] = [];
    const changed: [string, number | null][] = [];
    const { hub, localDb } = connect(dataDir, new EventBus(), {
      defaultMode: 'embedded',
      onSignedIn: (user) => signedIn.push(user),
      onSiteLockMinutes: (userId, minutes) => changed.push([userId, minutes]),
    });
    await hub.start();
    await hub.setup(SETUP);
    expect(signedIn).toEqual([expect.objectContaining({ lockMinutes: 15, permissions: expect.arrayContaining(['admin.users']) })]);
    expect(await hub.setSiteLockMinutes(7)).toBe(7);
    expect(changed).toEqual([[signedIn[0].id, 7]]);
    await expect(hub.setSiteLockMinutes(0)).rejects.toMatchObject({ code: 'invalid-input' });
    // The next sign-in reads it from the hub.
    await hub.signOut();
    await hub.signIn({ email: SETUP.email, password: SETUP.password });
    expect(signedIn.at(-1)).toMatchObject({ lockMinutes: 7 });
    await hub.close();
    localDb.close();
  });

  it('stays signed in across restarts, with the token kept in the data folder only', async () => {
    const dataDir = tempDir();
    const first = connect(dataDir);
    await first.hub.start();
    await first.hub.setup(SETUP);
    await first.hub.close();
    first.localDb.close();

    const second = connect(dataDir);
    await second.hub.start();
    expect(second.hub.status()).toMatchObject({ needsSetup: false, user: { email: 'ada@riverside.example' } });
    expect((await second.hub.syncNow()).sync.state).toBe('online');
    expect(JSON.parse(readFileSync(path.join(dataDir, 'hub.json'), 'utf8'))).toEqual({ mode: 'embedded', embedded: { lan: false, publicUrl: null, port: second.hub.status().embedded!.port } });

    await second.hub.signOut();
    expect(second.hub.status()).toMatchObject({ user: null, sync: { state: 'signed-out' } });
    expect(existsSync(path.join(dataDir, 'hub-token'))).toBe(false);
    await second.hub.close();
    second.localDb.close();
  });

  it('runs the admin screens’ calls with the user’s permissions', async () => {
    const dataDir = tempDir();
    const { hub, localDb } = connect(dataDir);
    await hub.start();
    await hub.setup(SETUP);
    await hub.hubRequest('POST', '/api/locations', { name: 'North Wing' });
    await hub.hubRequest('POST', '/api/users', { name: 'Tess Tech', email: 'tess@riverside.example', password: 'long enough password', role: 'Technologist' });
    const overview = await hub.adminOverview();
    expect(overview.users.map((u) => u.name)).toEqual(['Ada Admin', 'Tess Tech']);
    expect(overview.roles).toHaveLength(6);
    expect(overview.locations.map((l) => l.name)).toEqual(['North Wing']);
    expect(overview.worklists.map((w) => w.kind).sort()).toEqual(['location', 'personal']);
    await expect(hub.hubRequest('POST', '/api/users', { name: 'Again', email: 'tess@riverside.example', password: 'long enough password', role: 'Technologist' })).rejects.toEqual(
      new AppError('email-taken', 'A user with this email address already exists.'),
    );

    await hub.signOut();
    await hub.signIn({ email: 'tess@riverside.example', password: 'long enough password' });
    const asTech = await hub.adminOverview();
    expect(asTech.users).toEqual([]);
    expect(asTech.roles).toEqual([]);
    await expect(hub.hubRequest('POST', '/api/locations', { name: 'Sneaky' })).rejects.toMatchObject({ code: 'forbidden' });
    await hub.close();
    localDb.close();
  });

  it('says clearly when the password is wrong or a remote hub cannot be reached', async () => {
    const dataDir = tempDir();
    const { hub, localDb } = connect(dataDir);
    await hub.start();
    await hub.setup(SETUP);
    await hub.signOut();
    await expect(hub.signIn({ email: SETUP.email, password: 'not the password' })).rejects.toMatchObject({
      code: 'wrong-credentials',
      message: 'The email address or the password is wrong.',
    });
    await expect(hub.signIn({ url: 'http://127.0.0.1:1', email: SETUP.email, password: SETUP.password })).rejects.toMatchObject({ code: 'hub-unreachable' });
    await hub.close();
    localDb.close();
  });

  it('uploads a local study to the hub in the background, files intact', async () => {
    const dataDir = tempDir();
    const { hub, localDb } = connect(dataDir);
    await hub.start();
    await hub.setup(SETUP);
    const input = path.join(dataDir, 'in');
    mkdirSync(input);
    const files = [1, 2, 3].map((i) => writeInstance({ studyInstanceUid: testUid(31), seriesInstanceUid: testUid(31, 1), sopInstanceUid: testUid(31, 1, i), rows: 64, columns: 64 }));
    files.forEach((bytes, i) => writeFileSync(path.join(input, `${i}.dcm`), bytes));
    await importPaths(localDb, { paths: [input] });

    const { hubStudyId, files: count } = await hub.uploadStudy(testUid(31));
    expect(count).toBe(3);
    await hub.settled();
    expect(hub.status().sync).toMatchObject({ state: 'online', uploadsPending: 0 });
    const blobs = readdirSync(path.join(dataDir, 'hub', 'blobs', hubStudyId)).sort();
    expect(blobs).toEqual([1, 2, 3].map((i) => `${testUid(31, 1, i)}.dcm`).sort());
    expect(readFileSync(path.join(dataDir, 'hub', 'blobs', hubStudyId, `${testUid(31, 1, 2)}.dcm`)).equals(Buffer.from(files[1]))).toBe(true);
    await expect(hub.uploadStudy('1.2.3.999')).rejects.toMatchObject({ code: 'not-found' });
    await hub.close();
    localDb.close();
  });
});
