/**
 * Download… from the desktop (issue 13, part 1), the main-process service against a real hub over
 * HTTP on both engines: the zip lands where the person chose, whole, with progress; the hub's
 * refusals come back with its why before anyone is asked where to save (download policy, a
 * collection without the download right); an outsider hears the same as for a study that does not
 * exist; a cancelled dialog, a hub away, a place that cannot be written and a full disk each get
 * their own sentence and leave no file behind.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeInstance } from '../dicom-write/synthetic-study';
import { testStudySummary } from '../../../server/test-support/study-summary';
import { HUB_ENGINES } from '../../../server/test-support/test-database';
import { startTwoSiteHub, type TwoSiteHub } from '../../../server/test-support/two-site-hub';
import type { SitePolicy } from '../../../shared/permissions/site-policy';
import { AppError } from '../api/app-error';
import { HubClient } from '../sync-client/hub-client';
import { freeDownloadPath } from './downloads-folder';
import { saveFailure, StudyDownloads, type DownloadProgress } from './study-download';

const ROOT = '1.2.826.0.1.3680043.10.1234.661';

describe.each(HUB_ENGINES)('Download… from the desktop, real hub (%s)', (engine) => {
  let fixture: TwoSiteHub;
  let url = '';
  let dir = '';
  let studyId = '';
  const clock = new Date('2031-05-01T08:00:00Z');

  /** A desktop's download service signed in as `who`, saving to `chosen` (null: the dialog cancelled). */
  const desktop = (who: string | null, chosen: string | null, hubUrl = url) => {
    const progress: DownloadProgress[] = [];
    const asked: string[] = [];
    const downloads = new StudyDownloads({
      client: () => (who === null ? null : new HubClient(hubUrl, fixture.people[who].token)),
      choosePath: (name) => {
        asked.push(name);
        return Promise.resolve(chosen);
      },
      progress: (event) => progress.push(event),
    });
    return { downloads, progress, asked };
  };
  const refusal = async (run: Promise<unknown>) => {
    const error = await run.then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    return { code: (error as AppError).code, message: (error as AppError).message };
  };
  const policy = async (change: Partial<SitePolicy>) => {
    const current = (await fixture.call('GET', '/api/site/policy', 'admin')).json<{ policy: SitePolicy }>().policy;
    expect((await fixture.call('PUT', '/api/site/policy', 'admin', { ...current, ...change })).statusCode).toBe(200);
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'studyshare-download-'));
    fixture = await startTwoSiteHub(engine, { now: () => clock });
    await fixture.addPerson('rad', fixture.siteA, 'Radiologist');
    await fixture.addPerson('student', fixture.siteA, 'Physician');
    const [published] = await fixture.operate('rad', { id: randomUUID(), kind: 'study.publish', study: testStudySummary(ROOT, 1) });
    studyId = String(published.value?.studyId);
    for (const n of [1, 2, 3]) {
      const sop = `${ROOT}.1.1.${n}`;
      const bytes = Buffer.from(writeInstance({ studyInstanceUid: `${ROOT}.1`, seriesInstanceUid: `${ROOT}.1.1`, seriesNumber: 1, modality: 'CT', sopInstanceUid: sop, instanceNumber: n }));
      const uploaded = await fixture.hub.inject({ method: 'PUT', url: `/api/studies/${studyId}/files/${sop}`, payload: bytes, headers: { authorization: `Bearer ${fixture.people.rad.token}`, 'content-type': 'application/dicom' } });
      expect(uploaded.statusCode, uploaded.body).toBe(201);
    }
    await fixture.hub.listen({ port: 0, host: '127.0.0.1' });
    const address = fixture.hub.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });

  afterAll(async () => {
    // Clients' idle keep-alive sockets would hold the listening hub open.
    fixture?.hub.server.closeAllConnections();
    await fixture?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('saves the study’s zip where the person chose, whole, telling progress, and leaves no part file', async () => {
    const target = path.join(dir, 'saved.zip');
    const { downloads, progress, asked } = desktop('student', target);
    const outcome = await downloads.download({ hubStudyId: studyId, downloadId: randomUUID() });
    expect(outcome).toMatchObject({ saved: true, path: target });
    expect(asked).toEqual([`study-${studyId.slice(0, 8)}.zip`]);
    // Info-ZIP checks the archive whole and lists it (the same check as the guest page's zip test).
    execFileSync('unzip', ['-tq', target]);
    const names = execFileSync('unzip', ['-Z1', target], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(names).toEqual([1, 2, 3].map((n) => `${ROOT}.1/1-${n}-${ROOT}.1.1.${n}.dcm`));
    expect(progress.at(-1)?.bytes).toBe(outcome.saved ? outcome.bytes : -1);
    expect(readdirSync(dir).filter((name) => name.endsWith('.part'))).toEqual([]);
  });

  it('saves nothing when the save dialog is cancelled', async () => {
    const before = readdirSync(dir);
    expect(await desktop('student', null).downloads.download({ hubStudyId: studyId, downloadId: randomUUID() })).toEqual({ saved: false });
    expect(readdirSync(dir)).toEqual(before);
  });

  it('says why the site’s download policy refuses, before asking where to save; the site’s admin still may', async () => {
    await policy({ download: 'nobody' });
    try {
      const refused = desktop('student', path.join(dir, 'refused.zip'));
      expect(await refusal(refused.downloads.download({ hubStudyId: studyId, downloadId: randomUUID() }))).toEqual({ code: 'no-download', message: expect.stringMatching(/download policy/) });
      expect(refused.asked).toEqual([]);
      expect(existsSync(path.join(dir, 'refused.zip'))).toBe(false);
      expect(await desktop('admin', path.join(dir, 'admin.zip')).downloads.download({ hubStudyId: studyId, downloadId: randomUUID() })).toMatchObject({ saved: true });
    } finally {
      await policy({ download: 'viewers' });
    }
  });

  it('needs the download right of the collection that alone shows the study (the hub’s rule, through the desktop)', async () => {
    await fixture.addPerson('outsider', fixture.siteB, 'Physician');
    const collection = (await fixture.call('POST', '/api/collections', 'rad', { name: 'Cross-site teaching' })).json<{ collection: { id: string } }>().collection.id;
    // A member of site B sees the study only through the collection.
    const invited = await fixture.call('PUT', `/api/collections/${collection}/members`, 'rad', { kind: 'user', memberId: fixture.people.student.id, rights: [] });
    expect(invited.statusCode, invited.body).toBe(200);
    const [added] = await fixture.operate('rad', { id: randomUUID(), kind: 'collection.add', collectionId: collection, study: { id: studyId } });
    expect(added.status).toBe('applied');
    await policy({ viewing: 'participated' });
    try {
      const refused = desktop('student', path.join(dir, 'no-right.zip'));
      expect(await refusal(refused.downloads.download({ hubStudyId: studyId, downloadId: randomUUID() }))).toEqual({ code: 'no-download', message: expect.stringMatching(/rights in the collection/) });
      await fixture.call('PUT', `/api/collections/${collection}/members`, 'rad', { kind: 'user', memberId: fixture.people.student.id, rights: ['download'] });
      expect(await desktop('student', path.join(dir, 'with-right.zip')).downloads.download({ hubStudyId: studyId, downloadId: randomUUID() })).toMatchObject({ saved: true });
    } finally {
      await policy({ viewing: 'site' });
    }
  });

  it('answers someone of another site as for a study that does not exist', async () => {
    const outsider = desktop('adminB', path.join(dir, 'outsider.zip'));
    const seen = await refusal(outsider.downloads.download({ hubStudyId: studyId, downloadId: randomUUID() }));
    const missing = await refusal(outsider.downloads.download({ hubStudyId: randomUUID(), downloadId: randomUUID() }));
    expect(seen).toEqual(missing);
    expect(seen.code).toBe('not-found');
    expect(outsider.asked).toEqual([]);
  });

  it('says so when nobody is signed in, or the hub cannot be reached', async () => {
    expect((await refusal(desktop(null, path.join(dir, 'x.zip')).downloads.download({ hubStudyId: studyId, downloadId: randomUUID() }))).code).toBe('signed-out');
    expect((await refusal(desktop('student', path.join(dir, 'x.zip'), 'http://127.0.0.1:9').downloads.download({ hubStudyId: studyId, downloadId: randomUUID() }))).code).toBe('hub-unreachable');
  });

  it('leaves nothing behind when the chosen place cannot be written to', async () => {
    const target = path.join(dir, 'no-such-folder', 'study.zip');
    expect(await refusal(desktop('student', target).downloads.download({ hubStudyId: studyId, downloadId: randomUUID() }))).toEqual({ code: 'cannot-write', message: expect.stringMatching(/cannot be written/) });
    expect(existsSync(path.dirname(target))).toBe(false);
  });

  it('names a full disk (a real ENOSPC from /dev/full) and a connection dropped mid-file', () => {
    let full: unknown = null;
    try {
      writeFileSync('/dev/full', Buffer.alloc(16));
    } catch (error) {
      full = error;
    }
    expect(saveFailure(full)).toMatchObject({ code: 'disk-full', message: expect.stringMatching(/disk is full/) });
    expect(saveFailure(new TypeError('terminated'))).toMatchObject({ code: 'hub-unreachable' });
  });

  it('in browser mode saves into the downloads folder without overwriting an earlier download', async () => {
    const folder = path.join(dir, 'downloads');
    const first = await freeDownloadPath(folder, 'study-1.zip');
    writeFileSync(first, 'x');
    expect(path.basename(first)).toBe('study-1.zip');
    expect(path.basename(await freeDownloadPath(folder, '../study-1.zip'))).toBe('study-1 (2).zip');
  });
});
