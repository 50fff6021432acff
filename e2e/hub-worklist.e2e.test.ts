/**
 * End to end in Chromium: a location's worklist on the hub with 250 studies (more than two pages)
 * shown in the same virtualized table as the local worklist. The total is the hub's; scrolling
 * loads the further pages; the search box narrows on the hub; a column header sorts there;
 * keyboard, details and Actions → Share work on hub studies.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StudySummary } from '../shared/types/study';
import { type RunningApp, screenshot, screenshotFailures, tearDownInOrder } from './support/app-harness';
import { openSignedInDesk } from './support/signed-in-desk';
import { type HubServer, PASSWORD, startHubServer } from './support/hub-server';

const COUNT = 250;

/** Study n: one in ten is a Walker (25 in all); study dates one day apart, newest last. */
function summary(n: number): StudySummary {
  const day = new Date(Date.UTC(2025, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
  return {
    studyInstanceUid: `1.2.826.0.1.3680043.99.${n + 1}`,
    patientName: n % 10 === 0 ? `Walker^Ann${n}` : `Person^Study${n}`,
    patientId: `HW-${String(n).padStart(3, '0')}`,
    patientBirthDate: '1960-05-06',
    studyDate: day,
    studyTime: null,
    patientSex: 'F',
    accessionNumber: `ACC${n}`,
    studyDescription: n % 2 === 0 ? 'CT Thorax' : 'MR Knee',
    referringPhysicianName: null,
    institutionName: null,
    modalities: [n % 2 === 0 ? 'CT' : 'MR'],
    seriesCount: 1 + (n % 4),
    instanceCount: 10 + n,
  };
}

describe('a hub worklist larger than a page', () => {
  let hub: HubServer;
  let desk: RunningApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    hub = await startHubServer();
    const site = await hub.site('Riverside', 'riverside.example');
    await hub.user(site.accountId, 'Rita Radiologist', 'rita@riverside.example', 'Radiologist');
    const tess = await hub.user(site.accountId, 'Tess Tech', 'tess@riverside.example', 'Technologist');
    const location = await hub.api<{ location: { id: string } }>(site.adminToken, 'POST', '/api/locations', { name: 'North Wing' });
    await hub.app.inject({ method: 'POST', url: `/api/locations/${location.location.id}/members`, payload: { userId: tess }, headers: { authorization: `Bearer ${site.adminToken}` } });
    const { worklists } = await hub.api<{ worklists: { id: string; name: string }[] }>(site.adminToken, 'GET', '/api/worklists');
    const worklistId = worklists.find((w) => w.name === 'North Wing')!.id;

    // Rita publishes 250 studies and shares each into North Wing, as her desktop's outbox would.
    const signIn = await hub.app.inject({ method: 'POST', url: '/api/sessions', payload: { email: 'rita@riverside.example', password: PASSWORD } });
    const rita = signIn.json().token as string;
    const published = await hub.api<{ results: { value: { studyId: string } }[] }>(rita, 'POST', '/api/operations', {
      operations: Array.from({ length: COUNT }, (_, n) => ({ id: randomUUID(), kind: 'study.publish', study: summary(n), private: false })),
    });
    const ids = published.results.map((result) => result.value.studyId);
    const shared = await hub.api<{ results: { status: string }[] }>(rita, 'POST', '/api/operations', {
      operations: ids.map((id) => ({ id: randomUUID(), kind: 'share.create', shareId: randomUUID(), study: { id }, target: { worklistId } })),
    });
    expect(shared.results.every((result) => result.status === 'applied')).toBe(true);

    ({ desk, browser, page } = await openSignedInDesk(hub.url, 'tess@riverside.example', PASSWORD));
  });

  screenshotFailures(() => ({ '': page }));

  tearDownInOrder(() => [browser, desk, hub]);

  const main = () => page.getByRole('main', { name: 'North Wing' });
  const grid = () => main().getByRole('grid', { name: 'Studies in North Wing' });
  const bodyRows = () => grid().locator('.grid-body [role="row"]');
  const studyCount = () => page.getByRole('status', { name: 'Study count' }).textContent();

  it('shows the hub’s total and the first page, newest study first', async () => {
    await page.getByRole('list', { name: 'Hub worklists' }).getByRole('link', { name: /^North Wing/ }).click();
    await expect.poll(() => bodyRows().first().textContent()).toContain('HW-249');
    expect(await main().locator('.hub-worklist-head').textContent()).toContain('250 studies');
    expect(await studyCount()).toBe('250 studies');
    expect(await grid().getAttribute('aria-rowcount')).toBe(String(COUNT + 1));
    // Only what is on screen (and a margin) is in the page, not 250 rows.
    expect(await bodyRows().count()).toBeLessThan(80);
    await screenshot(page, '50-hub-worklist');
  });

  it('loads the further pages as the table scrolls, down to the oldest study', async () => {
    await grid().locator('.grid-body').evaluate((element) => {
      element.scrollTop = element.scrollHeight;
    });
    const oldest = bodyRows().filter({ hasText: 'HW-000' });
    await expect.poll(() => oldest.count()).toBe(1);
    expect(await oldest.getAttribute('aria-rowindex')).toBe(String(COUNT + 1));
    // Every row drawn at the bottom is loaded (none left as a placeholder).
    expect(await grid().locator('.grid-body [role="row"].pending').count()).toBe(0);
    await screenshot(page, '51-hub-worklist-scrolled');
  });

  it('sorts on the hub by a column header, both ways', async () => {
    const patientId = grid().getByRole('columnheader', { name: 'Patient ID' });
    await patientId.getByRole('button').click();
    await expect.poll(() => bodyRows().first().textContent()).toContain('HW-000');
    expect(await patientId.getAttribute('aria-sort')).toBe('ascending');
    expect(await bodyRows().nth(1).textContent()).toContain('HW-001');
    await patientId.getByRole('button').click();
    await expect.poll(() => bodyRows().first().textContent()).toContain('HW-249');
    expect(await patientId.getAttribute('aria-sort')).toBe('descending');
  });

  it('narrows with the search box on the hub, and says when nothing matches', async () => {
    await page.keyboard.press('/');
    await page.keyboard.type('walk');
    await expect.poll(studyCount).toBe('25 matching studies');
    expect(await main().locator('.hub-worklist-head').textContent()).toContain('25 matching studies');
    const names = await bodyRows().allTextContents();
    expect(names).toHaveLength(25);
    expect(names.every((text) => text.includes('Walker, Ann'))).toBe(true);
    await screenshot(page, '52-hub-worklist-search');

    await page.getByRole('group', { name: 'Modality' }).getByRole('button', { name: 'MR' }).click();
    await expect.poll(() => main().textContent()).toContain('No studies match these filters.');
    await main().getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(studyCount).toBe('250 studies');
    // The local worklist keeps its own (empty) search.
    expect(await page.getByRole('searchbox', { name: 'Search studies' }).inputValue()).toBe('');
  });

  it('moves with the keyboard, shows the hub study’s details (Actions → Show details), and offers Share', async () => {
    await bodyRows().first().click();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await expect.poll(() => grid().locator('.grid-body [role="row"][aria-selected="true"]').count()).toBe(2);
    await page.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: 'Show details' }).click();
    const details = page.getByRole('complementary', { name: 'Study details' });
    await expect.poll(() => details.textContent()).toContain('HW-');
    await expect.poll(() => details.getByRole('region', { name: 'Shared with' }).textContent()).toContain('North Wing');
    await screenshot(page, '53-hub-worklist-details');
    await page.getByRole('button', { name: 'Actions' }).click();
    expect(await page.getByRole('menuitem', { name: 'Share 2 studies…' }).getAttribute('aria-disabled')).toBe('false');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await expect.poll(() => details.count()).toBe(0);
  });
});
