/**
 * End to end in Chromium (issue 13, item 1; visibility rule 14): the admin chooses "Participated
 * only" with the de-identified view of department studies in Administration → Organisation; a
 * radiologist then sees her department colleague's study in "All I can see" under its pseudonym
 * with a De-identified badge, finds Share and the other refused actions disabled with why, and
 * opens it: the viewer draws the de-identified images, and its overlay shows the pseudonym, never
 * the patient's name or ID.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeInstance } from '../electron/main/dicom-write/synthetic-study';
import { type RunningApp, screenshot, screenshotFailures, tearDownInOrder } from './support/app-harness';
import { openSignedInDesk } from './support/signed-in-desk';
import { type HubServer, PASSWORD, startHubServer } from './support/hub-server';

const ROOT = '1.2.826.0.1.3680043.10.1234.881';
const NAME = 'Quincey^Zebulon';
const PATIENT_ID = 'QZ-44001';

type ProbeState = { rendered: number; error: string | null; imageId: string | null } | null;

describe('the de-identified view of department studies', () => {
  let hub: HubServer;
  let desk: RunningApp;
  let browser: Browser;
  let page: Page;

  const signIn = async (email: string) => {
    await desk.app.hub.signIn({ url: hub.url, email, password: PASSWORD });
    await expect.poll(() => page.getByRole('button', { name: /^Hub: / }).getAttribute('title')).toContain(email);
  };
  const token = async (email: string) => (await hub.app.inject({ method: 'POST', url: '/api/sessions', payload: { email, password: PASSWORD } })).json<{ token: string }>().token;

  beforeAll(async () => {
    hub = await startHubServer();
    const riverside = await hub.site('Riverside', 'riverside.example');
    const dana = await hub.user(riverside.accountId, 'Dana Neuro', 'dana@riverside.example', 'Radiologist');
    const rex = await hub.user(riverside.accountId, 'Rex Neuro', 'rex@riverside.example', 'Radiologist');
    const department = await hub.api<{ department: { id: string } }>(riverside.adminToken, 'POST', '/api/departments', { name: 'Neuroradiology' });
    for (const userId of [dana, rex]) await hub.api(riverside.adminToken, 'POST', `/api/departments/${department.department.id}/members`, { userId });
    // Rex puts a study with its images on the hub (as his desktop's outbox and uploads would).
    const rexToken = await token('rex@riverside.example');
    const summary = {
      studyInstanceUid: `${ROOT}.1`,
      patientName: NAME,
      patientId: PATIENT_ID,
      patientBirthDate: '1959-02-03',
      studyDate: '2026-11-21',
      studyTime: '09:00:00',
      patientSex: 'M',
      accessionNumber: 'ACC-881',
      studyDescription: 'CT Head Quincey',
      referringPhysicianName: null,
      institutionName: 'Riverside',
      modalities: ['CT'],
      seriesCount: 1,
      instanceCount: 2,
    };
    const { results } = await hub.api<{ results: { status: string; value: { studyId: string } }[] }>(rexToken, 'POST', '/api/operations', { operations: [{ id: randomUUID(), kind: 'study.publish', study: summary }] });
    const studyId = results[0].value.studyId;
    for (const n of [1, 2]) {
      const sop = `${ROOT}.1.1.${n}`;
      const bytes = writeInstance({ studyInstanceUid: `${ROOT}.1`, seriesInstanceUid: `${ROOT}.1.1`, seriesNumber: 1, modality: 'CT', sopInstanceUid: sop, instanceNumber: n, rows: 64, columns: 64, patientName: NAME, patientId: PATIENT_ID, patientBirthDate: '19590203', studyDate: '20261121', studyDescription: 'CT Head Quincey' });
      const uploaded = await hub.app.inject({ method: 'PUT', url: `/api/studies/${studyId}/files/${sop}`, payload: Buffer.from(bytes), headers: { authorization: `Bearer ${rexToken}`, 'content-type': 'application/dicom' } });
      expect(uploaded.statusCode, uploaded.body).toBe(201);
    }
    ({ desk, browser, page } = await openSignedInDesk(hub.url, 'admin@riverside.example', PASSWORD));
  }, 120_000);

  screenshotFailures(() => ({ '': page }));

  tearDownInOrder(() => [browser, desk, hub]);

  it('lets the admin turn on the de-identified view, offered only under participated only', async () => {
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('tab', { name: 'Organisation' }).click();
    const policy = page.getByRole('form', { name: 'Viewing policy' });
    await policy.waitFor();
    const option = policy.getByRole('checkbox', { name: /^De-identified view of department studies/ });
    expect(await option.count()).toBe(0);
    await policy.getByRole('radio', { name: /^Participated only/ }).check();
    await option.check();
    await policy.getByRole('button', { name: 'Save policy' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'The viewing policy is now “Participated only”' }).count()).toBe(1);
    await screenshot(page, '35-organisation-deidentified-view');
  });

  it('shows Dana her colleague’s study under its pseudonym, viewing only, and the viewer’s overlay names no one', async () => {
    await signIn('dana@riverside.example');
    await page.getByRole('list', { name: 'Hub studies' }).getByRole('link', { name: 'All I can see' }).click();
    const grid = page.getByRole('grid', { name: /All I can see/ });
    const row = grid.locator('.grid-body [role="row"]').filter({ hasText: /Anonymous [0-9A-F]{4}/ });
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    expect(await row.locator('.access-badge').textContent()).toBe('De-identified');
    const rowText = (await row.textContent()) ?? '';
    const pseudonym = /Anonymous [0-9A-F]{4}/.exec(rowText)![0];
    expect(await grid.textContent()).not.toMatch(/Quincey|Zebulon|QZ-44001|2026-11-21/);

    await row.click();
    await page.getByRole('button', { name: 'Actions' }).click();
    const share = page.getByRole('menuitem', { name: /^Share/ });
    expect(await share.getAttribute('aria-disabled')).toBe('true');
    expect(await share.getAttribute('title')).toMatch(/may only be viewed/);
    expect(await page.getByRole('menuitem', { name: 'Add to collection…' }).getAttribute('aria-disabled')).toBe('true');
    expect(await page.getByRole('menuitem', { name: 'Open' }).getAttribute('aria-disabled')).toBe('false');
    await screenshot(page, '36-deidentified-row-actions');
    await page.getByRole('menuitem', { name: 'Open' }).click();

    const viewer = page.getByRole('dialog', { name: 'Viewer' });
    await viewer.waitFor();
    const probe = () => page.evaluate(() => (globalThis as unknown as { studyshareViewerProbe?: { state: (id: string) => ProbeState } }).studyshareViewerProbe?.state('viewport-main') ?? null);
    await expect.poll(async () => (await probe())?.rendered ?? 0, { timeout: 30_000 }).toBeGreaterThan(0);
    expect((await probe())?.error ?? null).toBeNull();
    const overlay = viewer.getByLabel('Image information');
    await expect.poll(() => overlay.textContent()).toContain(pseudonym);
    expect(await overlay.textContent()).toContain('De-identified');
    expect(await viewer.textContent()).not.toMatch(/Quincey|Zebulon|QZ-44001|1959|2026-11-21/);
    await screenshot(page, '37-deidentified-viewer');
  });
});
