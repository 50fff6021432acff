/**
 * End to end, as a site starts using Studyshare across computers: a hub runs as its own process
 * (as `npm run hub` runs it), and two desktops with their own data folders join it from the
 * first-run screen — the first sets up the site with the code from the hub's console, the second
 * signs in after seeing the hub's name and site. Desktop A shares a study with the physician
 * signed in on desktop B, who sees it; A makes a guest link that a third browser opens through
 * the hub's address; A's email share sends an invitation (through a real SMTP server) whose link
 * registers an outside physician, who then signs in on desktop B and sees the study.
 */
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testUid, writeInstance } from '../electron/main/dicom-write/synthetic-study';
import { parseJoinLink } from '../shared/join-link';
import { type RunningApp, screenshot, screenshotFailures, startApp, writeFiles } from './support/app-harness';
import { launchChromium } from './support/browser';
import { expectInHubWorklist } from './support/hub-worklist';
import { type HubProcess, startHubProcess } from './support/hub-process';

const ADMIN = { name: 'Ada Admin', email: 'ada@riverside.example', password: 'correct horse battery' };
const PAUL = { name: 'Paul Physician', email: 'paul@riverside.example', password: 'paul has a long password' };

describe('two desktops join one hub that runs as its own process', () => {
  let hub: HubProcess;
  let smtp: SMTPServer;
  const mails: { to: string; data: string }[] = [];
  let deskA: RunningApp;
  let deskB: RunningApp;
  let browser: Browser;
  let contextA: BrowserContext;
  let contextB: BrowserContext;
  let pageA: Page;
  let pageB: Page;

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let data = '';
        stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), data });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    hub = await startHubProcess({
      env: { HUB_SMTP_URL: `smtp://127.0.0.1:${smtpPort}?ignoreTLS=true`, HUB_MAIL_FROM: 'studyshare@riverside.example', HUB_NAME: 'Riverside hub' },
      args: ['--list-sites'],
    });
    expect(hub.setupCode).toMatch(/^[0-9A-Z]{6,}/);

    deskA = await startApp({ hubMode: 'first-run' });
    deskB = await startApp({ hubMode: 'first-run' });
    const input = path.join(deskA.workDir, 'studies');
    const study = { patientName: 'Reach^Rosa', patientId: 'RR-1', patientBirthDate: '19650412', studyInstanceUid: testUid(91), studyDescription: 'MR Brain', studyDate: '20261128', modality: 'MR' };
    writeFiles(input, {
      '1.dcm': writeInstance({ ...study, seriesInstanceUid: testUid(91, 1), seriesNumber: 1, sopInstanceUid: testUid(91, 1, 1), instanceNumber: 1, rows: 32, columns: 32 }),
      '2.dcm': writeInstance({ ...study, seriesInstanceUid: testUid(91, 1), seriesNumber: 1, sopInstanceUid: testUid(91, 1, 2), instanceNumber: 2, rows: 32, columns: 32 }),
    });
    await deskA.app.handlers['import:start']({ paths: [input], copyToLibrary: false });
    await new Promise<void>((resolve) => deskA.app.bus.subscribe((name) => name === 'import:finished' && resolve()));

    browser = await launchChromium();
    contextA = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    contextB = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    contextA.setDefaultTimeout(15_000);
    contextB.setDefaultTimeout(15_000);
    pageA = await contextA.newPage();
    pageB = await contextB.newPage();
    await pageA.goto(deskA.server.url);
    await pageB.goto(deskB.server.url);
  });

  screenshotFailures(() => ({ A: pageA, B: pageB }));

  afterAll(async () => {
    await browser?.close();
    await deskA?.stop();
    await deskB?.stop();
    await hub?.stop();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  });

  /** First run → Join your site's hub → the address checked. */
  async function joinFromFirstScreen(page: Page, address: string) {
    const welcome = page.getByRole('dialog', { name: 'Welcome to Studyshare' });
    await welcome.getByRole('button', { name: /^Join your site’s hub/ }).click();
    const join = page.getByRole('dialog', { name: 'Join your site’s hub' });
    await join.getByLabel('Hub address').fill(address);
    await join.getByRole('button', { name: 'Check address' }).click();
  }

  it('refuses an address where no hub answers, then sets up the site on the hub with the code from its console', async () => {
    await joinFromFirstScreen(pageA, 'http://127.0.0.1:1');
    const join = pageA.getByRole('dialog', { name: 'Join your site’s hub' });
    await expect.poll(() => join.getByRole('alert').textContent()).toMatch(/Nothing answers at http:\/\/127\.0\.0\.1:1/);
    await join.getByLabel('Hub address').fill(hub.url);
    await join.getByRole('button', { name: 'Check address' }).click();

    const setup = pageA.getByRole('dialog', { name: 'Set up your site' });
    await expect.poll(() => setup.textContent()).toContain('Riverside hub');
    await setup.getByRole('button', { name: 'Connect' }).click();
    await setup.getByLabel('Setup code').fill('WRONG-CODE');
    await setup.getByLabel('Site name').fill('Riverside');
    await setup.getByLabel('Your name').fill(ADMIN.name);
    await setup.getByLabel('Email').fill(ADMIN.email);
    await setup.getByLabel('Password').fill(ADMIN.password);
    await setup.getByRole('button', { name: 'Create site' }).click();
    await expect.poll(() => setup.getByRole('alert').textContent()).toMatch(/setup code is missing or wrong/);
    await setup.getByLabel('Setup code').fill(hub.setupCode!);
    await screenshot(pageA, '40-join-setup-with-code');
    await setup.getByRole('button', { name: 'Create site' }).click();
    await expect.poll(() => pageA.getByRole('button', { name: /^Hub: / }).getAttribute('title')).toContain(ADMIN.email);

    // The admin adds the physician (the admin screens are tested on their own).
    await deskA.app.handlers['admin:add-user']({ name: PAUL.name, email: PAUL.email, password: PAUL.password, role: 'Physician' });
  });

  it('lets a second desktop join: the hub’s name and site are shown before the password is asked', async () => {
    await joinFromFirstScreen(pageB, hub.url.replace('http://', ''));
    const signIn = pageB.getByRole('dialog', { name: 'Sign in to Riverside hub' });
    const identity = signIn.getByRole('definition');
    await expect.poll(() => identity.allTextContents()).toEqual(['Riverside hub', hub.url, 'Riverside']);
    await screenshot(pageB, '41-join-sign-in');
    await signIn.getByLabel('Email').fill(PAUL.email);
    await signIn.getByLabel('Password').fill(PAUL.password);
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => pageB.getByRole('button', { name: /^Hub: / }).getAttribute('title')).toContain(PAUL.email);
  });

  it('shares a study from desktop A to the physician on desktop B', async () => {
    await pageA.getByRole('grid', { name: 'Studies' }).getByRole('row').filter({ hasText: 'Reach, Rosa' }).click();
    await pageA.getByRole('button', { name: 'Actions' }).click();
    await pageA.getByRole('menuitem', { name: 'Share…' }).click();
    const dialog = pageA.getByRole('dialog', { name: 'Share study' });
    await dialog.getByRole('tab', { name: 'Physicians' }).click();
    await dialog.getByRole('searchbox', { name: 'Search physicians' }).fill('paul');
    await dialog.getByRole('checkbox', { name: /Paul Physician/ }).check();
    await dialog.getByRole('button', { name: 'Share Studies' }).click();
    await expect.poll(() => dialog.getByRole('list', { name: 'Share results' }).textContent()).toContain('Paul Physicianshared 1');
    await dialog.getByRole('button', { name: 'Done' }).click();

    await deskB.app.hub.syncNow();
    await expectInHubWorklist(pageB, 'My worklist', 'Reach, Rosa');
    await screenshot(pageB, '42-joined-desktop-sees-share');
  });

  it('makes a guest link on the hub’s address that another browser opens', async () => {
    await pageA.getByRole('grid', { name: 'Studies' }).getByRole('row').filter({ hasText: 'Reach, Rosa' }).click();
    await pageA.getByRole('button', { name: 'Actions' }).click();
    await pageA.getByRole('menuitem', { name: 'Create guest link…' }).click();
    const dialog = pageA.getByRole('dialog', { name: 'Create guest link' });
    // The hub's public address here is a loopback one: the dialog says so before the link is made.
    await expect.poll(() => dialog.getByRole('note').textContent()).toContain(`Only this computer can open this link: it points at ${hub.url}`);
    await dialog.getByLabel('The PIN to give the recipient').fill('2468');
    await dialog.getByRole('button', { name: 'Create link' }).click();
    const box = dialog.getByRole('textbox', { name: 'Guest link', exact: true });
    await box.waitFor({ timeout: 30_000 });
    const url = await box.inputValue();
    expect(url.startsWith(`${hub.url}/g/`)).toBe(true);
    await screenshot(pageA, '43-guest-link-on-hub-address');
    await dialog.getByRole('button', { name: 'Close' }).click();

    const guestContext = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    try {
      const guest = await guestContext.newPage();
      await guest.goto(url);
      await guest.getByLabel('PIN').fill('2468');
      await guest.getByRole('button', { name: 'Open' }).click();
      // The guest page is the app's own viewer: it has drawn once its probe counts a rendered image.
      const shown = () => guest.evaluate(() => (globalThis as unknown as { studyshareViewerProbe?: { state: (id: string) => { rendered: number; error: string | null } | null } }).studyshareViewerProbe?.state('guest-viewport') ?? null);
      await expect.poll(async () => ((await shown())?.rendered ?? 0) > 0, { timeout: 30_000 }).toBe(true);
      expect((await shown())?.error).toBeNull();
      expect(await guest.getByRole('heading', { level: 1 }).textContent()).toBe('MR Brain · 2026-11-28');
    } finally {
      await guestContext.close();
    }
  });

  it('emails an invitation whose link registers an outside physician, who then signs in on desktop B', async () => {
    await pageA.getByRole('grid', { name: 'Studies' }).getByRole('row').filter({ hasText: 'Reach, Rosa' }).click();
    await pageA.getByRole('button', { name: 'Actions' }).click();
    await pageA.getByRole('menuitem', { name: 'Share…' }).click();
    const dialog = pageA.getByRole('dialog', { name: 'Share study' });
    await dialog.getByRole('tab', { name: 'Email' }).click();
    await dialog.getByRole('textbox', { name: 'Email address' }).fill('nora@outside.example');
    await dialog.getByRole('button', { name: 'Add address' }).click();
    await dialog.getByRole('button', { name: 'Share Studies' }).click();
    await expect.poll(() => dialog.getByRole('list', { name: 'Share results' }).textContent()).toContain('invitation sent');
    await dialog.getByRole('button', { name: 'Done' }).click();

    await expect.poll(() => mails.filter((mail) => mail.to === 'nora@outside.example').length, { timeout: 15_000 }).toBe(1);
    const body = mails.find((mail) => mail.to === 'nora@outside.example')!.data.replace(/=\r?\n/g, '');
    const link = new RegExp(`${hub.url.replaceAll('.', '\\.')}/register/[A-Za-z0-9_-]+`).exec(body)?.[0];
    expect(link).toBeDefined();
    expect(body).not.toContain('Reach');

    const outside = await browser.newContext();
    try {
      const page = await outside.newPage();
      await page.goto(link!);
      await page.getByLabel('Your name').fill('Nora Outside');
      await page.getByLabel('Password (at least 10 characters)').fill('nora has a long password');
      await page.getByLabel('Repeat the password').fill('nora has a long password');
      await page.getByRole('button', { name: 'Register' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toContain('You are registered, Nora Outside.');
      // The page names where to sign in: the hub's public address, not whatever Host the request carried.
      expect(await page.textContent('main')).toContain(hub.url);
      // And offers to open the desktop app at "Join your site's hub" with that address.
      const open = await page.getByRole('link', { name: 'Open Studyshare on this computer' }).getAttribute('href');
      expect(parseJoinLink(open!)).toBe(hub.url);
    } finally {
      await outside.close();
    }

    // Desktop B: Paul signs out, Nora signs in, and her worklist has the study.
    await pageB.getByRole('button', { name: /^Hub: / }).click();
    const hubDialog = pageB.getByRole('dialog', { name: 'Hub' });
    await hubDialog.getByRole('button', { name: 'Sign out' }).click();
    const signIn = pageB.getByRole('dialog', { name: 'Sign in to the hub' });
    await signIn.getByLabel('Email').fill('nora@outside.example');
    await signIn.getByLabel('Password').fill('nora has a long password');
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => pageB.getByRole('button', { name: /^Hub: / }).getAttribute('title')).toContain('nora@outside.example');
    await expectInHubWorklist(pageB, 'My worklist', 'Reach, Rosa');
    await screenshot(pageB, '44-invited-physician-on-desktop-b');
  });
});
