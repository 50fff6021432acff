/**
 * End to end in Chromium, two people at once (two browser contexts, two desktops, one hub): a
 * radiologist shares a study to a location, a group, a physician, another site's worklist by its
 * share code and an email address; each recipient finds it in the right worklist; the invited
 * address registers on the hub's real registration page and then sees it; roles only see the
 * share options they hold; removing a share takes the study out of that worklist only; a share
 * made while the hub is down waits, shows as pending and goes through when it is back; the
 * admin reads and exports the audit trail.
 */
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testUid, writeInstance } from '../electron/main/dicom-write/synthetic-study';
import { type RunningApp, screenshot, screenshotFailures, startApp, writeFiles } from './support/app-harness';
import { launchChromium } from './support/browser';
import { expectInHubWorklist, openHubWorklist } from './support/hub-worklist';
import { type HubServer, PASSWORD, startHubServer } from './support/hub-server';

describe('sharing between two people through one hub', () => {
  let hub: HubServer;
  let ritaDesk: RunningApp;
  let otherDesk: RunningApp;
  let browser: Browser;
  let ritaContext: BrowserContext;
  let otherContext: BrowserContext;
  let rita: Page;
  let other: Page;
  let lakesideCode = '';

  /** The second desktop, signed in as someone else; its page follows the hub:status event. */
  async function otherSignsIn(email: string): Promise<void> {
    await otherDesk.app.hub.signIn({ url: hub.url, email, password: PASSWORD });
    await expect.poll(() => other.getByRole('button', { name: /^Hub: / }).getAttribute('title')).toContain(email);
  }

  beforeAll(async () => {
    hub = await startHubServer();
    const riverside = await hub.site('Riverside', 'riverside.example');
    const lakeside = await hub.site('Lakeside', 'lakeside.example');
    await hub.user(riverside.accountId, 'Rita Radiologist', 'rita@riverside.example', 'Radiologist');
    const tess = await hub.user(riverside.accountId, 'Tess Tech', 'tess@riverside.example', 'Technologist');
    const gina = await hub.user(riverside.accountId, 'Gina Cardio', 'gina@riverside.example', 'Technologist');
    await hub.user(riverside.accountId, 'Paul Physician', 'paul@riverside.example', 'Physician');
    const olga = await hub.user(lakeside.accountId, 'Olga Lakeside', 'olga@lakeside.example', 'Technologist');
    const place = async (token: string, kind: 'location' | 'group', name: string, member: string) => {
      const created = await hub.api<Record<string, { id: string }>>(token, 'POST', `/api/${kind}s`, { name });
      await hub.app.inject({ method: 'POST', url: `/api/${kind}s/${created[kind].id}/members`, payload: { userId: member }, headers: { authorization: `Bearer ${token}` } });
    };
    await place(riverside.adminToken, 'location', 'North Wing', tess);
    await place(riverside.adminToken, 'group', 'Cardiology', gina);
    await place(lakeside.adminToken, 'location', 'Lakeside Reading Room', olga);
    const { worklists } = await hub.api<{ worklists: { name: string; shareCode: string }[] }>(lakeside.adminToken, 'GET', '/api/worklists');
    lakesideCode = worklists.find((w) => w.name === 'Lakeside Reading Room')!.shareCode;

    ritaDesk = await startApp({ hubMode: 'remote' });
    otherDesk = await startApp({ hubMode: 'remote' });
    await ritaDesk.app.hub.signIn({ url: hub.url, email: 'rita@riverside.example', password: PASSWORD });
    const input = path.join(ritaDesk.workDir, 'studies');
    const study = { patientName: 'Share^Sam', patientId: 'SS-1', patientBirthDate: '19700304', studyInstanceUid: testUid(88), studyDescription: 'CT Thorax', studyDate: '20261121', modality: 'CT' };
    writeFiles(input, {
      '1.dcm': writeInstance({ ...study, seriesInstanceUid: testUid(88, 1), seriesNumber: 1, sopInstanceUid: testUid(88, 1, 1), instanceNumber: 1, rows: 32, columns: 32 }),
      '2.dcm': writeInstance({ ...study, seriesInstanceUid: testUid(88, 1), seriesNumber: 1, sopInstanceUid: testUid(88, 1, 2), instanceNumber: 2, rows: 32, columns: 32 }),
      '3.dcm': writeInstance({ patientName: 'Keep^Kim', patientId: 'KK-2', studyInstanceUid: testUid(89), studyDescription: 'MR Knee', studyDate: '20261120', modality: 'MR', seriesInstanceUid: testUid(89, 1), sopInstanceUid: testUid(89, 1, 1), rows: 32, columns: 32 }),
    });
    await ritaDesk.app.handlers['import:start']({ paths: [input], copyToLibrary: false });
    await new Promise<void>((resolve) => ritaDesk.app.bus.subscribe((name) => name === 'import:finished' && resolve()));

    browser = await launchChromium();
    ritaContext = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    otherContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    // Fail with the step that is stuck, well before the test's own time runs out.
    ritaContext.setDefaultTimeout(15_000);
    otherContext.setDefaultTimeout(15_000);
    rita = await ritaContext.newPage();
    other = await otherContext.newPage();
    await rita.goto(ritaDesk.server.url);
    await other.goto(otherDesk.server.url);
  });

  screenshotFailures(() => ({ rita: rita, other: other }));

  afterAll(async () => {
    await browser?.close();
    await ritaDesk?.stop();
    await otherDesk?.stop();
    await hub?.stop();
  });

  it('shares one study to a location, a group, a physician, a share code and an email address', async () => {
    await rita.getByRole('grid', { name: 'Studies' }).getByRole('row').filter({ hasText: 'Share, Sam' }).click();
    await rita.getByRole('button', { name: 'Actions' }).click();
    await rita.getByRole('menuitem', { name: 'Share…' }).click();
    const dialog = rita.getByRole('dialog', { name: 'Share study' });
    expect(await dialog.getByRole('tab').allTextContents()).toEqual(['Locations', 'Groups', 'Physicians', 'Share Code', 'Email']);
    const share = dialog.getByRole('button', { name: 'Share Studies' });
    expect(await share.isDisabled()).toBe(true);

    await dialog.getByRole('tab', { name: 'Locations' }).click();
    await dialog.getByRole('searchbox', { name: 'Search locations' }).fill('nor');
    await dialog.getByRole('checkbox', { name: 'North Wing' }).check();
    await dialog.getByRole('tab', { name: 'Groups' }).click();
    await dialog.getByRole('checkbox', { name: 'Cardiology' }).check();
    await dialog.getByRole('tab', { name: 'Physicians' }).click();
    await dialog.getByRole('searchbox', { name: 'Search physicians' }).fill('paul');
    await expect.poll(() => dialog.getByRole('list', { name: 'Matching physicians' }).getByRole('checkbox').count()).toBe(1);
    await dialog.getByRole('checkbox', { name: /Paul Physician/ }).check();

    await dialog.getByRole('tab', { name: 'Share Code' }).click();
    await dialog.getByRole('textbox', { name: 'Share code' }).fill('ABCD-EFGH-J');
    await dialog.getByRole('button', { name: 'Look up' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/share code|No worklist/i);
    await dialog.getByRole('textbox', { name: 'Share code' }).fill(lakesideCode.toLowerCase());
    await dialog.getByRole('button', { name: 'Look up' }).click();
    await expect.poll(() => dialog.getByRole('status').textContent()).toContain('Lakeside Reading Room — Lakeside');
    await dialog.getByRole('button', { name: 'Add Lakeside Reading Room' }).click();

    await dialog.getByRole('tab', { name: 'Email' }).click();
    await dialog.getByRole('textbox', { name: 'Email address' }).fill('not an address');
    await dialog.getByRole('button', { name: 'Add address' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toBe('That is not an email address.');
    await dialog.getByRole('textbox', { name: 'Email address' }).fill('Nora@Outside.example');
    await dialog.getByRole('button', { name: 'Add address' }).click();
    expect(await dialog.getByRole('list', { name: 'Chosen targets' }).getByRole('listitem').count()).toBe(5);
    await screenshot(rita, '30-share-dialog');

    await share.click();
    const results = dialog.getByRole('list', { name: 'Share results' });
    await results.waitFor();
    const lines = await results.locator(':scope > li').allTextContents();
    expect(lines).toEqual([
      'North Wingshared 1',
      'Cardiologyshared 1',
      'Paul Physicianshared 1',
      `Lakeside Reading Room (Lakeside)shared 1`,
      'nora@outside.exampleshared 1 · invitation sent',
    ]);
    await screenshot(rita, '31-share-results');
    await dialog.getByRole('button', { name: 'Done' }).click();

    // The worklist marks the study as shared; its details list who with.
    const row = rita.getByRole('grid', { name: 'Studies' }).getByRole('row').filter({ hasText: 'Share, Sam' });
    await expect.poll(() => row.getByRole('gridcell').last().textContent()).toBe('5');
    await row.click();
    const shares = rita.getByRole('region', { name: 'Shared with' }).getByRole('list', { name: 'Shares' });
    await expect.poll(() => shares.getByRole('listitem').count()).toBe(5);
    expect(await shares.textContent()).toMatch(/Location North Wing.*by Rita Radiologist/);
    expect(await shares.textContent()).toMatch(/nora@outside\.example.*External.*Invited/);
    await screenshot(rita, '32-shared-with');
  });

  it('puts the study in each recipient’s own worklist, and in no other', async () => {
    await otherSignsIn('tess@riverside.example');
    const northWing = await openHubWorklist(other, 'North Wing');
    await expect.poll(() => northWing.getByRole('grid').textContent()).toContain('Share, Sam');
    await screenshot(other, '33-recipient-location');
    const mine = await openHubWorklist(other, 'My worklist');
    await expect.poll(() => mine.textContent()).toContain('Nothing is shared into this worklist yet.');

    await otherSignsIn('gina@riverside.example');
    await expectInHubWorklist(other, 'Cardiology', 'Share, Sam');

    await otherSignsIn('paul@riverside.example');
    await expectInHubWorklist(other, 'My worklist', 'Share, Sam');

    await otherSignsIn('olga@lakeside.example');
    await expectInHubWorklist(other, 'Lakeside Reading Room', 'Share, Sam');
  });

  it('lets the invited address register on the hub’s page, and then see the study', async () => {
    const mail = hub.mails().find((text) => text.includes('To: nora@outside.example'));
    expect(mail).toBeDefined();
    expect(mail).not.toContain('Share');
    const link = /http:\/\/127\.0\.0\.1:\d+\/register\/[A-Za-z0-9_-]+/.exec(mail!.replace(/=\r?\n/g, ''))![0];
    const page = await otherContext.newPage();
    await page.goto(link);
    await page.getByLabel('Your name').fill('Nora Outside');
    await page.getByLabel('Password (at least 10 characters)').fill('short');
    await page.getByLabel('Repeat the password').fill('short');
    // The browser's own check stops a short password before it is sent.
    expect(await page.getByLabel('Password (at least 10 characters)').evaluate((input) => (input as unknown as { validity: { valid: boolean } }).validity.valid)).toBe(false);
    await page.getByLabel('Password (at least 10 characters)').fill('nora has a long password');
    await page.getByLabel('Repeat the password').fill('nora has a long password');
    await screenshot(page, '34-registration');
    await page.getByRole('button', { name: 'Register' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('You are registered, Nora Outside.');
    await page.close();

    await otherDesk.app.hub.signIn({ url: hub.url, email: 'nora@outside.example', password: 'nora has a long password' });
    await expectInHubWorklist(other, 'My worklist', 'Share, Sam');
    await screenshot(other, '35-invited-recipient');
  });

  it('shows each role only the share options it holds', async () => {
    await otherSignsIn('paul@riverside.example');
    const mine = await openHubWorklist(other, 'My worklist');
    await mine.getByRole('row').filter({ hasText: 'Share, Sam' }).click();
    await other.getByRole('button', { name: 'Actions' }).click();
    await other.getByRole('menuitem', { name: 'Share…' }).click();
    const dialog = other.getByRole('dialog', { name: 'Share study' });
    expect(await dialog.getByRole('tab').allTextContents()).toEqual(['Physicians', 'Email']);
    await screenshot(other, '36-physician-share-options');
    await dialog.press('Escape');

    await otherSignsIn('tess@riverside.example');
    const northWing = await openHubWorklist(other, 'North Wing');
    await northWing.getByRole('row').filter({ hasText: 'Share, Sam' }).click();
    await other.getByRole('button', { name: 'Actions' }).click();
    await other.getByRole('menuitem', { name: 'Share…' }).click();
    expect(await other.getByRole('dialog', { name: 'Share study' }).getByRole('tab').allTextContents()).toEqual(['Locations', 'Groups', 'Physicians', 'Share Code']);
    await other.getByRole('dialog', { name: 'Share study' }).press('Escape');
  });

  it('removes the share with one location: the study leaves that worklist only', async () => {
    const remove = rita.getByRole('button', { name: 'Remove share with North Wing' });
    await remove.click();
    await expect.poll(() => rita.getByRole('region', { name: 'Shared with' }).getByRole('status').textContent()).toBe('The share with North Wing was removed.');
    await expect.poll(() => rita.getByRole('region', { name: 'Shared with' }).getByRole('list', { name: 'Shares' }).getByRole('listitem').count()).toBe(4);

    const northWing = await openHubWorklist(other, 'North Wing');
    await northWing.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => northWing.textContent()).toContain('Nothing is shared into this worklist yet.');
    await otherSignsIn('gina@riverside.example');
    await expectInHubWorklist(other, 'Cardiology', 'Share, Sam');
  });

  it('keeps a share made while the hub is down, shows it pending, and sends it when the hub is back', async () => {
    await rita.getByRole('button', { name: 'Close details' }).click();
    const row = rita.getByRole('grid', { name: 'Studies' }).getByRole('row').filter({ hasText: 'Keep, Kim' });
    await row.click();
    await rita.getByRole('button', { name: 'Actions' }).click();
    await rita.getByRole('menuitem', { name: 'Share…' }).click();
    const dialog = rita.getByRole('dialog', { name: 'Share study' });
    await dialog.getByRole('tab', { name: 'Physicians' }).click();
    await dialog.getByRole('searchbox', { name: 'Search physicians' }).fill('paul');
    await dialog.getByRole('checkbox', { name: /Paul Physician/ }).check();

    await hub.pause();
    await dialog.getByRole('button', { name: 'Share Studies' }).click();
    await expect.poll(() => dialog.getByRole('status').textContent()).toContain('The hub has not taken the shares yet');
    expect(await dialog.getByRole('list', { name: 'Share results' }).textContent()).toBe('Paul Physicianpending 1');
    await screenshot(rita, '39-share-offline');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => rita.getByRole('button', { name: /^Hub: / }).textContent()).toMatch(/Hub offline · \d+ waiting/);
    await expect.poll(() => row.getByRole('gridcell').last().textContent()).toBe('…');
    await row.click();
    const waiting = rita.getByRole('region', { name: 'Shared with' }).getByRole('list', { name: 'Waiting or refused' });
    await expect.poll(() => waiting.textContent()).toBe('Pending Paul Physician');
    // The Sync panel lists what waits, and why.
    await rita.getByRole('button', { name: /^Hub: / }).click();
    const queue = rita.getByRole('dialog', { name: 'Hub' }).getByRole('region', { name: 'Sync queue' });
    await expect.poll(() => queue.getByRole('row').filter({ hasText: 'Share with Paul Physician' }).textContent()).toContain('Waiting');
    expect(await rita.getByRole('dialog', { name: 'Hub' }).getByRole('status').textContent()).toMatch(/cannot be reached\..*Waiting: \d+ change/);
    await screenshot(rita, '39b-sync-queue-offline');
    await rita.getByRole('dialog', { name: 'Hub' }).getByRole('button', { name: 'Close' }).click();

    await hub.resume();
    await rita.getByRole('button', { name: /^Hub: / }).click();
    await rita.getByRole('dialog', { name: 'Hub' }).getByRole('button', { name: 'Sync now' }).click();
    await rita.getByRole('dialog', { name: 'Hub' }).getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => rita.getByRole('button', { name: /^Hub: / }).textContent()).toBe('Hub · up to date');
    await expect.poll(() => row.getByRole('gridcell').last().textContent()).toBe('1');
    const shares = rita.getByRole('region', { name: 'Shared with' }).getByRole('list', { name: 'Shares' });
    await expect.poll(() => shares.textContent()).toContain('Paul Physician');
    expect(await waiting.count()).toBe(0);
  });

  it('lets an admin filter the audit trail and export it as CSV', async () => {
    await ritaDesk.app.hub.signIn({ url: hub.url, email: 'admin@riverside.example', password: PASSWORD });
    await rita.getByRole('link', { name: 'Administration' }).click();
    await rita.getByRole('tab', { name: 'Audit trail' }).click();
    const trail = rita.getByRole('table', { name: 'Audit trail' });
    await expect.poll(() => trail.textContent()).toContain('Share removed');
    expect(await trail.textContent()).toContain('Rita Radiologist');
    // Studies are named as readers know them, not by UID.
    expect(await trail.textContent()).toContain('Share, Sam');
    await rita.getByLabel('Action').selectOption({ label: 'Shared' });
    // Five shares of the first study and the one made offline; the header row.
    await expect.poll(() => trail.getByRole('row').count()).toBe(7);
    await screenshot(rita, '37-audit-trail');
    const [download] = await Promise.all([rita.waitForEvent('download'), rita.getByRole('button', { name: 'Export CSV' }).click()]);
    const file = await download.path();
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync(file, 'utf8').trim().split('\r\n');
    expect(csv[0]).toBe('time,action,trail,actor,actor email,on behalf of,accession,study date,study instance uid,share id,target,detail');
    expect(csv).toHaveLength(7);
    expect(csv.slice(1).every((line) => line.includes(',share.create,study,Rita Radiologist,'))).toBe(true);
    expect(download.suggestedFilename()).toMatch(/^studyshare-audit-\d{4}-\d{2}-\d{2}\.csv$/);

    // The study's own history, in its details.
    await rita.getByRole('link', { name: 'Local studies' }).click();
    await rita.getByRole('grid', { name: 'Studies' }).getByRole('row').filter({ hasText: 'Share, Sam' }).click();
    const history = rita.getByRole('list', { name: 'Study history' });
    await expect.poll(() => history.textContent(), { timeout: 15_000 }).toContain('Share removed · North Wing');
    expect(await history.textContent()).toContain('Study put on the hub');
    await screenshot(rita, '38-study-history');
  });
});
