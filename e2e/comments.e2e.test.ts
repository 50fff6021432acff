/**
 * End to end in Chromium (issue 16), two people on two desktops and one hub: Rita opens a study
 * in the viewer, moves to its second image, picks the CT lung window, and comments there mentioning
 * Paul (chosen from the @ autocomplete); her comment is pending, then posted. Paul's bell counts
 * one within seconds; he opens the notification and the viewer lands on that image with Rita's
 * window; the comment is in his list beside the viewer, and its marker sits on the scroll bar.
 * Script typed into a comment shows as text on both sides.
 */
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testUid, writeInstance } from '../electron/main/dicom-write/synthetic-study';
import { type RunningApp, screenshot, startApp, writeFiles } from './support/app-harness';
import { launchChromium } from './support/browser';
import { type HubServer, PASSWORD, startHubServer } from './support/hub-server';

type Anchor = { studyInstanceUid: string; seriesInstanceUid?: string; sopInstanceUid?: string; frame?: number; viewport?: { windowCenter: number; windowWidth: number; zoom: number; pan: [number, number] } };
type Probe = { currentAnchor: () => Anchor | null; state: (id: string) => { index: number; rendered: number } | null };
const probe = (page: Page) => page.evaluate(() => (globalThis as unknown as { studyshareViewerProbe?: Probe }).studyshareViewerProbe?.state('viewport-main') ?? null);
const anchorOf = (page: Page) => page.evaluate(() => (globalThis as unknown as { studyshareViewerProbe?: Probe }).studyshareViewerProbe?.currentAnchor() ?? null);

describe('comments and mentions between two people through one hub', () => {
  let hub: HubServer;
  let ritaDesk: RunningApp;
  let paulDesk: RunningApp;
  let browser: Browser;
  let contexts: BrowserContext[] = [];
  let rita: Page;
  let paul: Page;
  const studyUid = testUid(161);

  beforeAll(async () => {
    hub = await startHubServer();
    const riverside = await hub.site('Riverside', 'riverside.example');
    await hub.user(riverside.accountId, 'Rita Radiologist', 'rita@riverside.example', 'Radiologist');
    await hub.user(riverside.accountId, 'Paul Physician', 'paul@riverside.example', 'Physician');
    ritaDesk = await startApp({ hubMode: 'remote' });
    paulDesk = await startApp({ hubMode: 'remote' });
    await ritaDesk.app.hub.signIn({ url: hub.url, email: 'rita@riverside.example', password: PASSWORD });
    await paulDesk.app.hub.signIn({ url: hub.url, email: 'paul@riverside.example', password: PASSWORD });
    const input = path.join(ritaDesk.workDir, 'studies');
    const study = { patientName: 'Comment^Carl', patientId: 'CC-1', patientBirthDate: '19650102', studyInstanceUid: studyUid, studyDescription: 'CT Chest comments', studyDate: '20261129', modality: 'CT' };
    writeFiles(
      input,
      Object.fromEntries(
        [1, 2, 3].map((n) => [`${n}.dcm`, writeInstance({ ...study, seriesInstanceUid: testUid(161, 1), seriesNumber: 1, sopInstanceUid: testUid(161, 1, n), instanceNumber: n, rows: 64, columns: 64 })]),
      ),
    );
    await ritaDesk.app.handlers['import:start']({ paths: [input], copyToLibrary: false });
    await new Promise<void>((resolve) => ritaDesk.app.bus.subscribe((name) => name === 'import:finished' && resolve()));
    browser = await launchChromium();
    for (let i = 0; i < 2; i++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      context.setDefaultTimeout(15_000);
      contexts.push(context);
    }
    rita = await contexts[0].newPage();
    paul = await contexts[1].newPage();
    await rita.goto(ritaDesk.server.url);
    await paul.goto(paulDesk.server.url);
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    contexts = [];
    await browser?.close();
    await ritaDesk?.stop();
    await paulDesk?.stop();
    await hub?.stop();
  });

  it('Rita comments on an image and mentions Paul; Paul’s bell counts one and opens that image with Rita’s window', async () => {
    // Rita opens the study and goes to image 2 with the lung window (key 2).
    await rita.getByRole('grid', { name: 'Studies' }).getByRole('row').filter({ hasText: 'CT Chest comments' }).dblclick();
    const viewer = rita.getByRole('dialog', { name: 'Viewer' });
    await viewer.waitFor();
    await expect.poll(async () => (await probe(rita))?.rendered ?? 0, { timeout: 15_000 }).toBeGreaterThan(0);
    await viewer.press('ArrowDown');
    await expect.poll(async () => (await probe(rita))?.index, { timeout: 10_000 }).toBe(1);
    await viewer.getByLabel('Window preset').selectOption('lung');
    await expect.poll(async () => (await anchorOf(rita))?.viewport?.windowWidth).toBe(1500);
    expect((await anchorOf(rita))?.sopInstanceUid).toBe(testUid(161, 1, 2));
    // Her view is fitted (zoom measured on screen against the fit, whatever the canvas did since opening).
    const ritaZoom = (await anchorOf(rita))?.viewport?.zoom ?? 0;
    expect(ritaZoom).toBeCloseTo(1, 2);

    // A first comment puts the study on the hub (publish, then the comment, one outbox); script stays text.
    const panel = rita.getByRole('complementary', { name: 'Comments on this study' });
    const box = panel.getByRole('combobox', { name: 'New comment' });
    await box.fill('<script>window.hacked = true</script> first look');
    await panel.getByRole('button', { name: 'Post' }).click();
    await expect.poll(() => panel.getByRole('article', { name: 'Comment by Rita Radiologist' }).count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => panel.getByRole('article').first().textContent()).toContain('<script>window.hacked = true</script> first look');
    expect(await rita.evaluate(() => (globalThis as { hacked?: boolean }).hacked)).toBeUndefined();

    // Then a mention: @Pa offers Paul (once the desktop knows the study's hub id).
    await expect
      .poll(
        async () => {
          await box.fill('');
          await box.pressSequentially('Nodule here, @Pa');
          return panel.getByRole('option', { name: /Paul Physician/ }).count();
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .toBe(1);
    await box.press('Enter');
    await expect.poll(() => box.inputValue()).toBe('Nodule here, @Paul Physician ');
    await box.pressSequentially('— please review');
    await panel.getByRole('button', { name: 'Post' }).click();
    await expect.poll(() => panel.getByRole('article', { name: 'Comment by Rita Radiologist' }).count(), { timeout: 15_000 }).toBe(2);
    const posted = panel.getByRole('article').filter({ hasText: 'please review' });
    await expect.poll(() => posted.getByRole('button', { name: /^Open at Image 2 · W 1500 \/ L -600/ }).count()).toBe(1);
    await expect.poll(() => posted.textContent()).not.toContain('Pending');
    // Its image has a marker on the scroll bar.
    await expect.poll(() => viewer.getByRole('button', { name: /2 comments, image 2/ }).count()).toBe(1);
    await screenshot(rita, '60-comments-viewer-rita');

    // Paul: the bell counts one within seconds (live signal, then the pull).
    const bell = paul.getByRole('button', { name: /^Notifications, / });
    await expect.poll(() => bell.getAttribute('aria-label'), { timeout: 10_000 }).toBe('Notifications, 1 unread');
    await bell.click();
    const inbox = paul.getByRole('dialog', { name: 'Notifications' });
    await inbox.getByRole('list', { name: 'Notifications, newest first' }).getByRole('button').first().click();
    const paulViewer = paul.getByRole('dialog', { name: 'Viewer' });
    await paulViewer.waitFor();
    // He lands on image 2 with Rita's window (the files came up to the hub behind her comment).
    await expect.poll(async () => (await probe(paul))?.rendered ?? 0, { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(async () => (await anchorOf(paul))?.viewport?.windowWidth, { timeout: 10_000 }).toBe(1500);
    const landed = await anchorOf(paul);
    expect(landed).toMatchObject({ studyInstanceUid: studyUid, sopInstanceUid: testUid(161, 1, 2), viewport: { windowCenter: -600, windowWidth: 1500 } });
    // …and her zoom, not her zoom multiplied by the fit again.
    expect(landed?.viewport?.zoom ?? 0).toBeCloseTo(ritaZoom, 2);
    // Her comments are in his list, the script as text, the mention marked.
    const paulPanel = paul.getByRole('complementary', { name: 'Comments on this study' });
    await expect.poll(() => paulPanel.getByRole('article').count(), { timeout: 15_000 }).toBe(2);
    expect(await paulPanel.locator('.comment-mention').first().textContent()).toBe('@Paul Physician');
    expect(await paul.evaluate(() => (globalThis as { hacked?: boolean }).hacked)).toBeUndefined();
    await screenshot(paul, '61-comments-viewer-paul');

    // Paul replies; Rita's list shows it after her next read.
    const reply = paulPanel.getByRole('article').filter({ hasText: 'please review' }).getByRole('button', { name: 'Reply' });
    await reply.click();
    await paulPanel.getByRole('combobox', { name: 'Reply to Rita Radiologist' }).fill('Agreed, follow up in 3 months.');
    await paulPanel.getByRole('button', { name: 'Reply', exact: true }).last().click();
    await expect.poll(() => paulPanel.getByRole('list', { name: 'Replies to Rita Radiologist' }).textContent(), { timeout: 15_000 }).toContain('Agreed');

    // Rita's study details list the comments too, each place a button that opens the viewer there.
    await viewer.press('Escape');
    await expect.poll(() => viewer.count()).toBe(0);
    await rita.getByRole('grid', { name: 'Studies' }).getByRole('row').filter({ hasText: 'CT Chest comments' }).click();
    const details = rita.getByRole('complementary', { name: 'Study details' }).getByRole('region', { name: 'Comments' });
    await expect.poll(() => details.getByRole('article', { name: 'Comment by Rita Radiologist' }).count(), { timeout: 15_000 }).toBe(2);
    await screenshot(rita, '62-comments-details-rita');
    // The details do not know the series order, so the place reads "One image"; it opens on image 2 all the same.
    await details.getByRole('button', { name: /^Open at One image · W 1500 \/ L -600/ }).last().click();
    await viewer.waitFor();
    await expect.poll(async () => (await anchorOf(rita))?.sopInstanceUid, { timeout: 15_000 }).toBe(testUid(161, 1, 2));
  }, 180_000);
});
