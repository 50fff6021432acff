/**
 * End to end in Chromium (issue 13), one desktop and one hub, people signing in in turn: the
 * admin sets the department policy and makes a department of two radiologists in Administration
 * → Organisation; each of them sees the other's study under "All I can see" and a technologist
 * outside it does not; the admin makes one study private from Actions (a lock shows) and the
 * department member loses it, while its uploader keeps it; a radiologist makes a collection
 * of two studies and shares it read-only with the technologist, who views them but may not add.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, screenshot, screenshotFailures, tearDownInOrder } from './support/app-harness';
import { openSignedInDesk } from './support/signed-in-desk';
import { type HubServer, PASSWORD, startHubServer } from './support/hub-server';

const summary = (uid: string, patientName: string, studyDescription: string) => ({
  studyInstanceUid: uid,
  patientName,
  patientId: `P-${uid}`,
  patientBirthDate: '1970-01-01',
  studyDate: '2026-11-20',
  studyTime: '10:00:00',
  patientSex: 'F',
  accessionNumber: `A-${uid.split('.').at(-1)}`,
  studyDescription,
  referringPhysicianName: null,
  institutionName: 'Riverside',
  modalities: ['MR'],
  seriesCount: 1,
  instanceCount: 1,
});

describe('collaboration inside a site: policy, departments, private studies', () => {
  let hub: HubServer;
  let desk: RunningApp;
  let browser: Browser;
  let page: Page;
  const studyIds: Record<string, string> = {};

  const signIn = async (email: string) => {
    await desk.app.hub.signIn({ url: hub.url, email, password: PASSWORD });
    await expect.poll(() => page.getByRole('button', { name: /^Hub: / }).getAttribute('title')).toContain(email);
  };
  /** Opens "All I can see" and waits until it lists exactly these patients. */
  const seesOnHub = async (expected: string[]) => {
    await page.getByRole('list', { name: 'Hub studies' }).getByRole('link', { name: 'All I can see' }).click();
    const grid = page.getByRole('grid', { name: /All I can see/ });
    await grid.waitFor();
    const listed = async () => (await grid.locator('.grid-body [role="row"]').allTextContents()).map((text) => /^[A-Za-z]+, [A-Za-z]+?(?=(?:Private)?(?:Department|Collection)?P-)/.exec(text)?.[0] ?? text).sort();
    await expect.poll(listed, { timeout: 10_000 }).toEqual(expected);
  };

  beforeAll(async () => {
    hub = await startHubServer();
    const riverside = await hub.site('Riverside', 'riverside.example');
    await hub.user(riverside.accountId, 'Dana Neuro', 'dana@riverside.example', 'Radiologist');
    await hub.user(riverside.accountId, 'Rex Neuro', 'rex@riverside.example', 'Radiologist');
    await hub.user(riverside.accountId, 'Tom Tech', 'tom@riverside.example', 'Technologist');
    // Each puts one study on the hub from their own desktop (as the outbox would).
    for (const [email, uid, patient, description] of [
      ['dana@riverside.example', '1.2.826.0.1.3680043.10.1.1', 'Dana^Patient', 'MR Brain'],
      ['rex@riverside.example', '1.2.826.0.1.3680043.10.1.2', 'Rex^Patient', 'MR Spine'],
      ['tom@riverside.example', '1.2.826.0.1.3680043.10.1.3', 'Tom^Patient', 'MR Knee'],
    ] as const) {
      const token = (await hub.app.inject({ method: 'POST', url: '/api/sessions', payload: { email, password: PASSWORD } })).json<{ token: string }>().token;
      const { results } = await hub.api<{ results: { status: string; value: { studyId: string } }[] }>(token, 'POST', '/api/operations', { operations: [{ id: randomUUID(), kind: 'study.publish', study: summary(uid, patient, description) }] });
      expect(results[0].status).toBe('applied');
      studyIds[email] = results[0].value.studyId;
    }
    ({ desk, browser, page } = await openSignedInDesk(hub.url, 'admin@riverside.example', PASSWORD));
  });

  screenshotFailures(() => ({ '': page }));

  tearDownInOrder(() => [browser, desk, hub]);

  it('lets the admin set the department policy and make a department of two people', async () => {
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('tab', { name: 'Organisation' }).click();
    const policy = page.getByRole('form', { name: 'Viewing policy' });
    await policy.waitFor();
    expect(await policy.getByRole('radio', { name: /^Whole site/ }).isChecked()).toBe(true);
    // Downloading is its own policy, everyone who can view by default.
    expect(await policy.getByRole('radiogroup', { name: 'Download policy' }).getByRole('radio', { name: 'Everyone who can view' }).isChecked()).toBe(true);
    await policy.getByRole('radio', { name: /^Department/ }).check();
    await policy.getByRole('button', { name: 'Save policy' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'The viewing policy is now “Department”' }).count()).toBe(1);

    const add = page.getByRole('form', { name: 'Add a department' });
    await add.getByLabel('New department name').fill('Neuroradiology');
    await add.getByRole('button', { name: 'Add Department' }).click();
    const panel = page.getByRole('region', { name: 'Department Neuroradiology' });
    await panel.waitFor();
    for (const person of ['Dana Neuro', 'Rex Neuro']) {
      await panel.getByRole('searchbox', { name: 'Find someone to add to Neuroradiology' }).fill(person.split(' ')[0].toLowerCase());
      await panel.getByRole('button', { name: `Add ${person} to Neuroradiology` }).click();
      await expect.poll(() => panel.getByRole('table', { name: 'Members of Neuroradiology' }).textContent()).toContain(person);
    }
    await screenshot(page, '30-organisation-policy-departments');
  });

  it('shows two members of the department each other’s studies, and a third user neither', async () => {
    await signIn('dana@riverside.example');
    await seesOnHub(['Dana, Patient', 'Rex, Patient']);
    // Why each row is there: Rex's study through the department (a badge), Dana's own without one.
    const grid = page.getByRole('grid', { name: /All I can see/ });
    await expect.poll(() => grid.locator('.grid-body [role="row"]').filter({ hasText: 'Rex, Patient' }).locator('.access-badge').textContent()).toBe('Department');
    expect(await grid.locator('.grid-body [role="row"]').filter({ hasText: 'Dana, Patient' }).locator('.access-badge').count()).toBe(0);
    await screenshot(page, '31-department-member-sees-peer');
    await signIn('rex@riverside.example');
    await seesOnHub(['Dana, Patient', 'Rex, Patient']);
    await signIn('tom@riverside.example');
    await seesOnHub(['Tom, Patient']);
  });

  it('lets the admin make one private from Actions (a lock shows), and the department member loses it', async () => {
    await signIn('admin@riverside.example');
    await seesOnHub(['Dana, Patient', 'Rex, Patient', 'Tom, Patient']);
    const grid = page.getByRole('grid', { name: /All I can see/ });
    await grid.locator('.grid-body [role="row"]').filter({ hasText: 'Rex, Patient' }).click();
    await page.getByRole('button', { name: 'Actions' }).click();
    expect(await page.getByRole('menuitem', { name: 'Unmark as private' }).getAttribute('aria-disabled')).toBe('true');
    await page.getByRole('menuitem', { name: 'Make private' }).click();
    await expect.poll(() => page.getByRole('status', { name: 'Private studies' }).textContent(), { timeout: 10_000 }).toMatch(/1 study made private/);
    await expect.poll(() => grid.locator('.grid-body [role="row"]').filter({ hasText: 'Rex, Patient' }).getByRole('img', { name: 'Private' }).count()).toBe(1);
    await screenshot(page, '32-made-private');
    await signIn('dana@riverside.example');
    await seesOnHub(['Dana, Patient']);
    await signIn('rex@riverside.example');
    await seesOnHub(['Dana, Patient', 'Rex, Patient']);
  });

  it('refuses Make private for a study that is not theirs, with the hub’s reason', async () => {
    // Rex (a radiologist, studies.private) selects Dana's study: the hub refuses, and says why.
    await page.getByRole('status', { name: 'Private studies' }).getByRole('button', { name: 'Dismiss' }).click({ timeout: 1_000 }).catch(() => undefined);
    const grid = page.getByRole('grid', { name: /All I can see/ });
    await grid.locator('.grid-body [role="row"]').filter({ hasText: 'Dana, Patient' }).click();
    await page.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: 'Make private' }).click();
    await expect.poll(() => page.getByRole('status', { name: 'Private studies' }).textContent(), { timeout: 10_000 }).toMatch(/1 refused.*does not allow/);
  });

  it('shares a collection read-only: its member views its studies but may not add', async () => {
    // Rex (signed in) collects the department's study and his own private one (his to add: its members become participants).
    await seesOnHub(['Dana, Patient', 'Rex, Patient']);
    await page.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: 'Select all loaded studies' }).click();
    await page.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: 'Add to collection…' }).click();
    await page.getByRole('dialog', { name: 'Add to collection' }).getByRole('button', { name: 'New collection…' }).click();
    const made = page.getByRole('dialog', { name: 'New collection' });
    await made.getByLabel('Name').fill('Teaching set');
    await made.getByLabel('Description').fill('Spine and brain MR');
    await made.getByRole('button', { name: 'Create and add 2 studies' }).click();
    await expect.poll(() => page.getByRole('status', { name: 'Collections' }).textContent(), { timeout: 10_000 }).toMatch(/2 studies added to Teaching set/);
    const link = page.getByRole('list', { name: 'Collections' }).getByRole('link', { name: /^Teaching set/ });
    await expect.poll(() => link.textContent()).toBe('Teaching set2');
    await link.click();
    await page.getByRole('grid', { name: 'Studies in Teaching set' }).waitFor();
    await page.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: 'Manage collection…' }).click();
    const manage = page.getByRole('dialog', { name: 'Collection Teaching set' });
    await manage.getByRole('searchbox', { name: 'Find people or groups to invite' }).fill('tom');
    await manage.getByRole('button', { name: 'Invite Tom Tech' }).click();
    await expect.poll(() => manage.getByRole('table', { name: 'Members' }).textContent()).toContain('Tom Tech');
    expect(await manage.getByRole('checkbox', { name: 'Tom Tech: Add studies' }).isChecked()).toBe(false);
    await screenshot(page, '33-collection-members');
    await manage.getByRole('button', { name: 'Close' }).click();

    await signIn('tom@riverside.example');
    const tomsLink = page.getByRole('list', { name: 'Collections' }).getByRole('link', { name: /^Teaching set/ });
    await tomsLink.click();
    const grid = page.getByRole('grid', { name: 'Studies in Teaching set' });
    await expect.poll(async () => (await grid.locator('.grid-body [role="row"]').allTextContents()).length, { timeout: 10_000 }).toBe(2);
    await page.getByRole('button', { name: 'Actions' }).click();
    expect(await page.getByRole('menuitem', { name: 'Add to collection…' }).count()).toBe(0);
    expect(await page.getByRole('menuitem', { name: /^Remove from/ }).count()).toBe(0);
    await screenshot(page, '34-collection-read-only-member');
    await page.keyboard.press('Escape');
  });

  it('lets someone ask for a study they were sent a link to; its owner approves; they then see it', async () => {
    await signIn('dana@riverside.example');
    const nav = page.getByRole('list', { name: 'Hub studies' }).getByRole('link', { name: /^Access requests/ });
    await nav.click();
    const dialog = page.getByRole('dialog', { name: 'Access requests' });
    await dialog.getByLabel('Study link or id').fill('not a link');
    await dialog.getByRole('button', { name: 'Request access' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/study link or id/);
    await dialog.getByLabel('Study link or id').fill(`${hub.url}/studies/${studyIds['tom@riverside.example']}`);
    await dialog.getByLabel('Message (optional)').fill('Second opinion, please');
    await dialog.getByRole('button', { name: 'Request access' }).click();
    await expect.poll(() => dialog.getByRole('table', { name: 'Your requests' }).textContent()).toMatch(/A study you cannot see yet.*Waiting/);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => dialog.count()).toBe(0);

    await signIn('tom@riverside.example');
    await expect.poll(() => nav.textContent()).toBe('Access requests1');
    await nav.click();
    await expect.poll(() => dialog.getByRole('table', { name: 'Requests to answer' }).textContent()).toContain('Second opinion, please');
    await screenshot(page, '35-access-request');
    await dialog.getByRole('button', { name: 'Approve Dana Neuro' }).click();
    await expect.poll(() => dialog.getByRole('status').textContent()).toMatch(/Dana Neuro can now see the study/);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => dialog.count()).toBe(0);

    await signIn('dana@riverside.example');
    await seesOnHub(['Dana, Patient', 'Tom, Patient']);
  });
});
