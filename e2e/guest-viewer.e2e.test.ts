/**
 * The guest page shows a study with the app's own viewer (Cornerstone3D, its decoding workers and
 * WebAssembly codecs, under the page's strict CSP): a guest link to the viewer corpus is opened in
 * a fresh browser context, and the decoded values of a known region of the JPEG 2000, JPEG-LS and
 * multi-frame files are compared with values computed independently (pydicom/numpy on files
 * decompressed by DCMTK and GDCM: scripts/test-data/viewer-corpus.py), not with our own output.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, startApp, type RunningApp } from './support/app-harness';
import { launchChromium } from './support/browser';
import { literal, makeViewerCorpus, type ExpectedSeries, type ViewerCorpus } from './support/viewer-corpus';

type GuestProbe = {
  state: (id: string) => { index: number; count: number; error: string | null; rendered: number } | null;
  region: (id: string, x: number, y: number, w: number, h: number) => { values: number[] } | null;
};

const J2K = /^1\.2\.840\.10008\.1\.2\.4\.9[01]/;
const JLS = /^1\.2\.840\.10008\.1\.2\.4\.8[01]/;

let running: RunningApp;
let browser: Browser;
let page: Page;
let corpus: ViewerCorpus;

beforeAll(async () => {
  running = await startApp({ hubMode: 'embedded', hubClock: () => new Date() });
  await running.app.hub.setup({ siteName: 'Riverside', adminName: 'Rita Radiologist', email: 'rita@riverside.example', password: 'correct horse battery' });
  corpus = makeViewerCorpus(path.join(running.workDir, 'corpus'));
  const finished = new Promise<void>((resolve) => running.app.bus.subscribe((name) => name === 'import:finished' && resolve()));
  await running.app.handlers['import:start']({ paths: [corpus.folder], copyToLibrary: false });
  await finished;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(running.server.url);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await running?.stop();
});

async function decoded(guest: Page, series: ExpectedSeries): Promise<{ values: number[] | null; error: string | null }> {
  return guest.evaluate(
    ([frame, region]) => {
      const probe = (globalThis as unknown as { studyshareViewerProbe?: GuestProbe }).studyshareViewerProbe;
      const state = probe?.state('guest-viewport') ?? null;
      if (state === null || state.index !== frame) return { values: null, error: state?.error ?? null };
      return { values: probe!.region('guest-viewport', region[0], region[1], region[2], region[3])?.values ?? null, error: state.error };
    },
    [series.frame, series.region] as const,
  );
}

describe('the guest page’s viewer', () => {
  it('shows JPEG 2000, JPEG-LS and multi-frame images with the values an independent decoder gives', async () => {
    await page.getByRole('grid', { name: 'Studies' }).getByRole('row').filter({ hasText: 'Viewer corpus' }).click();
    await page.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: 'Create guest link…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create guest link' });
    await dialog.getByLabel('The PIN to give the recipient').fill('2468');
    await dialog.getByRole('button', { name: 'Create link' }).click();
    const link = dialog.getByRole('textbox', { name: 'Guest link', exact: true });
    await link.waitFor({ timeout: 90_000 });
    const url = await link.inputValue();
    await dialog.getByRole('button', { name: 'Close' }).click();

    const checked = corpus.series.filter((s) => J2K.test(s.transferSyntax) || JLS.test(s.transferSyntax) || s.name.startsWith('multiframe'));
    expect(checked.some((s) => J2K.test(s.transferSyntax))).toBe(true);
    expect(checked.some((s) => JLS.test(s.transferSyntax))).toBe(true);
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const failures: string[] = [];
    const refused: string[] = [];
    try {
      const guest = await context.newPage();
      // The page's CSP must let the viewer's workers and WebAssembly run: a refusal would show here.
      guest.on('console', (message) => {
        if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
      });
      await guest.goto(url);
      await guest.getByLabel('PIN').fill('2468');
      await guest.getByRole('button', { name: 'Open' }).click();
      const list = guest.getByRole('list', { name: 'Series' });
      await list.getByRole('button').first().waitFor({ timeout: 20_000 });
      for (const series of checked) {
        await list.getByRole('button', { name: new RegExp(`· ${literal(series.description)} ·`) }).click();
        // The multi-frame files: the hub does not list frames, so the stack grows once the file is read.
        await expect.poll(async () => (await guest.evaluate(() => (globalThis as unknown as { studyshareViewerProbe?: GuestProbe }).studyshareViewerProbe?.state('guest-viewport')?.rendered ?? 0)), { timeout: 15_000 }).toBeGreaterThan(0);
        for (let step = 0; step < series.frame; step++) {
          await expect.poll(async () => (await guest.evaluate(() => (globalThis as unknown as { studyshareViewerProbe?: GuestProbe }).studyshareViewerProbe?.state('guest-viewport')?.count ?? 0)), { timeout: 10_000 }).toBeGreaterThan(step + 1);
          await guest.getByRole('button', { name: 'Next image' }).click();
        }
        let result: { values: number[] | null; error: string | null } = { values: null, error: null };
        const deadline = Date.now() + 15_000;
        while (Date.now() < deadline) {
          result = await decoded(guest, series);
          if (result.values !== null || result.error !== null) break;
          await guest.waitForTimeout(100);
        }
        if (result.values === null) {
          failures.push(`${series.name}: not shown — ${result.error ?? 'no image decoded'}`);
          continue;
        }
        const values = result.values;
        const worst = series.values.reduce((max, value, index) => Math.max(max, Math.abs(value - values[index])), 0);
        if (values.length !== series.values.length || worst > series.tolerance) failures.push(`${series.name} (${series.transferSyntax}): off by ${worst} (tolerance ${series.tolerance})`);
      }
      await screenshot(guest, '23-guest-viewer-cornerstone');
    } finally {
      await context.close();
    }
    expect(refused).toEqual([]);
    expect(failures).toEqual([]);
  }, 240_000);
});
