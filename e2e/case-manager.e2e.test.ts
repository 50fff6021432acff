/**
 * End to end in Chromium (issue 14, parts 1 and 2), one desktop and one hub, people signing in in
 * turn: the admin adds two physicians to the directory (Administration → Physicians) — studies
 * already on the hub with their DICOM names are linked in the background — and gives the case
 * manager both (Users → Acts for…). The case manager sees Doctors' cases: All doctors lists both
 * doctors' studies with the relation and the doctor; picking one doctor lists only theirs. They
 * share one of Dr Paula Physician's studies; the physician sees it among her cases, and the audit
 * trail says "Carl Case Manager for Dr Paula Physician".
 *
 * Then (issue 14, parts 2 to 4): a name that fits two physicians waits in Administration →
 * Physicians → Matches to confirm until the admin picks one; the case manager adds a physician to
 * a study (Actions → Add physician…, for the doctor chosen in For), sees them in the details
 * panel's Physicians and takes them off again; and the Share dialog's For names a doctor, which
 * the hub refuses with why when that doctor is not on the study.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, screenshot, screenshotFailures, tearDownInOrder } from './support/app-harness';
import { openSignedInDesk } from './support/signed-in-desk';
import { type HubServer, PASSWORD, startHubServer } from './support/hub-server';

const summary = (uid: string, patientName: string, referringPhysicianName: string) => ({
  studyInstanceUid: uid,
  patientName,
  patientId: `P-${uid.split('.').at(-1)}`,
  patientBirthDate: '1970-01-01',
  studyDate: '2026-11-20',
  studyTime: '10:00:00',
  patientSex: 'F',
  accessionNumber: `A-${uid.split('.').at(-1)}`,
  studyDescription: 'CT Chest',
  referringPhysicianName,
  institutionName: 'Riverside',
  modalities: ['CT'],
  seriesCount: 1,
  instanceCount: 1,
});

describe('case managers act for physicians', () => {
  let hub: HubServer;
  let desk: RunningApp;
  let browser: Browser;
  let page: Page;

  const signIn = async (email: string) => {
    await desk.app.hub.signIn({ url: hub.url, email, password: PASSWORD });
    await expect.poll(() => page.getByRole('button', { name: /^Hub: / }).getAttribute('title')).toContain(email);
  };
  const tokenOf = async (email: string) => (await hub.app.inject({ method: 'POST', url: '/api/sessions', payload: { email, password: PASSWORD } })).json<{ token: string }>().token;
  const rows = (grid: ReturnType<Page['getByRole']>) => grid.locator('.grid-body [role="row"]');
  const patients = async (grid: ReturnType<Page['getByRole']>) => (await rows(grid).allTextContents()).map((text) => /^[A-Za-z]+, [A-Za-z]+?(?=P-)/.exec(text)?.[0] ?? text).sort();

  beforeAll(async () => {
    hub = await startHubServer();
    const riverside = await hub.site('Riverside', 'riverside.example');
    await hub.user(riverside.accountId, 'Rex Reader', 'rex@riverside.example', 'Radiologist');
    await hub.user(riverside.accountId, 'Paula Physician', 'paula@riverside.example', 'Physician');
    await hub.user(riverside.accountId, 'Carl Case Manager', 'carl@riverside.example', 'Case Manager');
    // Participated only: what a member sees is what reaches them, so delegation is what shows.
    const policy = (await hub.api<{ policy: Record<string, unknown> }>(riverside.adminToken, 'GET', '/api/site/policy')).policy;
    const set = await hub.app.inject({ method: 'PUT', url: '/api/site/policy', payload: { ...policy, viewing: 'participated' }, headers: { authorization: `Bearer ${riverside.adminToken}` } });
    expect(set.statusCode).toBe(200);
    // Rex puts three studies on the hub; their Referring Physician's Name as a modality types it.
    const token = (await hub.app.inject({ method: 'POST', url: '/api/sessions', payload: { email: 'rex@riverside.example', password: PASSWORD } })).json<{ token: string }>().token;
    for (const [uid, patient, referring] of [
      ['1.2.826.0.1.3680043.10.14.1', 'Alpha^Ann', 'PHYSICIAN^PAULA'],
      ['1.2.826.0.1.3680043.10.14.2', 'Bravo^Ben', 'Núñez^Óscar'],
      ['1.2.826.0.1.3680043.10.14.3', 'Charlie^Cy', 'Someone^Else'],
    ] as const) {
      const { results } = await hub.api<{ results: { status: string }[] }>(token, 'POST', '/api/operations', { operations: [{ id: randomUUID(), kind: 'study.publish', study: summary(uid, patient, referring) }] });
      expect(results[0].status).toBe('applied');
    }
    ({ desk, browser, page } = await openSignedInDesk(hub.url, 'admin@riverside.example', PASSWORD));
  });

  screenshotFailures(() => ({ '': page }));

  tearDownInOrder(() => [browser, desk, hub]);

  it('lets the admin add physicians to the directory and give the case manager both', async () => {
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('tab', { name: 'Physicians' }).click();
    const form = page.getByRole('form', { name: 'Add a physician' });
    await form.getByLabel('Physician name').fill('Paula Physician');
    await form.getByLabel('Specialty').fill('Pulmonology');
    await form.getByLabel('Linked user').selectOption({ label: 'Paula Physician (paula@riverside.example)' });
    await form.getByRole('button', { name: 'Add physician' }).click();
    const table = page.getByRole('table', { name: 'Physicians' });
    await expect.poll(() => table.textContent()).toContain('Pulmonology');
    await form.getByLabel('Physician name').fill('Oscar Nunez');
    await form.getByRole('button', { name: 'Add physician' }).click();
    await expect.poll(() => table.textContent()).toContain('Oscar Nunez');
    await screenshot(page, '40-physician-directory');

    await page.getByRole('tab', { name: 'Users' }).click();
    await page.getByRole('button', { name: 'Acts for: Carl Case Manager' }).click();
    const dialog = page.getByRole('dialog', { name: 'Carl Case Manager acts for' });
    await dialog.getByRole('checkbox', { name: /Paula Physician/ }).check();
    await dialog.getByRole('checkbox', { name: /Oscar Nunez/ }).check();
    await screenshot(page, '41-acts-for');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('shows the case manager All doctors, then one doctor, with the relation and the doctor', async () => {
    await signIn('carl@riverside.example');
    await page.getByRole('list', { name: 'Hub studies' }).getByRole('link', { name: 'Doctors’ cases' }).click();
    const grid = page.getByRole('grid', { name: 'Cases' });
    await grid.waitFor();
    expect(await page.getByRole('combobox', { name: 'Doctor' }).inputValue()).toBe('');
    // Linked in the background when the physicians were added (the studies were there before).
    await expect.poll(async () => { await page.getByRole('button', { name: 'Refresh' }).click(); return patients(grid); }, { timeout: 15_000 }).toEqual(['Alpha, Ann', 'Bravo, Ben']);
    expect(await rows(grid).filter({ hasText: 'Alpha, Ann' }).textContent()).toContain('Referred by · Dr Paula Physician');
    expect(await rows(grid).filter({ hasText: 'Bravo, Ben' }).textContent()).toContain('Referred by · Dr Oscar Nunez');
    await screenshot(page, '42-all-doctors');
    await page.getByRole('combobox', { name: 'Doctor' }).selectOption({ label: 'Dr Paula Physician' });
    await expect.poll(() => patients(grid)).toEqual(['Alpha, Ann']);
    await screenshot(page, '43-one-doctor');
  });

  it('records the case manager’s share for the physician, who sees the study; the audit says for whom', async () => {
    const grid = page.getByRole('grid', { name: 'Cases' });
    await rows(grid).filter({ hasText: 'Alpha, Ann' }).click();
    await page.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: 'Share…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Share study' });
    await dialog.getByRole('tab', { name: 'Physicians' }).click();
    await dialog.getByRole('searchbox', { name: 'Search physicians' }).fill('rex');
    await dialog.getByRole('checkbox', { name: /Rex Reader/ }).check();
    await dialog.getByRole('button', { name: 'Share Studies' }).click();
    await dialog.getByRole('button', { name: 'Done' }).click();
    const shares = page.getByRole('region', { name: 'Shared with' }).getByRole('list', { name: 'Shares' });
    await expect.poll(() => shares.textContent(), { timeout: 15_000 }).toContain('Carl Case Manager for Dr Paula Physician');
    await screenshot(page, '44-shared-for-physician');

    await signIn('paula@riverside.example');
    await page.getByRole('list', { name: 'Hub studies' }).getByRole('link', { name: 'My cases' }).click();
    const mine = page.getByRole('grid', { name: 'Cases' });
    await expect.poll(() => patients(mine), { timeout: 10_000 }).toEqual(['Alpha, Ann']);

    await signIn('admin@riverside.example');
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('tab', { name: 'Audit trail' }).click();
    const trail = page.getByRole('table', { name: 'Audit trail' });
    await expect.poll(() => trail.textContent()).toContain('Carl Case Manager for Dr Paula Physician');
    await screenshot(page, '45-audit-for-physician');
  });

  it('lets the admin confirm which physician an ambiguous DICOM name is', async () => {
    // A second Oscar Nunez makes "NUNEZ^OSCAR" ambiguous: a study arriving with it waits for the admin.
    const riverside = await tokenOf('admin@riverside.example');
    const second = await hub.app.inject({ method: 'POST', url: '/api/physicians', payload: { displayName: 'Oscar Nunez (Radiology)', familyName: 'Nunez', givenNames: 'Oscar' }, headers: { authorization: `Bearer ${riverside}` } });
    expect(second.statusCode, second.body).toBe(201);
    const token = await tokenOf('rex@riverside.example');
    const { results } = await hub.api<{ results: { status: string }[] }>(token, 'POST', '/api/operations', { operations: [{ id: randomUUID(), kind: 'study.publish', study: summary('1.2.826.0.1.3680043.10.14.4', 'Delta^Dan', 'NUNEZ^OSCAR') }] });
    expect(results[0].status).toBe('applied');

    await signIn('admin@riverside.example');
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('tab', { name: 'Physicians' }).click();
    const reviews = page.getByRole('table', { name: 'Matches to confirm' });
    await expect.poll(() => reviews.textContent(), { timeout: 10_000 }).toContain('A-4');
    const row = reviews.getByRole('row').filter({ hasText: 'A-4' });
    expect(await row.textContent()).toContain('Referred by');
    const choice = row.getByRole('combobox');
    const options = await choice.locator('option').allTextContents();
    expect([options[0], ...options.slice(1, -1).sort(), options.at(-1)]).toEqual(['Choose…', 'Oscar Nunez', 'Oscar Nunez (Radiology)', 'None of them']);
    await choice.selectOption({ label: 'Oscar Nunez' });
    await screenshot(page, '46-matches-to-confirm');
    await row.getByRole('button', { name: /^Confirm / }).click();
    await expect.poll(() => page.getByRole('status').allTextContents()).toContainEqual(expect.stringContaining('was linked to Oscar Nunez'));
    await expect.poll(async () => (await reviews.count()) === 0 || !(await reviews.textContent())?.includes('A-4')).toBe(true);
    // Linked, by hand, to the one chosen; the question is closed for good.
    const studyId = (await hub.db.selectFrom('studies').select('id').where('study_uid', '=', '1.2.826.0.1.3680043.10.14.4').executeTakeFirstOrThrow()).id;
    const links = await hub.api<{ physicians: { displayName: string; relation: string; source: string }[] }>(riverside, 'GET', `/api/studies/${studyId}/physicians`);
    expect(links.physicians).toEqual([expect.objectContaining({ displayName: 'Oscar Nunez', relation: 'referring', source: 'manual' })]);
    expect((await hub.api<{ reviews: { studyId: string }[] }>(riverside, 'GET', '/api/physicians/reviews')).reviews.map((r) => r.studyId)).not.toContain(studyId);
  });

  it('lets the case manager add a physician to a study for a doctor, see it in the details, and take it off', async () => {
    await signIn('carl@riverside.example');
    await page.getByRole('list', { name: 'Hub studies' }).getByRole('link', { name: 'Doctors’ cases' }).click();
    const grid = page.getByRole('grid', { name: 'Cases' });
    await expect.poll(() => patients(grid), { timeout: 10_000 }).toContain('Alpha, Ann');
    await rows(grid).filter({ hasText: 'Alpha, Ann' }).click();
    await page.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: 'Add physician…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a physician to the study' });
    await dialog.getByRole('searchbox', { name: 'Search physicians by surname' }).fill('nun');
    await dialog.getByRole('radio', { name: /^Oscar Nunez$/ }).check();
    // Carl acts for two physicians: For names the one (Paula is on this study).
    await dialog.getByRole('combobox', { name: 'Acting for' }).selectOption({ label: 'Paula Physician' });
    await screenshot(page, '47-add-physician');
    await dialog.getByRole('button', { name: 'Add Oscar Nunez' }).click();
    await expect.poll(() => dialog.getByRole('status').textContent()).toContain('added to 1');
    await dialog.getByRole('button', { name: 'Done' }).click();

    const physicians = page.getByRole('region', { name: 'Physicians' }).getByRole('list', { name: 'Physicians on this study' });
    await page.getByRole('button', { name: 'Refresh' }).click();
    await rows(grid).filter({ hasText: 'Alpha, Ann' }).click();
    await expect.poll(() => physicians.textContent(), { timeout: 10_000 }).toMatch(/Oscar Nunez\s*Associated/);
    expect(await physicians.textContent()).toMatch(/Paula Physician\s*Referred by/);
    // Only the one added by hand can be taken off here.
    expect(await physicians.getByRole('button').count()).toBe(1);
    await screenshot(page, '48-study-physicians');
    const trail = await hub.db.selectFrom('audit_events').select(['on_behalf_of_physician']).where('action', '=', 'physician.link').where('detail', 'like', '%associated%').execute();
    expect(trail.map((row) => row.on_behalf_of_physician)).toHaveLength(1);
    await physicians.getByRole('button', { name: 'Take Oscar Nunez off the study' }).click();
    await expect.poll(() => physicians.textContent()).not.toContain('Oscar Nunez');
    expect(await page.getByRole('region', { name: 'Physicians' }).getByRole('status').textContent()).toContain('Oscar Nunez was taken off the study');
  });

  it('names the doctor a case manager shares for, and the hub refuses one who is not on the study, with why', async () => {
    const grid = page.getByRole('grid', { name: 'Cases' });
    await rows(grid).filter({ hasText: 'Alpha, Ann' }).click();
    await page.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: 'Share…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Share study' });
    await dialog.getByRole('tab', { name: 'Physicians' }).click();
    await dialog.getByRole('searchbox', { name: 'Search physicians' }).fill('paula');
    await dialog.getByRole('checkbox', { name: /Paula Physician/ }).check();
    const forWhom = dialog.getByRole('combobox', { name: 'Acting for' });
    expect(await forWhom.inputValue()).toBe('');
    await forWhom.selectOption({ label: 'Oscar Nunez' });
    await screenshot(page, '49-share-for');
    await dialog.getByRole('button', { name: 'Share Studies' }).click();
    await expect.poll(() => dialog.getByRole('list', { name: 'Share results' }).textContent()).toContain('This physician is not on this study');
    await dialog.getByRole('button', { name: 'Done' }).click();
  });
});
