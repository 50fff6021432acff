/**
 * End to end in Chromium (issue 16): a desktop with no periodic pull at all (the harness's
 * syncEveryMs is 0), so whatever reaches it comes by the hub's live signal. Another person shares
 * a study with Bob and adds him to a collection on the hub; Bob's bell counts them within
 * seconds; the panel lists them newest first; opening the share marks it read and opens the
 * viewer; mark all read empties the count; the preferences show every event with its delivery
 * and save a change; the hub then mails the next share.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { testStudySummary } from '../server/test-support/study-summary';
import { type RunningApp, screenshot, screenshotFailures, tearDownInOrder } from './support/app-harness';
import { openSignedInDesk } from './support/signed-in-desk';
import { type HubServer, PASSWORD, startHubServer } from './support/hub-server';

describe('notifications: the bell, live', () => {
  let hub: HubServer;
  let desk: RunningApp;
  let browser: Browser;
  let page: Page;
  let adminToken = '';
  let bobId = '';
  const studyIds: string[] = [];

  const share = async (studyId: string) => {
    const answer = await hub.api<{ results: { status: string }[] }>(adminToken, 'POST', '/api/operations', { operations: [{ id: randomUUID(), kind: 'share.create', shareId: randomUUID(), study: { id: studyId }, target: { userId: bobId } }] });
    expect(answer.results[0].status).toBe('applied');
  };

  beforeAll(async () => {
    hub = await startHubServer();
    const site = await hub.site('Riverside', 'riverside.example');
    adminToken = site.adminToken;
    bobId = await hub.user(site.accountId, 'Bob Reader', 'bob@riverside.example', 'Radiologist');
    for (let n = 1; n <= 3; n++) {
      const published = await hub.api<{ results: { value: { studyId: string } }[] }>(adminToken, 'POST', '/api/operations', {
        operations: [{ id: randomUUID(), kind: 'study.publish', study: testStudySummary('1.2.826.0.1.3680043.10.1234.1660', n, 'Bell'), private: false }],
      });
      studyIds.push(published.results[0].value.studyId);
    }
    ({ desk, browser, page } = await openSignedInDesk(hub.url, 'bob@riverside.example', PASSWORD));
  });

  screenshotFailures(() => ({ notifications: page }));

  tearDownInOrder(() => [browser, desk, hub]);

  it('counts a share and a collection invitation within seconds, with no periodic pull', async () => {
    const bell = page.getByRole('button', { name: /^Notifications/ });
    await expect.poll(() => bell.getAttribute('aria-label')).toBe('Notifications, none unread');
    await share(studyIds[0]);
    await expect.poll(() => bell.getAttribute('aria-label'), { timeout: 5000 }).toBe('Notifications, 1 unread');
    const collection = await hub.api<{ collection: { id: string } }>(adminToken, 'POST', '/api/collections', { name: 'Tumour board', description: '' });
    const added = await hub.app.inject({ method: 'PUT', url: `/api/collections/${collection.collection.id}/members`, payload: { kind: 'user', memberId: bobId, rights: ['comment'] }, headers: { authorization: `Bearer ${adminToken}` } });
    expect(added.statusCode).toBeLessThan(300);
    await expect.poll(() => bell.getAttribute('aria-label'), { timeout: 5000 }).toBe('Notifications, 2 unread');
  });

  it('lists them newest first, opens the shared study in the viewer and marks it read; mark all read', async () => {
    await page.getByRole('button', { name: /^Notifications/ }).click();
    const panel = page.getByRole('dialog', { name: 'Notifications' });
    const items = panel.getByRole('list', { name: 'Notifications, newest first' }).getByRole('listitem');
    await expect.poll(() => items.count()).toBe(2);
    expect(await items.nth(0).textContent()).toContain('Riverside Admin added you to a collection.');
    expect(await items.nth(1).textContent()).toContain('Riverside Admin shared a study with you.');
    expect(await panel.getByText('live', { exact: true }).count()).toBe(1);
    await screenshot(page, 'notifications-panel');
    await items.nth(1).getByRole('button').first().click();
    await expect.poll(() => page.getByRole('button', { name: /^Notifications/ }).getAttribute('aria-label')).toBe('Notifications, 1 unread');
    await expect.poll(() => page.getByRole('dialog', { name: 'Viewer' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Close viewer' }).click();
    await page.getByRole('button', { name: /^Notifications/ }).click();
    await page.getByRole('dialog', { name: 'Notifications' }).getByRole('button', { name: 'Mark all read' }).click();
    await expect.poll(() => page.getByRole('button', { name: /^Notifications/ }).getAttribute('aria-label')).toBe('Notifications, none unread');
  });

  it('shows and saves the preferences per event; “email now” mails the next share', async () => {
    const panel = page.getByRole('dialog', { name: 'Notifications' });
    if ((await panel.count()) === 0) await page.getByRole('button', { name: /^Notifications/ }).click();
    await panel.getByRole('button', { name: 'Preferences' }).click();
    const delivery = panel.getByRole('combobox', { name: 'Delivery: A study shared with me or my worklists' });
    expect(await delivery.inputValue()).toBe('app');
    expect(await panel.getByRole('row').count()).toBe(11);
    await delivery.selectOption('email');
    await expect.poll(() => panel.getByRole('status').textContent()).toBe('Saved.');
    expect(await panel.getByRole('checkbox', { name: 'Desktop alert: A mention of me' }).isChecked()).toBe(true);
    await screenshot(page, 'notifications-preferences');
    const before = hub.mails().length;
    await share(studyIds[1]);
    await expect.poll(() => hub.mails().length, { timeout: 10_000 }).toBe(before + 1);
    const mail = hub.mails().at(-1)!;
    expect(mail).toContain('Riverside Admin shared a study with you.');
    // Sentences only: the patient's name is not in the mail.
    expect(mail).not.toContain('Bell');
  });
});
