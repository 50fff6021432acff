/**
 * Viewing sessions against a real hub over HTTP: a local study's instances are served from its
 * files by opaque keys (no path reaches the manifest); a study only the hub has streams from the
 * hub to the people it is shared with, is cached, and is recorded once as viewed; someone it is
 * not shared with is refused; a hub that goes away mid-series leaves what is cached and says so
 * for the rest.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../server/auth/password';
import { addUser, createAccount } from '../../../server/accounts/accounts-repository';
import { HUB_ENGINES, type HubEngine } from '../../../server/test-support/test-database';
import { AppError } from '../api/app-error';
import { importPaths } from '../dicom-import/import-service';
import { testUid, writeInstance } from '../dicom-write/synthetic-study';
import { localStudyVisible } from '../study-index/local-visibility';
import { findStudy } from '../study-index/study-lookup';
import { signedInDesktop, type SignedInDesktop } from '../test-support/signed-in-desktop';
import { tempDir } from '../test-support/temp-dir';
import { TestHub } from '../test-support/test-hub';
import { ViewerService } from './viewer-service';

const PASSWORD = 'long enough password';
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function site(dir: string, engine: HubEngine) {
  const hub = new TestHub(path.join(dir, 'hub'), engine);
  await hub.start();
  open.push({ close: () => hub.destroy() });
  const db = hub.db!;
  const passwordHash = await hashPassword(PASSWORD);
  const now = new Date();
  await db.transaction().execute((trx) => createAccount(trx, 'Riverside', { name: 'Ada Admin', email: 'ada@r.example', passwordHash }, now));
  const account = await db.selectFrom('accounts').select('id').executeTakeFirstOrThrow();
  for (const [name, role] of [['Rita Radiologist', 'Radiologist'], ['Paul Physician', 'Physician'], ['Pia Physician', 'Physician']] as const) {
    await db.transaction().execute((trx) => addUser(trx, account.id, { name, email: `${name.split(' ')[0].toLowerCase()}@r.example`, passwordHash, role }, now));
  }
  // Someone of another site, with whom nothing is shared.
  await db.transaction().execute((trx) => createAccount(trx, 'Elsewhere', { name: 'Oscar Other', email: 'oscar@o.example', passwordHash }, now));
  return hub;
}

async function desktop(dir: string, url: string, email: string): Promise<SignedInDesktop> {
  const signedIn = await signedInDesktop(dir, url, email, PASSWORD);
  open.push(signedIn);
  return signedIn;
}

function viewerFor(desk: SignedInDesktop, dataDir: string, viewerUserId: string | null): ViewerService {
  return new ViewerService({
    db: desk.localDb,
    dataDir,
    localVisible: (uid) => localStudyVisible(desk.localDb, uid, { hubUserId: viewerUserId }),
    findStudy: (uid) => findStudy(desk.localDb, uid),
    recordOpened: async (ref) => {
      const seen = await desk.sharing.study(ref, true);
      return { hubStudyId: seen.hubStudyId, summary: seen.summary };
    },
    hubRoute: (route, input) => desk.hub.hubRoute(route, input),
    hubBytes: (pathname) => desk.hub.hubBytes(pathname),
  });
}

describe.each(HUB_ENGINES)('ViewerService (%s)', (engine) => {
  it('serves a local study by opaque keys, streams a shared one from the hub with a cache, and refuses who may not see it', async () => {
    const dir = tempDir();
    const hub = await site(dir, engine);
    const rita = await desktop(path.join(dir, 'rita'), hub.url, 'rita@r.example');
    const input = path.join(dir, 'input');
    mkdirSync(input);
    const files = [3, 1, 2].map((i) => {
      const file = path.join(input, `${i}.dcm`);
      writeFileSync(file, writeInstance({ studyInstanceUid: testUid(71), seriesInstanceUid: testUid(71, 1), sopInstanceUid: testUid(71, 1, i), instanceNumber: i, rows: 32, columns: 32 }));
      return file;
    });
    await importPaths(rita.localDb, { paths: [input] });

    const ritaViewer = viewerFor(rita, path.join(dir, 'rita'), null);
    const local = await ritaViewer.open({ uid: testUid(71) });
    expect(local.source).toBe('local');
    expect(local.series).toHaveLength(1);
    expect(local.series[0].instances.map((instance) => instance.instanceNumber)).toEqual([1, 2, 3]);
    // The renderer learns keys, never where the files are.
    expect(JSON.stringify(local)).not.toContain(input);
    const first = await ritaViewer.serve(`${local.sessionId}/${local.series[0].instances[0].key}`);
    expect('body' in first && Buffer.from(first.body).equals(readFileSync(files[1]))).toBe(true);
    expect(await ritaViewer.serve(`${local.sessionId}/nope`)).toMatchObject({ status: 404, code: 'session-ended' });
    expect(await ritaViewer.serve(`../../etc/passwd`)).toMatchObject({ status: 404 });
    ritaViewer.close(local.sessionId);
    expect(await ritaViewer.serve(`${local.sessionId}/${local.series[0].instances[0].key}`)).toMatchObject({ status: 404, code: 'session-ended' });

    // Shared with Paul: he opens it from the hub (his desktop has no copy).
    const { targets } = await rita.hub.hubRequest<{ targets: { worklistId: string; name: string }[] }>('GET', '/api/share-targets?kind=user&q=paul');
    await rita.sharing.share({ studies: [{ uid: testUid(71) }], targets: [{ worklistId: targets[0].worklistId, label: 'Paul Physician' }] });
    await rita.hub.settled();
    const hubId = rita.hub.hubStudyId(testUid(71))!;
    const paul = await desktop(path.join(dir, 'paul'), hub.url, 'paul@r.example');
    const paulViewer = viewerFor(paul, path.join(dir, 'paul'), paul.hub.userId);
    const remote = await paulViewer.open({ hubId });
    expect(remote.source).toBe('hub');
    expect(remote.study.studyInstanceUid).toBe(testUid(71));
    expect(remote.series[0].instances.map((instance) => instance.sopInstanceUid)).toEqual([1, 2, 3].map((i) => testUid(71, 1, i)));
    const keys = remote.series[0].instances.map((instance) => `${remote.sessionId}/${instance.key}`);
    const fromHub = await paulViewer.serve(keys[0]);
    expect('body' in fromHub && Buffer.from(fromHub.body).equals(readFileSync(files[1]))).toBe(true);
    expect(paulViewer.cachedBytes).toBe(readFileSync(files[1]).length);
    // Opening is recorded once on the study's trail, as a view by Paul; serving frames records nothing more.
    await paulViewer.serve(keys[1]);
    const views = await hub.db!.selectFrom('audit_events').innerJoin('users', 'users.id', 'audit_events.actor_id').select(['users.email']).where('action', '=', 'study.view').execute();
    expect(views.map((view) => view.email)).toEqual(['paul@r.example']);

    // The hub goes away mid-series: what is cached still shows; the rest says why.
    await hub.stop();
    expect('body' in (await paulViewer.serve(keys[0]))).toBe(true);
    expect(await paulViewer.serve(keys[2])).toMatchObject({ status: 503, code: 'hub-unreachable' });
    await hub.start();

    // Oscar, of another site, was not shared the study: the hub refuses, as if it were not there.
    const oscar = await desktop(path.join(dir, 'oscar'), hub.url, 'oscar@o.example');
    await expect(viewerFor(oscar, path.join(dir, 'oscar'), oscar.hub.userId).open({ hubId })).rejects.toBeInstanceOf(AppError);
  });
});
