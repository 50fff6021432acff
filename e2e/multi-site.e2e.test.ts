/**
 * End to end in Chromium (issue 14): a person of no site connected to two sites of one hub.
 * Dana is connected to Riverside (a Physician, for Dr Paula Physician) and to Lakeside (an
 * External rep, for Dr Bruno Bone): her "All I can see" has a Site column naming each study's
 * site and a Site filter (All sites / one site, narrowed on the hub), and the details panel
 * names the site too. Bea, connected to Lakeside only, sees neither. Lakeside's admin sees the
 * role of each connection under Administration → Users and sets Dana's (one role per connection).
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../server/auth/password';
import { type RunningApp, screenshot, screenshotFailures, tearDownInOrder, startApp } from './support/app-harness';
import { launchChromium } from './support/browser';
import { type HubServer, PASSWORD, startHubServer } from './support/hub-server';

const summary = (uid: string, patientName: string, studyDate: string, referringPhysicianName: string | null) => ({
  studyInstanceUid: uid,
  patientName,
  patientId: `P-${uid.split('.').at(-1)}`,
  patientBirthDate: '1970-01-01',
  studyDate,
  studyTime: '10:00:00',
  patientSex: 'F',
  accessionNumber: `A-${uid.split('.').at(-1)}`,
  studyDescription: 'CT Knee',
  referringPhysicianName,
  institutionName: null,
  modalities: ['CT'],
  seriesCount: 1,
  instanceCount: 1,
});

describe('a person connected to two sites', () => {
  let hub: HubServer;
  let desk: RunningApp;
  let browser: Browser;
  let page: Page;
  let lakesideAdmin = '';
  const connections: Record<string, string> = {};

  const inject = async <T>(token: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown): Promise<T> => {
    const answer = await hub.app.inject({ method, url, payload: payload as never, headers: { authorization: `Bearer ${token}` } });
    if (answer.statusCode >= 400) throw new Error(`${method} ${url}: ${answer.body}`);
    return answer.json<T>();
  };
  const session = async (email: string) => (await hub.app.inject({ method: 'POST', url: '/api/sessions', payload: { email, password: PASSWORD } })).json<{ token: string }>().token;
  const signIn = async (email: string) => {
    await desk.app.hub.signIn({ url: hub.url, email, password: PASSWORD });
    await expect.poll(() => page.getByRole('button', { name: /^Hub: / }).getAttribute('title')).toContain(email);
  };
  const grid = () => page.getByRole('grid', { name: /All I can see/ });
  /** Each listed row's patient and site cells ("Knee, Anna · Riverside"), sorted. */
  const listed = async () => {
    const rows = grid().locator('.grid-body [role="row"]');
    const texts: string[] = [];
    for (const row of await rows.all()) {
      const cells = await row.getByRole('gridcell').allTextContents();
      const site = await row.locator('.site-cell').count() === 0 ? null : await row.locator('.site-cell').textContent();
      texts.push(site === null ? cells[0] : `${cells[0]} · ${site}`);
    }
    return texts.sort();
  };
  const openAllICanSee = async () => {
    await page.getByRole('list', { name: 'Hub studies' }).getByRole('link', { name: 'All I can see' }).click();
    await grid().waitFor();
  };

  beforeAll(async () => {
    hub = await startHubServer();
    const riverside = await hub.site('Riverside', 'riverside.example');
    const lakeside = await hub.site('Lakeside', 'lakeside.example');
    lakesideAdmin = lakeside.adminToken;
    const paula = (await hub.api<{ physician: { id: string } }>(riverside.adminToken, 'POST', '/api/physicians', { displayName: 'Dr Paula Physician', familyName: 'Physician', givenNames: 'Paula', specialty: 'Orthopaedics' })).physician.id;
    const bruno = (await hub.api<{ physician: { id: string } }>(lakeside.adminToken, 'POST', '/api/physicians', { displayName: 'Dr Bruno Bone', familyName: 'Bone', givenNames: 'Bruno', specialty: 'Surgery' })).physician.id;
    await hub.user(riverside.accountId, 'Ray Rad', 'ray@riverside.example', 'Radiologist');
    await hub.user(lakeside.accountId, 'Lee Rad', 'lee@lakeside.example', 'Radiologist');
    const publish = async (email: string, studies: (readonly [string, string, string, string | null])[]) => {
      const token = await session(email);
      for (const [uid, patient, date, referring] of studies) {
        const { results } = await hub.api<{ results: { status: string }[] }>(token, 'POST', '/api/operations', { operations: [{ id: randomUUID(), kind: 'study.publish', study: summary(uid, patient, date, referring) }] });
        expect(results[0].status).toBe('applied');
      }
    };
    await publish('ray@riverside.example', [
      ['1.2.826.0.1.3680043.10.15.1', 'Knee^Anna', '2026-11-20', 'Physician^Paula'],
      ['1.2.826.0.1.3680043.10.15.2', 'Knee^Bert', '2026-11-18', 'Physician^Paula'],
      ['1.2.826.0.1.3680043.10.15.3', 'Other^Carl', '2026-11-19', null],
    ]);
    await publish('lee@lakeside.example', [
      ['1.2.826.0.1.3680043.10.15.4', 'Hip^Dora', '2026-11-21', 'Bone^Bruno'],
      ['1.2.826.0.1.3680043.10.15.5', 'Hip^Emil', '2026-11-17', 'Bone^Bruno'],
      ['1.2.826.0.1.3680043.10.15.6', 'Other^Finn', '2026-11-16', null],
    ]);
    // Two people of no site (as the hub's sign-up page makes them, confirmed): Dana asks both sites, Bea Lakeside only.
    const passwordHash = await hashPassword(PASSWORD);
    for (const [name, email] of [
      ['Dana Doctor', 'dana@outside.example'],
      ['Bea Rep', 'bea@outside.example'],
    ]) {
      await hub.db.insertInto('users').values({ id: randomUUID(), account_id: null, email, name, password_hash: passwordHash, role_id: null, active: 1, created_at: new Date().toISOString() }).execute();
    }
    const ask = async (email: string, site: string, kind: string, adminToken: string, physician: string, key: string) => {
      const { connection } = await inject<{ connection: { id: string } }>(await session(email), 'POST', '/api/connections', { site, kind });
      await inject(adminToken, 'PUT', `/api/connections/${connection.id}/physicians`, { physicianIds: [physician] });
      connections[key] = connection.id;
    };
    await ask('dana@outside.example', 'Riverside', 'physician', riverside.adminToken, paula, 'danaRiverside');
    await ask('dana@outside.example', 'Lakeside', 'external-rep', lakeside.adminToken, bruno, 'danaLakeside');
    await ask('bea@outside.example', 'Lakeside', 'external-rep', lakeside.adminToken, bruno, 'beaLakeside');
    desk = await startApp({ hubMode: 'remote' });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    await page.goto(desk.server.url);
  }, 120_000);

  screenshotFailures(() => ({ '': page }));

  tearDownInOrder(() => [browser, desk, hub]);

  it('shows Dana a Site column and a Site filter that narrows the list to one site', async () => {
    await signIn('dana@outside.example');
    await openAllICanSee();
    await expect.poll(listed, { timeout: 15_000 }).toEqual(['Hip, Dora · Lakeside', 'Hip, Emil · Lakeside', 'Knee, Anna · Riverside', 'Knee, Bert · Riverside']);
    expect(await grid().getByRole('columnheader', { name: 'Site' }).count()).toBe(1);
    const filter = page.getByRole('combobox', { name: 'Site' });
    expect(await filter.locator('option').allTextContents()).toEqual(['All sites', 'Lakeside', 'Riverside']);
    await screenshot(page, '150-two-sites-site-column');
    await filter.selectOption({ label: 'Lakeside' });
    await expect.poll(listed, { timeout: 15_000 }).toEqual(['Hip, Dora · Lakeside', 'Hip, Emil · Lakeside']);
    await expect.poll(() => page.locator('.hub-worklist-head').textContent()).toContain('2 matching studies');
    // The details panel names the site too.
    await grid().locator('.grid-body [role="row"]').first().click();
    const details = page.getByRole('complementary', { name: 'Study details' });
    await expect.poll(() => details.locator('.study-site').textContent()).toBe('Site Lakeside');
    await screenshot(page, '151-site-filter-lakeside');
    await filter.selectOption({ label: 'Riverside' });
    await expect.poll(listed, { timeout: 15_000 }).toEqual(['Knee, Anna · Riverside', 'Knee, Bert · Riverside']);
    // All sites brings every site back.
    await filter.selectOption({ label: 'All sites' });
    await expect.poll(listed, { timeout: 15_000 }).toHaveLength(4);
  });

  it('shows Bea, connected to Lakeside only, no Site column and no Site filter', async () => {
    await signIn('bea@outside.example');
    await openAllICanSee();
    await expect.poll(listed, { timeout: 15_000 }).toEqual(['Hip, Dora', 'Hip, Emil']);
    expect(await grid().getByRole('columnheader', { name: 'Site' }).count()).toBe(0);
    expect(await page.getByRole('combobox', { name: 'Site' }).count()).toBe(0);
  });

  it('shows Lakeside’s admin each connection’s role, and sets Dana’s', async () => {
    await desk.app.hub.signIn({ url: hub.url, email: 'admin@lakeside.example', password: PASSWORD });
    await expect.poll(() => page.getByRole('button', { name: /^Hub: / }).getAttribute('title')).toContain('admin@lakeside.example');
    await page.getByRole('link', { name: /Administration/ }).click();
    await page.getByRole('tab', { name: 'Users' }).click();
    const requests = page.getByRole('region', { name: 'Connection requests' });
    const role = requests.getByRole('combobox', { name: 'Role of Dana Doctor' });
    // An External rep's connection took the site's Referrer role at its assignment.
    await expect.poll(() => role.locator('option:checked').textContent()).toBe('Referrer');
    await role.selectOption({ label: 'Physician' });
    await expect.poll(() => requests.getByRole('status').textContent()).toContain('Dana Doctor now acts on this site’s studies as Physician');
    await expect.poll(() => role.locator('option:checked').textContent()).toBe('Physician');
    await screenshot(page, '152-connection-role');
    const stored = await inject<{ connections: { id: string; role: { name: string } | null }[] }>(lakesideAdmin, 'GET', '/api/connections');
    expect(stored.connections.find((c) => c.id === connections.danaLakeside)?.role?.name).toBe('Physician');
    expect(stored.connections.find((c) => c.id === connections.beaLakeside)?.role?.name).toBe('Referrer');
  });
});
