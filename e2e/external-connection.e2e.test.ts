/**
 * End to end in Chromium (issue 14, part 3): an external rep signs up on the hub's page and
 * confirms the address by the mailed link, asks the site Riverside to connect from the desktop's
 * "Connected sites"; the site's admin sees the alert and the badge on Administration, assigns
 * Dr Paula Physician in the Assign physicians dialog, and the rep finds the studies referred by
 * her (and not the site's others) under "All I can see"; the admin unassigns her and the studies
 * are gone.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, screenshot, screenshotFailures, tearDownInOrder, startApp } from './support/app-harness';
import { launchChromium } from './support/browser';
import { type HubServer, PASSWORD, startHubServer } from './support/hub-server';

const REP = { name: 'Rita Rep', email: 'rita@outside.example', password: 'rita has a long password' };

const summary = (uid: string, patientName: string, referringPhysicianName: string | null) => ({
  studyInstanceUid: uid,
  patientName,
  patientId: `P-${uid.split('.').at(-1)}`,
  patientBirthDate: '1970-01-01',
  studyDate: '2026-11-20',
  studyTime: '10:00:00',
  patientSex: 'F',
  accessionNumber: `A-${uid.split('.').at(-1)}`,
  studyDescription: 'CT Knee',
  referringPhysicianName,
  institutionName: 'Riverside',
  modalities: ['CT'],
  seriesCount: 1,
  instanceCount: 1,
});

describe('an external user connects to a site', () => {
  let hub: HubServer;
  let desk: RunningApp;
  let browser: Browser;
  let page: Page;

  const signIn = async (email: string, password = PASSWORD) => {
    await desk.app.hub.signIn({ url: hub.url, email, password });
    await expect.poll(() => page.getByRole('button', { name: /^Hub: / }).getAttribute('title')).toContain(email);
  };
  const seesOnHub = async (expected: string[]) => {
    await page.getByRole('list', { name: 'Hub studies' }).getByRole('link', { name: 'All I can see' }).click();
    if (expected.length === 0) {
      // An empty list shows its empty state instead of a grid.
      await expect.poll(() => page.getByText('Nothing is shared into this worklist yet.').count(), { timeout: 15_000 }).toBe(1);
      return;
    }
    const grid = page.getByRole('grid', { name: /All I can see/ });
    await grid.waitFor();
    const listed = async () => (await grid.locator('.grid-body [role="row"]').allTextContents()).map((text) => /^[A-Za-z]+, [A-Za-z]+?(?=(?:Private)?P-)/.exec(text)?.[0] ?? text).sort();
    await expect.poll(listed, { timeout: 15_000 }).toEqual(expected);
  };

  beforeAll(async () => {
    hub = await startHubServer();
    const riverside = await hub.site('Riverside', 'riverside.example');
    await hub.api(riverside.adminToken, 'POST', '/api/physicians', { displayName: 'Dr Paula Physician', familyName: 'Physician', givenNames: 'Paula', specialty: 'Orthopaedics' });
    await hub.user(riverside.accountId, 'Ray Rad', 'ray@riverside.example', 'Radiologist');
    const token = (await hub.app.inject({ method: 'POST', url: '/api/sessions', payload: { email: 'ray@riverside.example', password: PASSWORD } })).json<{ token: string }>().token;
    // Two studies referred by Dr Physician (linked to her by the directory), one by nobody of it.
    for (const [uid, patient, referring] of [
      ['1.2.826.0.1.3680043.10.14.1', 'Knee^Anna', 'PHYSICIAN^PAULA'],
      ['1.2.826.0.1.3680043.10.14.2', 'Knee^Bert', 'Physician^Paula^^Dr'],
      ['1.2.826.0.1.3680043.10.14.3', 'Other^Carl', 'Nobody^Else'],
    ] as const) {
      const { results } = await hub.api<{ results: { status: string }[] }>(token, 'POST', '/api/operations', { operations: [{ id: randomUUID(), kind: 'study.publish', study: summary(uid, patient, referring) }] });
      expect(results[0].status).toBe('applied');
    }
    desk = await startApp({ hubMode: 'remote' });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
  }, 120_000);

  screenshotFailures(() => ({ '': page }));

  tearDownInOrder(() => [browser, desk, hub]);

  it('signs up on the hub’s page and confirms the address by the mailed link', async () => {
    await page.goto(hub.url);
    await page.getByRole('link', { name: 'Sign up' }).click();
    await page.getByLabel('Your name').fill(REP.name);
    await page.getByLabel('Email address').fill(REP.email);
    await page.getByLabel('Password (at least 10 characters)').fill(REP.password);
    await page.getByLabel('Repeat the password').fill(REP.password);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain(REP.email);
    const verifyLink = () => /http:\/\/127\.0\.0\.1:\d+\/verify-email\/[A-Za-z0-9_-]{43}/.exec(hub.mails().join('\n').replace(/=\r?\n/g, ''))?.[0] ?? null;
    await expect.poll(verifyLink, { timeout: 10_000 }).not.toBeNull();
    const link = verifyLink()!;
    await page.goto(link);
    await page.getByRole('button', { name: 'Confirm my address' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('is confirmed');
    await screenshot(page, '140-sign-up-confirmed');
  });

  it('asks Riverside to connect from the desktop', async () => {
    await page.goto(desk.server.url);
    await signIn(REP.email, REP.password);
    await page.getByRole('link', { name: 'Connected sites' }).click();
    const dialog = page.getByRole('dialog', { name: 'Connected sites' });
    // A site that does not exist: said, nothing asked.
    await dialog.getByLabel('Site name or connection code').fill('Nowhere Clinic');
    await dialog.getByRole('radio', { name: 'External rep' }).check();
    await dialog.getByRole('button', { name: 'Ask to connect' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('No site by that name');
    await dialog.getByLabel('Site name or connection code').fill('Riverside');
    await dialog.getByRole('button', { name: 'Ask to connect' }).click();
    await expect.poll(() => dialog.getByRole('table', { name: 'Your connection requests' }).textContent()).toContain('In review');
    await screenshot(page, '141-connection-requested');
    await dialog.getByRole('button', { name: 'Close' }).last().click();
  });

  it('shows the admin the alert and the badge; Assign physicians connects the rep to Dr Physician', async () => {
    await signIn('admin@riverside.example');
    const admin = page.getByRole('link', { name: /Administration/ });
    await expect.poll(() => admin.getByLabel('1 connection request to review').count(), { timeout: 10_000 }).toBe(1);
    await admin.click();
    await page.getByRole('tab', { name: 'Users' }).click();
    const requests = page.getByRole('region', { name: 'Connection requests' });
    await expect.poll(() => requests.getByRole('alert').textContent()).toContain('One connection request waits');
    await expect.poll(() => requests.getByRole('table', { name: 'Connection requests' }).textContent()).toContain('Review');
    await screenshot(page, '142-connection-review');
    await requests.getByRole('button', { name: `Assign physicians to ${REP.name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Assign physicians to ${REP.name}` });
    await dialog.getByRole('searchbox').fill('phys');
    await dialog.getByRole('checkbox', { name: 'Dr Paula Physician' }).check();
    await screenshot(page, '143-assign-physicians');
    await dialog.getByRole('button', { name: 'Submit' }).click();
    await expect.poll(() => requests.getByRole('table', { name: 'Connection requests' }).textContent()).toContain('Assigned');
    expect(await requests.getByRole('table', { name: 'Connection requests' }).textContent()).toContain('Dr Paula Physician');
    expect(await requests.getByRole('alert').count()).toBe(0);
    await expect.poll(() => admin.getByLabel(/connection request/).count()).toBe(0);
  });

  it('lets the rep find Dr Physician’s studies, and nothing else of the site', async () => {
    await signIn(REP.email, REP.password);
    await seesOnHub(['Knee, Anna', 'Knee, Bert']);
    await screenshot(page, '144-rep-sees-physician-studies');
  });

  it('takes them away when the admin unticks her (back to Review)', async () => {
    await signIn('admin@riverside.example');
    await page.getByRole('link', { name: /Administration/ }).click();
    await page.getByRole('tab', { name: 'Users' }).click();
    const requests = page.getByRole('region', { name: 'Connection requests' });
    await requests.getByRole('button', { name: `Assign physicians to ${REP.name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Assign physicians to ${REP.name}` });
    await dialog.getByRole('checkbox', { name: 'Dr Paula Physician' }).uncheck();
    await dialog.getByRole('button', { name: 'Submit' }).click();
    await expect.poll(() => requests.getByRole('table', { name: 'Connection requests' }).textContent()).toContain('Review');
    await signIn(REP.email, REP.password);
    await seesOnHub([]);
  });
});
