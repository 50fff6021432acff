/**
 * DICOM networking with a real hub (issue 17): studies that DCMTK's storescu sends into the
 * listener are put on the hub by themselves once each has been quiet for a while (through the
 * outbox, so a hub that is away gets them when it is back), and a send to DCMTK's storescp of
 * a study the hub knows is recorded on that study's audit trail there.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HUB_ENGINES } from '../../../server/test-support/test-database';
import { EventBus } from '../api/event-bus';
import { testUid, writeInstance } from '../dicom-write/synthetic-study';
import { freePort } from '../test-support/free-port';
import { signedInDesktop, type SignedInDesktop } from '../test-support/signed-in-desktop';
import { tempDir } from '../test-support/temp-dir';
import { TestHub } from '../test-support/test-hub';
import { DicomNetService } from './dicom-net-service';
import { writeListenerSettings } from './dicom-net-store';
import { signedInSync } from './hub-outbox';
import { hasDcmtkNetworkTools, runTool, startTool, waitForPort } from './test-support/dcmtk';

const available = hasDcmtkNetworkTools();
if (!available && process.env.CI) throw new Error('dcmtk is required in CI (.ci/run installs it)');

const QUIET_MS = 1500;
const open: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

function writeStudy(folder: string, study: number, count: number): string[] {
  mkdirSync(folder, { recursive: true });
  return Array.from({ length: count }, (_, n) => {
    const i = n + 1;
    const file = path.join(folder, `${study}-${i}.dcm`);
    writeFileSync(
      file,
      writeInstance({ patientName: `Hub^Test${study}`, patientId: `H${study}`, studyInstanceUid: testUid(760, study), seriesInstanceUid: testUid(760, study, 1), sopInstanceUid: testUid(760, study, 1, i), instanceNumber: i, rows: 16, columns: 16 }),
    );
    return file;
  });
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function setUp(engine: (typeof HUB_ENGINES)[number]): Promise<{ hub: TestHub; desktop: SignedInDesktop; dicom: DicomNetService; port: number; dir: string }> {
  const dir = tempDir('studyshare-dicom-hub-');
  const hub = new TestHub(path.join(dir, 'hub'), engine);
  await hub.start();
  open.push({ close: () => hub.destroy() });
  await hub.setUpSite();
  const desktop = await signedInDesktop(path.join(dir, 'desktop'), hub.url, 'admin@site.example', 'long enough password');
  open.push(desktop);
  const port = await freePort();
  writeListenerSettings(desktop.localDb, { enabled: true, port, aeTitle: 'STUDYSHARE', allowedAeTitles: [], allowedAddresses: [], autoPublish: true });
  const dicom = new DicomNetService({
    db: desktop.localDb,
    bus: new EventBus(),
    libraryDir: path.join(dir, 'library'),
    actor: () => 'Admin',
    hub: { sync: () => signedInSync(desktop.hub), syncSoon: () => desktop.hub.syncSoon(), hubStudyId: (uid) => desktop.hub.hubStudyId(uid) },
    publishQuietMs: QUIET_MS,
  });
  await dicom.start();
  open.push({ close: () => dicom.close() });
  return { hub, desktop, dicom, port, dir };
}

const storescu = (port: number, files: readonly string[]) => runTool('storescu', ['-aet', 'MODALITY', '-aec', 'STUDYSHARE', '127.0.0.1', String(port), ...files]);

describe.skipIf(!available).each(HUB_ENGINES)('DICOM networking with a hub (%s)', (engine) => {
  it('puts studies received by the listener on the hub once each is quiet, waiting in the outbox while the hub is away', async () => {
    const { hub, desktop, dicom, port, dir } = await setUp(engine);
    // The hub goes away: what arrives meanwhile waits in the outbox.
    await hub.stop();
    const first = writeStudy(path.join(dir, 's1'), 1, 4);
    // Study 1 arrives in two associations (as a modality sending series by series): the quiet
    // period starts again with the second, so it is published once, whole.
    expect((await storescu(port, first.slice(0, 2))).code).toBe(0);
    expect(dicom.status().listener).toMatchObject({ received: 2, published: 0, publishWaiting: 1 });
    expect((await storescu(port, [...first.slice(2), ...writeStudy(path.join(dir, 's2'), 2, 3)])).code).toBe(0);
    expect(dicom.status().listener).toMatchObject({ received: 7, published: 0, publishWaiting: 2 });
    await waitFor('both studies queued', () => dicom.status().listener.published === 2);
    expect(dicom.status().listener).toMatchObject({ publishWaiting: 0, publishNote: null });
    const queued = desktop.localDb.prepare("SELECT study_uid AS uid FROM outbox WHERE kind = 'study.publish' ORDER BY study_uid").all();
    expect(queued).toEqual([{ uid: testUid(760, 1) }, { uid: testUid(760, 2) }]);

    // The hub is back: the studies and every file reach it, each once.
    await hub.start();
    await desktop.hub.syncNow();
    // Both the outbox's publishes and then their files: no upload is queued before its publish is
    // applied, so "no upload pending" alone holds while the publishes still wait (a flake seen once).
    await waitFor('the publishes and their uploads', async () => {
      await desktop.hub.settled();
      const { pending, uploadsPending } = desktop.hub.status().sync;
      return pending === 0 && uploadsPending === 0;
    });
    expect(await hub.count('studies')).toBe(2);
    expect(await hub.count('study_files')).toBe(7);
    const onHub = await hub.db!.selectFrom('studies').select(['study_uid', 'summary']).orderBy('study_uid').execute();
    expect(onHub.map((row) => [row.study_uid, (JSON.parse(row.summary) as { instanceCount: number }).instanceCount])).toEqual([
      [testUid(760, 1), 4],
      [testUid(760, 2), 3],
    ]);

    // Turned off: a study received now stays on this computer.
    const settings = { enabled: true, port, aeTitle: 'STUDYSHARE', allowedAeTitles: [], allowedAddresses: [], autoPublish: false };
    await dicom.setListener(settings);
    expect((await storescu(port, writeStudy(path.join(dir, 's3'), 3, 2))).code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS + 500));
    expect(dicom.status().listener).toMatchObject({ received: 9, published: 2, publishWaiting: 0 });
    expect(desktop.localDb.prepare("SELECT count(*) AS n FROM outbox WHERE kind = 'study.publish'").get()).toEqual({ n: 2 });
  }, 90_000);

  it('records a send of a study the hub knows on its audit trail, and says nobody is signed in when nobody is', async () => {
    const { hub, desktop, dicom, port, dir } = await setUp(engine);
    expect((await storescu(port, writeStudy(path.join(dir, 's4'), 4, 3))).code).toBe(0);
    expect((await storescu(port, writeStudy(path.join(dir, 's5'), 5, 2))).code).toBe(0);
    await waitFor('published', () => dicom.status().listener.published === 2);
    await desktop.hub.syncNow();
    await desktop.hub.settled();
    const hubId = desktop.hub.hubStudyId(testUid(760, 4));
    expect(hubId).not.toBeNull();

    const pacsPort = await freePort();
    const pacs = startTool('storescp', ['-aet', 'PACS', '-od', path.join(dir, 'pacs'), String(pacsPort)]);
    mkdirSync(path.join(dir, 'pacs'), { recursive: true });
    open.push({ close: () => void pacs.kill('SIGTERM') });
    await waitForPort(pacsPort);
    const node = dicom.saveNode({ name: 'Main PACS', aeTitle: 'PACS', host: '127.0.0.1', port: pacsPort, retrieve: 'move' });
    const { jobId } = dicom.send({ nodeId: node.id, studies: [testUid(760, 4)], series: [] });
    await waitFor('the send', () => dicom.status().jobs.find((job) => job.id === jobId)?.state === 'done');
    await waitFor('the record on the hub', async () => {
      await desktop.hub.syncNow();
      const rows = await hub.db!.selectFrom('audit_events').select('study_id').where('action', '=', 'study.dicom-send').execute();
      return rows.length > 0;
    });
    const events = await hub.db!.selectFrom('audit_events').select(['study_id', 'trail', 'detail']).where('action', '=', 'study.dicom-send').execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ study_id: hubId, trail: 'study' });
    expect(JSON.parse(events[0].detail)).toMatchObject({ nodeAeTitle: 'PACS', nodeHost: '127.0.0.1', nodePort: pacsPort, instances: 3, sent: 3, failed: 0, outcome: 'done' });

    // Signed out: received studies stay here, and the listener says why.
    await desktop.hub.signOut();
    expect((await storescu(port, writeStudy(path.join(dir, 's6'), 6, 1))).code).toBe(0);
    await waitFor('the note', () => dicom.status().listener.publishNote !== null);
    expect(dicom.status().listener).toMatchObject({ published: 2, publishNote: expect.stringMatching(/nobody is signed in/) });
  }, 90_000);
});
