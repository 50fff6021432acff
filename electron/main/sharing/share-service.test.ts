/**
 * Sharing from a desktop against a real hub over HTTP: local studies are put on the hub on the
 * way, each target gets its answer, a share made while the hub is down waits and goes through
 * when it is back, and a refused one says why.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../server/auth/password';
import { addUser, createAccount } from '../../../server/accounts/accounts-repository';
import { importPaths } from '../dicom-import/import-service';
import { testUid, writeInstance } from '../dicom-write/synthetic-study';
import { tempDir } from '../test-support/temp-dir';
import { TestHub } from '../test-support/test-hub';
import { HUB_ENGINES, type HubEngine } from '../../../server/test-support/test-database';
import { signedInDesktop } from '../test-support/signed-in-desktop';

const PASSWORD = 'long enough password';
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function siteOnHub(dir: string, engine: HubEngine) {
  const hub = new TestHub(path.join(dir, 'hub'), engine);
  await hub.start();
  open.push({ close: () => hub.destroy() });
  const db = hub.db!;
  const passwordHash = await hashPassword(PASSWORD);
  const now = new Date();
  const site = await db.transaction().execute((trx) => createAccount(trx, 'Riverside', { name: 'Ada Admin', email: 'ada@r.example', passwordHash }, now));
  const add = (name: string, role: 'Radiologist' | 'Physician' | 'Technologist') =>
    db.transaction().execute((trx) => addUser(trx, site.account.id, { name, email: `${name.split(' ')[0].toLowerCase()}@r.example`, passwordHash, role }, now));
  const rad = await add('Rita Radiologist', 'Radiologist');
  const phys = await add('Paul Physician', 'Physician');
  await add('Tess Tech', 'Technologist');
  return { hub, site, rad, phys };
}

async function desktop(dir: string, url: string, email: string) {
  const signedIn = await signedInDesktop(dir, url, email, PASSWORD);
  open.push(signedIn);
  return signedIn;
}

async function importStudy(dir: string, localDb: Parameters<typeof importPaths>[0], n: number) {
  const input = path.join(dir, `in-${n}`);
  mkdirSync(input);
  [1, 2].forEach((i) => writeFileSync(path.join(input, `${i}.dcm`), writeInstance({ studyInstanceUid: testUid(n), seriesInstanceUid: testUid(n, 1), sopInstanceUid: testUid(n, 1, i), rows: 32, columns: 32 })));
  await importPaths(localDb, { paths: [input] });
  return testUid(n);
}

describe.each(HUB_ENGINES)('ShareService (%s)', (engine) => {
  it('puts local studies on the hub and shares them to each target, saying what happened per target', async () => {
    const dir = tempDir();
    const { hub: testHub } = await siteOnHub(dir, engine);
    const rita = await desktop(path.join(dir, 'rita'), testHub.url, 'rita@r.example');
    const uids = [await importStudy(dir, rita.localDb, 41), await importStudy(dir, rita.localDb, 42)];
    const { targets: people } = await rita.hub.hubRequest<{ targets: { worklistId: string; name: string }[] }>('GET', '/api/share-targets?kind=user&q=paul');
    expect(people.map((p) => p.name)).toEqual(['Paul Physician']);

    const outcome = await rita.sharing.share({
      studies: uids.map((uid) => ({ uid })),
      targets: [{ worklistId: people[0].worklistId, label: 'Paul Physician' }, { email: 'outside@elsewhere.example' }, { email: 'rita@r.example' }],
    });
    expect(outcome.online).toBe(true);
    expect(outcome.targets).toEqual([
      { label: 'Paul Physician', shared: 2, alreadyShared: 0, invited: false, pending: 0, refused: [] },
      { label: 'outside@elsewhere.example', shared: 2, alreadyShared: 0, invited: true, pending: 0, refused: [] },
      { label: 'rita@r.example', shared: 0, alreadyShared: 0, invited: false, pending: 0, refused: uids.map((study) => ({ study, reason: 'You cannot share a study with yourself.' })) },
    ]);
    await rita.hub.settled();
    // The files went up behind the publish: a share is a reference to the one copy on the hub.
    const hubId = rita.hub.hubStudyId(uids[0])!;
    expect(readdirSync(path.join(dir, 'hub', 'blobs', hubId))).toHaveLength(2);

    const again = await rita.sharing.share({ studies: [{ uid: uids[0] }], targets: [{ worklistId: people[0].worklistId, label: 'Paul Physician' }] });
    expect(again.targets[0]).toMatchObject({ shared: 0, alreadyShared: 1 });

    const view = await rita.sharing.study({ uid: uids[0] });
    expect(view.live).toBe(true);
    expect(view.shares.map((s) => `${s.target.kind}:${s.target.name}:${s.invitationPending}`)).toEqual(['personal:Paul Physician:false', 'person:outside@elsewhere.example:true']);
    expect(view.shares[0].sharedBy.name).toBe('Rita Radiologist');
    expect(view.series).toEqual([expect.objectContaining({ instanceCount: 2 })]);
    expect(view.queued.map((q) => `${q.state}:${q.target}`)).toEqual(['refused:rita@r.example']);
    expect(rita.sharing.states(uids)).toEqual({ [uids[0]]: { shared: 2, pending: 0, refused: 1 }, [uids[1]]: { shared: 2, pending: 0, refused: 1 } });

    // The physician sees both in their personal worklist; removing one share takes out just that.
    const paul = await desktop(path.join(dir, 'paul'), testHub.url, 'paul@r.example');
    const personal = (await paul.hub.hubRequest<{ worklists: { id: string; kind: string }[] }>('GET', '/api/worklists')).worklists.find((w) => w.kind === 'personal')!;
    const listed = async () => (await paul.hub.hubRequest<{ total: number }>('GET', `/api/worklists/${personal.id}/studies`)).total;
    expect(await listed()).toBe(2);
    const paulShare = view.shares[0];
    expect(await rita.sharing.remove({ shareId: paulShare.id, study: { uid: uids[0] }, label: 'Paul Physician' })).toEqual({ state: 'removed', reason: null });
    expect(await listed()).toBe(1);
    expect((await rita.sharing.study({ uid: uids[0] })).shares.map((s) => s.target.name)).toEqual(['outside@elsewhere.example']);
    expect(await paul.sharing.remove({ shareId: view.shares[1].id, study: { hubId }, label: 'outside' })).toMatchObject({ state: 'refused' });

    // Refusals stay listed until dismissed; then the marks and the list are clear.
    expect(rita.hub.status().sync.rejected.map((r) => `${r.kind} ${r.target}: ${r.reason}`)).toEqual([
      'share.create rita@r.example: You cannot share a study with yourself.',
      'share.create rita@r.example: You cannot share a study with yourself.',
    ]);
    rita.hub.dismissRefused();
    expect(rita.hub.status().sync.rejected).toEqual([]);
    expect(rita.sharing.states([uids[1]])).toEqual({ [uids[1]]: { shared: 2, pending: 0, refused: 0 } });
  });

  it('keeps a share made while the hub is down, shows it pending, and sends it when the hub is back', async () => {
    const dir = tempDir();
    const { hub: testHub } = await siteOnHub(dir, engine);
    const rita = await desktop(path.join(dir, 'rita'), testHub.url, 'rita@r.example');
    const uid = await importStudy(dir, rita.localDb, 43);
    const { targets } = await rita.hub.hubRequest<{ targets: { worklistId: string }[] }>('GET', '/api/share-targets?kind=user&q=paul');

    await testHub.stop();
    const outcome = await rita.sharing.share({ studies: [{ uid }], targets: [{ worklistId: targets[0].worklistId, label: 'Paul Physician' }] });
    expect(outcome).toEqual({ online: false, targets: [{ label: 'Paul Physician', shared: 0, alreadyShared: 0, invited: false, pending: 1, refused: [] }] });
    await rita.hub.settled();
    expect(rita.sharing.states([uid])).toEqual({ [uid]: { shared: 0, pending: 1, refused: 0 } });
    const offline = await rita.sharing.study({ uid });
    expect(offline).toMatchObject({ hubStudyId: null, live: false, queued: [{ kind: 'share.create', target: 'Paul Physician', state: 'pending', reason: null }] });
    expect(rita.hub.status().sync).toMatchObject({ pending: 2 });

    await testHub.start();
    await rita.hub.syncNow();
    await rita.hub.settled();
    expect(rita.hub.status().sync).toMatchObject({ state: 'online', pending: 0, uploadsPending: 0 });
    expect(rita.sharing.states([uid])).toEqual({ [uid]: { shared: 1, pending: 0, refused: 0 } });
    const online = await rita.sharing.study({ uid });
    expect(online.shares.map((s) => s.target.name)).toEqual(['Paul Physician']);
    // Complete on the hub: each of its files confirmed.
    expect(online.files).toEqual({ waiting: 0, total: 2 });
    expect(existsSync(path.join(dir, 'hub', 'blobs', online.hubStudyId!))).toBe(true);
  });

  it('asks for sign-in before sharing, and names a study that left the index', async () => {
    const dir = tempDir();
    const { hub: testHub } = await siteOnHub(dir, engine);
    const rita = await desktop(path.join(dir, 'rita'), testHub.url, 'rita@r.example');
    await expect(rita.sharing.share({ studies: [{ uid: '1.2.3.4.5' }], targets: [{ email: 'a@b.example' }] })).rejects.toMatchObject({ code: 'not-found' });
    await rita.hub.signOut();
    await expect(rita.sharing.share({ studies: [{ uid: '1.2.3.4.5' }], targets: [{ email: 'a@b.example' }] })).rejects.toMatchObject({ code: 'signed-out' });
  });
});
