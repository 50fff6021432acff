/**
 * End to end in Chromium (issue 13, part 1): Actions → Download… on a hub study saves its zip
 * through main (in browser mode into the app's downloads folder; the Electron shell asks with a
 * save dialog), with the saved place in the status line; under a site policy of "nobody
 * downloads" the same action says the hub's why and saves nothing. Opening in the viewer a
 * study that left the reader (made private after the list was shown) answers "You do not have
 * access" with Request access, which reaches the study's site's admin.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeInstance } from '../electron/main/dicom-write/synthetic-study';
import { type RunningApp, screenshot, screenshotFailures, tearDownInOrder } from './support/app-harness';
import { type HubServer, PASSWORD, startHubServer } from './support/hub-server';
import { openSignedInDesk } from './support/signed-in-desk';

const UID = '1.2.826.0.1.3680043.10.1.662';

describe('Download… a hub study from the desktop', () => {
  let hub: HubServer;
  let desk: RunningApp;
  let browser: Browser;
  let page: Page;
  let adminToken = '';

  beforeAll(async () => {
    hub = await startHubServer();
    const site = await hub.site('Lakeside', 'lakeside.example');
    adminToken = site.adminToken;
    await hub.user(site.accountId, 'Lena Rad', 'lena@lakeside.example', 'Radiologist');
    const { results } = await hub.api<{ results: { value: { studyId: string } }[] }>(adminToken, 'POST', '/api/operations', {
      operations: [
        {
          id: randomUUID(),
          kind: 'study.publish',
          study: { studyInstanceUid: UID, patientName: 'Lake^Patient', patientId: 'P-662', patientBirthDate: '1970-01-01', studyDate: '2026-11-20', studyTime: '10:00:00', patientSex: 'F', accessionNumber: 'A-662', studyDescription: 'CT Chest', referringPhysicianName: null, institutionName: 'Lakeside', modalities: ['CT'], seriesCount: 1, instanceCount: 1 },
        },
      ],
    });
    const sop = `${UID}.1.1`;
    const bytes = Buffer.from(writeInstance({ studyInstanceUid: UID, seriesInstanceUid: `${UID}.1`, seriesNumber: 1, modality: 'CT', sopInstanceUid: sop, instanceNumber: 1 }));
    const uploaded = await hub.app.inject({ method: 'PUT', url: `/api/studies/${results[0].value.studyId}/files/${sop}`, payload: bytes, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/dicom' } });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    ({ desk, browser, page } = await openSignedInDesk(hub.url, 'lena@lakeside.example', PASSWORD));
  });

  screenshotFailures(() => ({ '': page }));

  tearDownInOrder(() => [browser, desk, hub]);

  const selectTheStudy = async () => {
    await page.getByRole('list', { name: 'Hub studies' }).getByRole('link', { name: 'All I can see' }).click();
    const grid = page.getByRole('grid', { name: /All I can see/ });
    const row = grid.locator('.grid-body [role="row"]').filter({ hasText: 'Lake, Patient' });
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    await row.click();
  };

  it('saves the zip through main and says where', async () => {
    await selectTheStudy();
    await page.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: 'Download…' }).click();
    const status = page.getByRole('status', { name: 'Download' });
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toMatch(/Study saved \(\d+ KB\) to .*downloads.*study-[0-9a-f]{8}\.zip/);
    await screenshot(page, '56-study-downloaded');
    const folder = path.join(desk.dataDir, 'downloads');
    const saved = readdirSync(folder);
    expect(saved).toHaveLength(1);
    execFileSync('unzip', ['-tq', path.join(folder, saved[0])]);
    await status.getByRole('button', { name: 'Dismiss download message' }).click();
    await expect.poll(() => status.count()).toBe(0);
  });

  it('says the hub’s why when the site lets nobody download, and saves nothing', async () => {
    const current = (await hub.api<{ policy: Record<string, unknown> }>(adminToken, 'GET', '/api/site/policy')).policy;
    const changed = await hub.app.inject({ method: 'PUT', url: '/api/site/policy', payload: { ...current, download: 'nobody' }, headers: { authorization: `Bearer ${adminToken}` } });
    expect(changed.statusCode, changed.body).toBe(200);
    await selectTheStudy();
    await page.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: 'Download…' }).click();
    const alert = page.getByRole('alert', { name: 'Download' });
    await expect.poll(() => alert.textContent(), { timeout: 15_000 }).toMatch(/Not downloaded: .*download policy does not let you download/);
    await screenshot(page, '57-download-refused');
    expect(readdirSync(path.join(desk.dataDir, 'downloads'))).toHaveLength(1);
    expect(existsSync(path.join(desk.dataDir, 'downloads', 'study-1.zip'))).toBe(false);
  });

  it('answers “You do not have access” in the viewer, with Request access, for a study that left the reader after the list was shown', async () => {
    await page.getByRole('list', { name: 'Hub studies' }).getByRole('link', { name: 'All I can see' }).click();
    const row = page.getByRole('grid', { name: /All I can see/ }).locator('.grid-body [role="row"]').filter({ hasText: 'Lake, Patient' });
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    // The study becomes private: Lena no longer sees it, though her list still shows the row. It is
    // written into the hub's database, not sent as an operation, so no change signal reaches her
    // desktop and drops the row under the double-click (the stale row of a missed signal).
    await hub.db.updateTable('studies').set({ private: 1 }).where('study_uid', '=', UID).execute();
    await row.dblclick();
    // The details pane behind the viewer says the same; the viewer's own screen is the one to use.
    const viewer = page.getByRole('dialog', { name: 'Viewer' });
    const region = viewer.getByRole('region', { name: 'You do not have access' });
    await expect.poll(() => region.count(), { timeout: 15_000 }).toBe(1);
    expect(await region.textContent()).not.toContain('Lake');
    await region.getByRole('button', { name: 'Request access' }).click();
    await expect.poll(() => region.textContent()).toMatch(/Asked\./);
    expect(await viewer.locator('.viewer-title').textContent()).toBe('No access');
    await screenshot(page, '58-viewer-no-access');
    const requests = await hub.api<{ incoming: unknown[] }>(adminToken, 'GET', '/api/access-requests');
    expect(requests.incoming).toHaveLength(1);
  });
});
