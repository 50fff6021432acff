/**
 * End to end in Chromium: the workstation lock (issue 18, item 13). The app opens to a sign-in;
 * a radiologist signs in with her hub account and sees the local studies; Lock leaves no patient
 * detail anywhere in the page; someone of another site signs in at the same workstation and sees
 * only what the hub lets them (the study she published is not listed; the never-published one
 * is); Ctrl+L locks too. Without a hub, the first start creates a local profile, which signs in.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testUid, writeInstance } from '../electron/main/dicom-write/synthetic-study';
import { type AppInBrowser, type RunningApp, openAppInBrowser, screenshot, startApp, tearDownInOrder, writeFiles } from './support/app-harness';
import { launchChromium } from './support/browser';
import { type HubServer, PASSWORD, startHubServer } from './support/hub-server';

const dataRows = (page: Page) => page.getByRole('grid', { name: 'Studies' }).getByRole('row').filter({ has: page.getByRole('gridcell') });
const listed = async (page: Page): Promise<string[]> => (await dataRows(page).allTextContents()).map((text) => text.replace(/\s+/g, ' '));
/** Everything the page holds as text, hidden elements included. */
const pageText = (page: Page): Promise<string> => page.evaluate<string>("document.documentElement.textContent ?? ''");

/** Buttons and inputs of the page without an accessible name (run in the page; e2e has no DOM types). */
const UNNAMED_CONTROLS = `[...document.querySelectorAll('button, input, select, textarea')]
  .filter((element) => !((element.getAttribute('aria-label') ?? '').trim() || (element.labels?.[0]?.textContent ?? '').trim() || element.textContent.trim()))
  .map((element) => element.outerHTML)`;

/** Words of the two patients (names, IDs, accession numbers, descriptions) that must not be in a locked page. */
const PATIENT_WORDS = ['Quill', 'Quentin', 'QQ-17', 'ACC-Q-1', 'Vance', 'Violet', 'VV-23', 'ACC-V-2', 'Sinus', 'Ankle'];

describe('the workstation lock with a hub', () => {
  let hub: HubServer;
  let desk: RunningApp;
  let browser: Browser;
  let page: Page;
  const published = testUid(301);
  const local = testUid(302);

  /** A contract call over the loopback transport with the page's session key, as the page would send it. */
  async function callMain(name: string, input: unknown): Promise<unknown> {
    const response = await fetch(`${desk.server.origin}/api/call/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${desk.server.token}` }, body: JSON.stringify(input) });
    return response.json();
  }

  async function signInOnLockScreen(email: string): Promise<void> {
    const dialog = page.getByRole('dialog', { name: 'Sign in to the hub' });
    await dialog.waitFor();
    await dialog.getByLabel('Email').fill(email);
    await dialog.getByLabel('Password').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('main', { name: 'Local studies' }).waitFor();
  }

  beforeAll(async () => {
    hub = await startHubServer();
    const riverside = await hub.site('Riverside', 'riverside.example');
    const lakeside = await hub.site('Lakeside', 'lakeside.example');
    await hub.user(riverside.accountId, 'Rita Radiologist', 'rita@riverside.example', 'Radiologist');
    await hub.user(lakeside.accountId, 'Olga Lakeside', 'olga@lakeside.example', 'Technologist');

    desk = await startApp({ hubMode: 'remote' });
    await desk.app.hub.connect({ kind: 'remote', url: hub.url });
    const input = path.join(desk.workDir, 'studies');
    writeFiles(input, {
      'q.dcm': writeInstance({ patientName: 'Quill^Quentin', patientId: 'QQ-17', accessionNumber: 'ACC-Q-1', studyInstanceUid: published, studyDescription: 'CT Sinus', studyDate: '20261122', modality: 'CT', seriesInstanceUid: testUid(301, 1), sopInstanceUid: testUid(301, 1, 1), rows: 16, columns: 16 }),
      'v.dcm': writeInstance({ patientName: 'Vance^Violet', patientId: 'VV-23', accessionNumber: 'ACC-V-2', studyInstanceUid: local, studyDescription: 'MR Ankle', studyDate: '20261121', modality: 'MR', seriesInstanceUid: testUid(302, 1), sopInstanceUid: testUid(302, 1, 1), rows: 16, columns: 16 }),
    });
    const finished = new Promise<void>((resolve) => desk.app.bus.subscribe((name) => name === 'import:finished' && resolve()));
    await desk.app.handlers['import:start']({ paths: [input], copyToLibrary: false });
    await finished;

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(15_000);
    await page.goto(desk.server.url);
  });

  tearDownInOrder(() => [browser, desk, hub]);

  it('opens to a sign-in, with no patient detail in the page, and main refuses the worklist', async () => {
    await page.getByRole('dialog', { name: 'Sign in to the hub' }).waitFor();
    const text = await pageText(page);
    for (const word of PATIENT_WORDS) expect(text).not.toContain(word);
    expect(await page.getByRole('main', { name: 'Studyshare is locked' }).getByRole('status').textContent()).toBe('Sign in to see the studies on this computer.');
    // Asking anyway, with the page's key: refused in main.
    const answer = await callMain('studies:query', {});
    expect(answer).toEqual({ ok: false, error: { code: 'locked', message: 'Studyshare is locked. Sign in to continue.' } });
  });

  it('signs in with the hub account and lists the local studies; the one she publishes stays hers', async () => {
    await signInOnLockScreen('rita@riverside.example');
    await expect.poll(() => listed(page)).toEqual([expect.stringContaining('Quill, Quentin'), expect.stringContaining('Vance, Violet')]);
    await desk.app.hub.uploadStudy(published);
    await desk.app.hub.settled();
    await page.getByRole('button', { name: /^Hub: / }).waitFor();
    await expect.poll(() => listed(page)).toHaveLength(2);
  });

  it('locks with the Lock button: no patient name, ID or description anywhere in the page', async () => {
    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign in to the hub' });
    await dialog.waitFor();
    const text = await pageText(page);
    for (const word of PATIENT_WORDS) expect(text, word).not.toContain(word);
    expect(await page.getByRole('grid').count()).toBe(0);
    expect(await page.getByRole('main', { name: 'Studyshare is locked' }).getByRole('status').textContent()).toBe('Locked. Rita Radiologist was signed in.');
    // The same person is offered first; anyone else may type theirs.
    expect(await dialog.getByLabel('Email').inputValue()).toBe('rita@riverside.example');
    expect(await dialog.getByRole('button', { name: 'Close' }).count()).toBe(0);
    // Every control on the lock screen has a name (its label, its text, or aria-label).
    const unnamed = await page.evaluate<string[]>(UNNAMED_CONTROLS);
    expect(unnamed).toEqual([]);
    await screenshot(page, '30-lock-screen-hub');
  });

  it('signs in as someone of another site, who sees only the study never published', async () => {
    await signInOnLockScreen('olga@lakeside.example');
    await expect.poll(() => listed(page)).toEqual([expect.stringContaining('Vance, Violet')]);
    expect(await page.getByRole('status', { name: 'Study count' }).textContent()).toBe('1 study');
    expect(await pageText(page)).not.toContain('Quill');
    // Asking main for the hidden study by its UID answers as if it were not there.
    const answer = await callMain('studies:details', { studyInstanceUid: published });
    expect(answer).toMatchObject({ ok: false, error: { code: 'not-found' } });
    await screenshot(page, '31-other-user-sees-only-what-they-may');
  });

  it('locks with Ctrl+L, and the publisher signing in again sees both', async () => {
    await page.getByRole('grid', { name: 'Studies' }).focus();
    await page.keyboard.press('Control+l');
    await page.getByRole('dialog', { name: 'Sign in to the hub' }).waitFor();
    expect(await pageText(page)).not.toContain('Vance');
    await page.getByRole('dialog', { name: 'Sign in to the hub' }).getByLabel('Email').fill('');
    await signInOnLockScreen('rita@riverside.example');
    await expect.poll(() => listed(page)).toHaveLength(2);
  });
});

describe('the workstation lock without a hub', () => {
  let session: AppInBrowser;
  let page: Page;

  beforeAll(async () => {
    session = await openAppInBrowser({ hubMode: 'off', locked: true });
    page = session.page;
  });

  afterAll(async () => {
    await session?.close();
  });

  it('creates the first local profile, which signs in; locked, it signs in with its password', async () => {
    const create = page.getByRole('dialog', { name: 'Create a local profile' });
    await create.waitFor();
    await screenshot(page, '32-lock-screen-create-profile');
    await create.getByLabel('Name').fill('Desk 4');
    await create.getByLabel('Password', { exact: true }).fill('a long local password');
    await create.getByLabel('Repeat the password').fill('a long local password');
    await create.getByRole('button', { name: 'Create profile' }).click();
    await page.getByText('No studies in the index yet.').waitFor();

    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    const signIn = page.getByRole('dialog', { name: 'Sign in to this workstation' });
    await signIn.waitFor();
    expect(await signIn.getByLabel('Name').inputValue()).toBe('Desk 4');
    await signIn.getByLabel('Password').fill('not the password');
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => signIn.getByRole('alert').textContent()).toBe('The name or the password is wrong.');
    await screenshot(page, '33-lock-screen-local-profile');
    await signIn.getByLabel('Password').fill('a long local password');
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('No studies in the index yet.').waitFor();
  });
});
