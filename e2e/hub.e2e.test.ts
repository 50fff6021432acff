/**
 * End to end in Chromium with the embedded hub: the first-run screen creates the site, the
 * admin screens manage users (with deactivation, unlock and password resets), roles, locations,
 * groups, share codes and the site's lock time; a deactivated user is refused at sign-in, a role
 * without admin permissions never sees administration, and reads the site's lock time.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppInBrowser, type RunningApp, openAppInBrowser, screenshot } from './support/app-harness';

describe('site setup and administration in the browser', () => {
  let session: AppInBrowser;
  let running: RunningApp;
  let page: Page;

  beforeAll(async () => {
    session = await openAppInBrowser({ hubMode: 'first-run' });
    ({ running, page } = session);
  });

  afterAll(async () => {
    await session?.close();
  });

  it('opens the first-run screen by itself, offers three ways, and creates the site and its admin on this computer', async () => {
    const welcome = page.getByRole('dialog', { name: 'Welcome to Studyshare' });
    await welcome.waitFor();
    for (const way of [/^Join your site’s hub/, /^Create a site on this computer/, /^Later/]) expect(await welcome.getByRole('button', { name: way }).count()).toBe(1);
    await screenshot(page, '09-first-run-choices');
    await welcome.getByRole('button', { name: /^Create a site on this computer/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Set up your site' });
    await dialog.waitFor();
    await dialog.getByLabel('Site name').fill('Riverside Imaging');
    await dialog.getByLabel('Your name').fill('Ada Admin');
    await dialog.getByLabel('Email').fill('ada@riverside.example');
    await dialog.getByLabel('Password').fill('short');
    await screenshot(page, '10-first-run');
    await dialog.getByRole('button', { name: 'Create site' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/Password must be at least 10 characters/);
    await dialog.getByLabel('Password').fill('correct horse battery');
    await dialog.getByRole('button', { name: 'Create site' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(() => page.getByRole('button', { name: /^Hub: / }).textContent()).toMatch(/Hub · up to date|Syncing/);
  });

  it('adds a user, edits a role, and keeps the admin role from locking itself out', async () => {
    await page.getByRole('link', { name: 'Administration' }).click();
    const users = page.getByRole('table', { name: 'Users' });
    await users.waitFor();
    const form = page.getByRole('form', { name: 'Add a user' });
    await form.getByLabel('Name').fill('Tess Tech');
    await form.getByLabel('Email').fill('tess@riverside.example');
    await form.getByLabel('Initial password').fill('long enough password');
    await form.getByLabel('Role').selectOption('Technologist');
    await form.getByRole('button', { name: 'Add user' }).click();
    await expect.poll(() => users.getByRole('row').allTextContents()).toContainEqual(expect.stringContaining('Tess Tech'));
    await screenshot(page, '11-admin-users');

    await page.getByRole('tab', { name: 'Roles' }).click();
    const box = page.getByRole('checkbox', { name: 'Technologist: Share with any worklist by its share code' });
    expect(await box.isChecked()).toBe(true);
    await box.click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Technologist updated.' }).count()).toBe(1);
    await expect.poll(() => box.isChecked()).toBe(false);
    await page.getByRole('checkbox', { name: 'Admin: Manage roles' }).click();
    await expect.poll(() => page.getByRole('main').getByRole('alert').textContent()).toMatch(/The Admin role must keep/);
    expect(await page.getByRole('checkbox', { name: 'Admin: Manage roles' }).isChecked()).toBe(true);
    await screenshot(page, '12-admin-roles');
  });

  it('adds a location with a member, a department, and regenerates a share code', async () => {
    await page.getByRole('tab', { name: 'Locations' }).click();
    await page.getByLabel('Location name').fill('North Wing');
    await page.getByRole('button', { name: 'Add location' }).click();
    const locations = page.getByRole('table', { name: 'Locations' });
    await expect.poll(() => locations.getByRole('row').count()).toBe(2);
    await page.getByLabel('User to add to North Wing').selectOption({ label: 'Tess Tech' });
    await page.getByRole('button', { name: 'Add to North Wing' }).click();
    await expect.poll(() => locations.getByRole('row').nth(1).textContent()).toContain('Tess Tech');

    await page.getByRole('tab', { name: 'Groups' }).click();
    await page.getByLabel('Group name').fill('Neuroradiology');
    await page.getByLabel('Department (members share every study automatically)').check();
    await page.getByRole('button', { name: 'Add group' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Groups' }).textContent()).toMatch(/Neuroradiology\s*department/);

    await page.getByRole('tab', { name: 'Share codes' }).click();
    const codes = page.getByRole('table', { name: 'Worklist share codes' });
    const row = codes.getByRole('row').filter({ hasText: 'North Wing' });
    const before = await row.locator('code').textContent();
    expect(before).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z*~$=]$/);
    await row.getByRole('button', { name: 'New code for North Wing' }).click();
    await expect.poll(() => row.locator('code').textContent()).not.toBe(before);
    await screenshot(page, '13-admin-share-codes');
  });

  it('deactivates a user after asking, unlocks a locked one, mails a reset, and sets the site’s lock time', async () => {
    // Tess as ten wrong passwords leave her (the hub's back-off makes real tries take minutes):
    // written into the embedded hub's database, which another connection may write in WAL mode.
    const hubDb = new Database(path.join(running.dataDir, 'hub', 'hub.sqlite'));
    const at = new Date().toISOString();
    hubDb.prepare('INSERT INTO sign_in_failures (email, failures, last_failure_at, locked_at) VALUES (?, 10, ?, ?)').run('tess@riverside.example', at, at);
    hubDb.close();

    await page.getByRole('tab', { name: 'Users' }).click();
    const form = page.getByRole('form', { name: 'Add a user' });
    await form.getByLabel('Name').fill('Rob Referrer');
    await form.getByLabel('Email').fill('rob@riverside.example');
    await form.getByLabel('Initial password').fill('long enough password');
    await form.getByLabel('Role').selectOption('Referrer');
    await form.getByRole('button', { name: 'Add user' }).click();
    const users = page.getByRole('table', { name: 'Users' });
    const row = (name: string) => users.getByRole('row').filter({ hasText: name });
    await expect.poll(() => row('Tess Tech').textContent()).toContain('Locked');
    // No one deactivates themselves here (the hub refuses it too).
    expect(await row('Ada Admin').getByRole('button', { name: 'Deactivate Ada Admin' }).count()).toBe(0);

    // Deactivation asks first; Cancel (focused) changes nothing.
    await row('Rob Referrer').getByRole('button', { name: 'Deactivate Rob Referrer' }).click();
    const confirm = page.getByRole('dialog', { name: 'Deactivate Rob Referrer?' });
    await confirm.waitFor();
    await expect.poll(() => page.evaluate<string | null | undefined>('document.activeElement?.textContent')).toBe('Cancel');
    await page.keyboard.press('Enter');
    await expect.poll(() => confirm.count()).toBe(0);
    expect(await row('Rob Referrer').textContent()).toContain('Active');
    await row('Rob Referrer').getByRole('button', { name: 'Deactivate Rob Referrer' }).click();
    await confirm.getByRole('button', { name: 'Deactivate Rob Referrer' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Rob Referrer was deactivated' }).count()).toBe(1);
    await expect.poll(() => row('Rob Referrer').textContent()).toContain('Deactivated');
    expect(await row('Rob Referrer').getByRole('button', { name: 'Reactivate Rob Referrer' }).count()).toBe(1);
    expect(await row('Rob Referrer').getByRole('button', { name: /password reset/ }).count()).toBe(0);
    await screenshot(page, '16-admin-user-actions');

    await row('Tess Tech').getByRole('button', { name: 'Unlock Tess Tech' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Tess Tech was unlocked' }).count()).toBe(1);
    await expect.poll(() => row('Tess Tech').textContent()).toContain('Active');
    expect(await row('Tess Tech').getByRole('button', { name: 'Unlock Tess Tech' }).count()).toBe(0);

    await row('Tess Tech').getByRole('button', { name: 'Send Tess Tech a password reset' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'A link to set a new password was mailed to tess@riverside.example' }).count()).toBe(1);

    // The site's lock time, set by its admin for every desktop where its users sign in.
    await page.getByRole('button', { name: 'Settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    const lockTime = settings.getByRole('form', { name: 'Lock time' });
    await lockTime.getByLabel('Lock your site’s desktops after this many minutes without activity').fill('20');
    await lockTime.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => lockTime.getByRole('status').textContent()).toBe('Saved: your site’s desktops lock after 20 minutes without activity.');
    expect(running.app.workstation.status()).toMatchObject({ idleMinutes: 20, lockTimeSetBy: 'site' });
    await settings.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => settings.count()).toBe(0);
  });

  it('refuses a deactivated user at sign-in, and never shows administration to a role without admin permissions', async () => {
    await page.getByRole('button', { name: /^Hub: / }).click();
    await page.getByRole('dialog', { name: 'Hub' }).getByRole('button', { name: 'Sign out' }).click();
    const signIn = page.getByRole('dialog', { name: 'Sign in to the hub' });
    await signIn.waitFor();
    await signIn.getByLabel('Email').fill('rob@riverside.example');
    await signIn.getByLabel('Password').fill('long enough password');
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => signIn.getByRole('alert').textContent()).toBe('The email address or the password is wrong.');
    await signIn.getByLabel('Email').fill('tess@riverside.example');
    await signIn.getByLabel('Password').fill('wrong password');
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => signIn.getByRole('alert').textContent()).toBe('The email address or the password is wrong.');
    await signIn.getByLabel('Password').fill('long enough password');
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => signIn.count()).toBe(0);
    await expect.poll(() => page.getByRole('link', { name: 'Administration' }).count()).toBe(0);
    expect(await page.getByRole('main', { name: 'Local studies' }).count()).toBe(1);
  });

  it('sets the public address of the hub on this computer in Settings, refusing one that is not an address', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    const form = settings.getByRole('form', { name: 'Hub on this computer' });
    expect(await form.getByText(/kept across restarts/).count()).toBe(1);
    expect(await form.getByText('Without a public address, guest links and invitations open only on this computer.').count()).toBe(1);
    await form.getByLabel(/^Public address/).fill('hub dot example');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => settings.getByRole('alert').textContent()).toMatch(/is not an address/);
    const port = running.app.hub.status().embedded!.port;
    // A documentation address (RFC 5737): written into links, never contacted.
    await form.getByLabel(/^Public address/).fill(`http://192.0.2.10:${port}`);
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => form.getByRole('status').textContent()).toContain('Saved');
    expect(running.app.hub.status()).toMatchObject({ linkReach: 'elsewhere', publicUrl: `http://192.0.2.10:${port}` });
    await screenshot(page, '14-settings-embedded-hub');

    // Tess manages no users: her site's lock time is shown, not offered to change.
    expect(await settings.getByRole('region', { name: 'Lock time' }).textContent()).toContain('Locks after 20 minutes without activity — set by your site.');
    expect(await settings.getByRole('spinbutton').count()).toBe(0);
    // Her own password: the hub's policy speaks for itself; two different new ones never leave the screen.
    const password = settings.getByRole('form', { name: 'Change password' });
    await password.getByLabel('Current password').fill('long enough password');
    await password.getByLabel('New password', { exact: true }).fill('aaaaaaaaaa');
    await password.getByLabel('New password again').fill('aaaaaaaaaa');
    await password.getByRole('button', { name: 'Change password' }).click();
    // The hub's own sentence (shared/password-policy.ts), as it said it.
    await expect.poll(() => password.getByRole('alert').textContent()).toMatch(/easy to guess/);
    await password.getByLabel('New password', { exact: true }).fill('a quiet harbour at dusk');
    await password.getByLabel('New password again').fill('a quiet harbour at noon');
    await password.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => password.getByRole('alert').textContent()).toBe('The two new passwords differ. Type the same one twice.');
    await password.getByLabel('New password again').fill('a quiet harbour at dusk');
    await password.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => password.getByRole('status').textContent()).toMatch(/^Your password was changed/);
    await screenshot(page, '14b-settings-site-lock-and-password');

    // Changing hub says, before anything happens, what would be let go of.
    await settings.getByRole('button', { name: 'Change hub…' }).click();
    await settings.getByRole('button', { name: /^No hub/ }).click();
    const confirm = settings.getByRole('group', { name: 'Confirm the switch' });
    await expect.poll(() => confirm.getByRole('listitem').allTextContents()).toEqual([
      'Nothing waits to be sent to the hub on this computer.',
      '0 studies cached from the hub on this computer will be removed from this computer. Your local studies stay.',
    ]);
    await screenshot(page, '15-settings-change-hub');
    await confirm.getByRole('button', { name: 'Back' }).click();
    await settings.getByRole('button', { name: 'Cancel' }).click();
    await settings.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => settings.count()).toBe(0);
  });

  it('opens “Join your site’s hub” with the address filled in when a join link is opened on this computer', async () => {
    running.app.bus.emit('hub:join-link', { url: 'https://hub.example.org' });
    const join = page.getByRole('dialog', { name: 'Join your site’s hub' });
    await expect.poll(() => join.getByLabel('Hub address').inputValue()).toBe('https://hub.example.org');
    await join.getByRole('button', { name: 'Back' }).click();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
  });
});
