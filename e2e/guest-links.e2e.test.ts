/**
 * Guest links end to end: created in the app, opened by a guest in a fresh browser context (no
 * session, no account), PIN checked, images shown by the app's own viewer (decoded values compared), the zip
 * downloaded and its DICOM files checked, lockout, revocation, and expiry with the hub's clock
 * moved forward.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSFER_SYNTAX } from '../shared/dicom/transfer-syntax';
import { encodeDicom } from '../electron/main/dicom-write/dicom-writer';
import { gradientPixels, instanceElements, testUid, writeInstance } from '../electron/main/dicom-write/synthetic-study';
import { encodeRleFrame } from '../server/dicom/rle';
import { screenshot, startApp, writeFiles, type RunningApp } from './support/app-harness';
import { launchChromium } from './support/browser';

const ROWS = 32;
const COLUMNS = 48;

/** The gradient's stored value at a pixel (no rescale in these files): what the decoder must give. */
function expectedValue(row: number, column: number): number {
  return new DataView(gradientPixels(ROWS, COLUMNS).buffer).getUint16((row * COLUMNS + column) * 2, true);
}

type GuestProbe = {
  state: (id: string) => { index: number; count: number; error: string | null; rendered: number } | null;
  region: (id: string, x: number, y: number, w: number, h: number) => { values: number[] } | null;
};

/** The decoded values the guest page's viewer (the app's Cornerstone3D) holds at these points; null until image `index` is decoded. */
async function decodedValues(page: Page, index: number, points: readonly [number, number][]): Promise<number[] | null> {
  return page.evaluate(
    ([at, list]) => {
      const probe = (globalThis as unknown as { studyshareViewerProbe?: GuestProbe }).studyshareViewerProbe;
      if (probe?.state('guest-viewport')?.index !== at) return null;
      const values = list.map(([row, column]) => probe.region('guest-viewport', column, row, 1, 1)?.values[0] ?? null);
      return values.includes(null) ? null : (values as number[]);
    },
    [index, points] as const,
  );
}

describe('guest links in the browser', () => {
  // The hub's clock runs with real time, plus whatever a test skips ahead.
  let skipped = 0;
  const clock = () => new Date(Date.now() + skipped);
  let running: RunningApp;
  let browser: Browser;
  let page: Page;
  const points: [number, number][] = [[0, 0], [10, 20], [31, 47], [16, 5]];

  beforeAll(async () => {
    running = await startApp({ hubMode: 'embedded', hubClock: clock });
    await running.app.hub.setup({ siteName: 'Riverside', adminName: 'Rita Radiologist', email: 'rita@riverside.example', password: 'correct horse battery' });
    const input = path.join(running.workDir, 'study');
    const spec = { patientName: 'Guest^Grace', patientId: 'GG-1', patientBirthDate: '19800102', studyInstanceUid: testUid(77), studyDescription: 'CT Wrist', studyDate: '20261120', modality: 'CT', rows: ROWS, columns: COLUMNS };
    const rle = instanceElements({ ...spec, seriesInstanceUid: testUid(77, 2), seriesNumber: 2, seriesDescription: 'RLE', sopInstanceUid: testUid(77, 2, 1), instanceNumber: 1 }, TRANSFER_SYNTAX.rleLossless).map((element) =>
      element.tag === 0x7fe00010 ? { ...element, value: { fragments: [encodeRleFrame(gradientPixels(ROWS, COLUMNS), ROWS * COLUMNS, 1, 2)] } } : element,
    );
    writeFiles(input, {
      '1.dcm': writeInstance({ ...spec, seriesInstanceUid: testUid(77, 1), seriesNumber: 1, seriesDescription: 'Plain', sopInstanceUid: testUid(77, 1, 1), instanceNumber: 1 }),
      '2.dcm': writeInstance({ ...spec, seriesInstanceUid: testUid(77, 1), seriesNumber: 1, seriesDescription: 'Plain', sopInstanceUid: testUid(77, 1, 2), instanceNumber: 2 }),
      '3.dcm': encodeDicom(rle, { transferSyntaxUid: TRANSFER_SYNTAX.rleLossless }),
    });
    const imported = await running.app.handlers['import:start']({ paths: [input], copyToLibrary: false });
    expect(imported.importId).toBeTruthy();
    await new Promise<void>((resolve) => running.app.bus.subscribe((name) => name === 'import:finished' && resolve()));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(running.server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  async function createLink(options: (dialog: ReturnType<Page['getByRole']>) => Promise<void>): Promise<string> {
    await page.getByRole('grid', { name: 'Studies' }).getByRole('row').filter({ hasText: 'Guest, Grace' }).click();
    await page.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: 'Create guest link…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create guest link' });
    await options(dialog);
    await dialog.getByRole('button', { name: 'Create link' }).click();
    const link = dialog.getByRole('textbox', { name: 'Guest link', exact: true });
    await link.waitFor({ timeout: 30_000 });
    const url = await link.inputValue();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/g\/[A-Za-z0-9_-]{43}$/);
    await dialog.getByRole('button', { name: 'Close' }).click();
    return url;
  }

  async function asGuest<T>(url: string, run: (guest: Page) => Promise<T>): Promise<T> {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 800 } });
    try {
      const guest = await context.newPage();
      await guest.goto(url);
      return await run(guest);
    } finally {
      await context.close();
    }
  }

  it('creates a PIN link that a guest opens to see the images, rendered right, and download them', async () => {
    const url = await createLink(async (dialog) => {
      await dialog.getByLabel('The PIN to give the recipient').fill('4711');
      await dialog.getByLabel('Allow downloading the DICOM files').check();
    });
    await screenshot(page, '20-guest-link-created');
    await asGuest(url, async (guest) => {
      await guest.getByRole('heading', { name: 'This study is protected' }).waitFor();
      await guest.getByLabel('PIN').fill('0000');
      await guest.getByRole('button', { name: 'Open' }).click();
      await expect.poll(() => guest.getByRole('alert').textContent()).toBe('That is not right. 4 attempts left.');
      await guest.getByLabel('PIN').fill('4711');
      await guest.getByRole('button', { name: 'Open' }).click();
      const expected = points.map(([r, c]) => expectedValue(r, c));
      await expect.poll(() => decodedValues(guest, 0, points), { timeout: 20_000 }).toEqual(expected);
      expect(await guest.getByRole('heading', { level: 1 }).textContent()).toBe('CT Wrist · 2026-11-20');
      await screenshot(guest, '21-guest-viewer');

      await guest.getByRole('button', { name: 'Next image' }).click();
      await expect.poll(() => decodedValues(guest, 1, points), { timeout: 10_000 }).toEqual(expected);
      await guest.getByRole('list', { name: 'Series' }).getByRole('button', { name: /RLE/ }).click();
      await expect.poll(() => guest.getByLabel('Image number').textContent()).toContain('Image 1 / 1');
      await expect.poll(() => decodedValues(guest, 0, points), { timeout: 10_000 }).toEqual(expected);

      const [download] = await Promise.all([guest.waitForEvent('download'), guest.getByRole('button', { name: 'Download study (zip)' }).click()]);
      const saved = path.join(running.workDir, 'download.zip');
      await download.saveAs(saved);
      const listing = execFileSync('python3', ['-c', 'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nfor i in z.infolist(): d = z.read(i); print(i.filename, d[128:132].decode())', saved]).toString().trim().split('\n');
      expect(listing).toHaveLength(3);
      for (const line of listing) expect(line).toMatch(new RegExp(`^${testUid(77).replaceAll('.', '\\.')}/\\d+-\\d+-[0-9.]+\\.dcm DICM$`));
    });
   }, 180_000);

  it('locks a link after too many wrong passwords', async () => {
    const url = await createLink(async (dialog) => {
      await dialog.getByLabel('The PIN to give the recipient').fill('123456');
      await dialog.getByLabel('Wrong passwords before the link locks').fill('2');
    });
    await asGuest(url, async (guest) => {
      await guest.getByLabel('PIN').fill('111111');
      await guest.getByRole('button', { name: 'Open' }).click();
      await expect.poll(() => guest.getByRole('alert').textContent(), { timeout: 10_000 }).toBe('That is not right. 1 attempts left.');
      await guest.getByLabel('PIN').fill('222222');
      await guest.getByRole('button', { name: 'Open' }).click();
      await expect.poll(() => guest.getByRole('alert').textContent(), { timeout: 10_000 }).toMatch(/locked after too many wrong passwords/);
      expect(await guest.getByLabel('PIN').count()).toBe(0);
    });
  });

  it('tells a guest plainly when the link was revoked, and when it has expired', async () => {
    const revoked = await createLink(async (dialog) => {
      await dialog.getByText('None', { exact: true }).click();
    });
    await page.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: 'Create guest link…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create guest link' });
    const table = dialog.getByRole('table', { name: 'Guest links' });
    await expect.poll(() => table.getByRole('row').count()).toBeGreaterThan(1);
    await screenshot(page, '22-guest-links-list');
    const activeRows = table.getByRole('row').filter({ has: page.getByRole('button', { name: 'Revoke' }) });
    const before = await activeRows.count();
    await activeRows.first().getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => activeRows.count()).toBe(before - 1);
    await dialog.getByRole('button', { name: 'Close' }).click();
    // The newest link is listed first: that is the one just revoked.
    await asGuest(revoked, async (guest) => {
      await expect.poll(() => guest.getByRole('alert').textContent()).toMatch(/withdrawn by the site/);
      expect(await guest.content()).not.toMatch(/Grace|Wrist|GG-1/);
    });

    const expiring = await createLink(async (dialogue) => {
      await dialogue.getByLabel('Expires after').selectOption({ label: '1 hour' });
      await dialogue.getByText('None', { exact: true }).click();
    });
    skipped += 2 * 3_600_000;
    await asGuest(expiring, async (guest) => {
      await expect.poll(() => guest.getByRole('alert').textContent()).toMatch(/This link has expired/);
      await screenshot(guest, '23-guest-expired');
    });
  });
});
