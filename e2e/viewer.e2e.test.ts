/**
 * The viewer in Chromium on real files: every transfer syntax and photometric interpretation the
 * import accepts, written by pydicom, DCMTK and GDCM, opened from the worklist; the decoded
 * values of a known region of each are compared with values computed independently
 * (scripts/test-data/viewer-corpus.py: the reference decoders' output read with pydicom/numpy),
 * not with a picture of our own output. Then the reader's tools and keys, and bad input: damaged
 * images say why in the viewport while the rest of their series shows.
 */
import { truncateSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAppInBrowser, screenshot, type AppInBrowser } from './support/app-harness';
import { literal, makeViewerCorpus, type ViewerCorpus } from './support/viewer-corpus';

/**
 * Where Cornerstone 5.14 is known to fall short, checked as such (so a fix upstream, or a change
 * for the worse, shows here). None is left: its 12-bit JPEG extended decoder gave values up to 15
 * above DCMTK and GDCM (a level shift scaled from 8-bit's), and it left uncompressed YBR_FULL_422
 * unconverted (4:2:0's length test); the build corrects both (scripts/jpeg12-level-shift.mjs), so
 * those files are held to the corpus's own tolerance like every other (pydicom's
 * `convert_color_space` for the 4:2:2 file).
 */
const KNOWN_DEVIATION: Readonly<Record<string, number>> = {};
const KNOWN_UNSUPPORTED: Readonly<Record<string, RegExp>> = {};

let session: AppInBrowser;
let page: Page;
let corpus: ViewerCorpus;

type ProbeState = { index: number; count: number; imageId: string | null; error: string | null; rendered: number; voi: { lower: number; upper: number } | null; zoom: number | null } | null;
type ProbeRegion = { rows: number; columns: number; channels: number; values: number[] } | null;

const probeState = (viewport = 'viewport-main'): Promise<ProbeState> =>
  page.evaluate((id) => (globalThis as unknown as { studyshareViewerProbe?: { state: (id: string) => ProbeState } }).studyshareViewerProbe?.state(id) ?? null, viewport);
const probeRegion = (region: readonly number[], viewport = 'viewport-main'): Promise<ProbeRegion> =>
  page.evaluate(
    ([id, x, y, w, h]) => (globalThis as unknown as { studyshareViewerProbe?: { region: (...args: unknown[]) => ProbeRegion } }).studyshareViewerProbe?.region(id, x, y, w, h) ?? null,
    [viewport, ...region] as const,
  );

async function openStudy(description: string): Promise<void> {
  await page.getByRole('grid', { name: 'Studies' }).getByRole('row').filter({ hasText: description }).click();
  await page.getByRole('button', { name: 'Actions' }).click();
  await page.getByRole('menuitem', { name: 'Open', exact: true }).click();
  await page.getByRole('dialog', { name: 'Viewer' }).waitFor();
}

async function showSeries(description: string): Promise<void> {
  await page.getByRole('complementary', { name: 'Series' }).getByRole('button', { name: new RegExp(`^Series \\d+ ${literal(description)},`) }).click();
}

beforeAll(async () => {
  session = await openAppInBrowser();
  page = session.page;
  corpus = makeViewerCorpus(path.join(session.running.workDir, 'corpus'));
  const finished = new Promise<void>((resolve) => session.running.app.bus.subscribe((name) => name === 'import:finished' && resolve()));
  await session.running.app.handlers['import:start']({ paths: [corpus.folder], copyToLibrary: false });
  await finished;
  // Damage on disk after the import (a failing disk, a file changed under the index).
  for (const bad of corpus.bad) {
    if (bad.damage !== 'truncate-after-import' || bad.file === undefined) continue;
    const file = path.join(corpus.folder, bad.file);
    truncateSync(file, statSync(file).size - 3000);
  }
  await page.reload();
  await page.getByRole('grid', { name: 'Studies' }).getByRole('row').filter({ hasText: 'Viewer corpus' }).waitFor();
}, 120_000);

afterAll(async () => {
  await session?.close();
});

describe('the viewer', () => {
  it('shows every transfer syntax and photometric interpretation with the values an independent decoder gives', async () => {
    await openStudy('Viewer corpus');
    const dialog = page.getByRole('dialog', { name: 'Viewer' });
    await expect.poll(() => dialog.getByRole('complementary', { name: 'Series' }).getByRole('button').count(), { timeout: 20_000 }).toBe(corpus.series.length);
    const failures: string[] = [];
    for (const series of corpus.series) {
      await showSeries(series.description);
      await expect.poll(async () => (await probeState())?.imageId ?? '', { timeout: 15_000 }).toContain('/viewer-data/');
      for (let frame = 0; frame < series.frame; frame++) {
        await page.keyboard.press('ArrowDown');
      }
      let region: ProbeRegion = null;
      let state: ProbeState = null;
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        state = await probeState();
        region = state?.index === series.frame ? await probeRegion(series.region) : null;
        if (region !== null || state?.error) break;
        await page.waitForTimeout(100);
      }
      const unsupported = KNOWN_UNSUPPORTED[series.name];
      if (unsupported !== undefined) {
        if (!unsupported.test(state?.error ?? '')) failures.push(`${series.name}: expected the viewport to say ${unsupported}, it says ${state?.error ?? 'nothing'}`);
        continue;
      }
      if (region === null) {
        failures.push(`${series.name} (${series.transferSyntax}): not shown — ${state?.error ?? 'no image decoded'}`);
        continue;
      }
      const worst = series.values.reduce((max, value, index) => Math.max(max, Math.abs(value - region.values[index])), 0);
      const tolerance = KNOWN_DEVIATION[series.name] ?? series.tolerance;
      if (region.values.length !== series.values.length || worst > tolerance) {
        failures.push(`${series.name} (${series.transferSyntax}): off by ${worst} (tolerance ${tolerance}); expected ${series.values.slice(0, 6).join(',')}…, got ${region.values.slice(0, 6).join(',')}…`);
      }
    }
    expect(failures).toEqual([]);
    await showSeries('pydicom CT_small.dcm');
    await expect.poll(async () => (await probeState())?.rendered ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
    await page.keyboard.press('1');
    await page.waitForTimeout(300);
    await screenshot(page, '40-viewer-ct');
  }, 240_000);

  it('answers the keys a reader expects, listed in the ? help', async () => {
    const dialog = page.getByRole('dialog', { name: 'Viewer' });
    await showSeries('pydicom CT_small.dcm');
    await expect.poll(async () => (await probeState())?.rendered ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
    await dialog.focus();
    await page.keyboard.press('2');
    await expect.poll(async () => (await probeState())?.voi).toEqual({ lower: -1350, upper: 150 });
    await expect.poll(() => dialog.getByLabel('Window', { exact: true }).textContent()).toBe('W 1500 L -600');
    await page.keyboard.press('z');
    expect(await dialog.getByRole('button', { name: 'Zoom', exact: true }).getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard help' });
    await help.waitFor();
    expect(await help.textContent()).toContain('CT lung (W 1500 / L -600)');
    // The cache bound is a setting, kept by main; one out of bounds is refused in words.
    await help.getByRole('spinbutton', { name: 'Image cache (MB)' }).fill('32');
    await help.getByRole('button', { name: 'Set' }).click();
    await expect.poll(() => help.getByRole('status').textContent()).toContain('at least 64 MB');
    await help.getByRole('spinbutton', { name: 'Image cache (MB)' }).fill('768');
    await help.getByRole('button', { name: 'Set' }).click();
    await expect.poll(() => help.getByRole('status').textContent()).toContain('768 MB');
    expect(session.running.app.viewer.getSettings().cacheMegabytes).toBe(768);
    await dialog.focus();
    await screenshot(page, '41-viewer-help');
    await page.keyboard.press('Escape');
    await expect.poll(() => help.count()).toBe(0);
    await page.keyboard.press('o');
    await expect.poll(() => dialog.getByLabel('Image information').count()).toBe(0);
    await page.keyboard.press('o');
    await showSeries('8-bit unsigned, explicit VR little endian');
    await expect.poll(() => dialog.getByLabel('Image information').textContent()).toContain('0.500 × 0.500 mm');
    // A multi-frame series plays as cine (Space) and stops.
    await showSeries('Multi-frame, 3 frames');
    await expect.poll(async () => (await probeState())?.count).toBe(3);
    await dialog.focus();
    await page.keyboard.press(' ');
    await expect.poll(async () => (await probeState())?.index, { timeout: 5_000 }).toBeGreaterThan(0);
    await page.keyboard.press(' ');
    // 1×2: the same patient's other study beside this one; scrolling one moves the other.
    await page.keyboard.press('c');
    await page.getByRole('listbox', { name: 'Prior studies' }).getByRole('option', { name: /Viewer bad input/ }).click();
    await expect.poll(async () => (await probeState('viewport-prior'))?.count ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
    await screenshot(page, '43-viewer-compare');
    await dialog.focus();
    await page.keyboard.press('Home');
    await expect.poll(async () => (await probeState('viewport-prior'))?.index).toBe(0);
    await page.keyboard.press('End');
    await expect.poll(async () => (await probeState('viewport-prior'))?.index).toBe((await probeState('viewport-prior'))!.count - 1);
    await page.keyboard.press('c');
    await expect.poll(() => page.getByRole('region', { name: /Prior study/ }).count()).toBe(0);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
  }, 150_000);

  it('opens at an anchor (series, frame, window, zoom, pan) and reports where it is; markers are ticks on the scroll bar', async () => {
    type Anchor = { studyInstanceUid: string; seriesInstanceUid?: string; sopInstanceUid?: string; frame?: number; viewport?: { windowCenter: number; windowWidth: number; zoom: number; pan: [number, number]; invert?: boolean; rotation?: number } };
    type Probe = { currentAnchor: () => Anchor | null; open: (ref: { uid: string }, anchor?: Anchor) => Promise<void>; setMarkers: (markers: unknown[]) => void };
    const current = (): Promise<Anchor | null> => page.evaluate(() => (globalThis as unknown as { studyshareViewerProbe: Probe }).studyshareViewerProbe.currentAnchor());
    // A double-click on the worklist's row opens the viewer (a single click shows the details).
    await page.getByRole('grid', { name: 'Studies' }).getByRole('row').filter({ hasText: 'Viewer corpus' }).dblclick();
    const dialog = page.getByRole('dialog', { name: 'Viewer' });
    await dialog.waitFor();
    await showSeries('Multi-frame, 3 frames');
    await expect.poll(async () => (await probeState())?.rendered ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
    await dialog.focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(async () => (await probeState())?.index === 1 && (await probeRegion([0, 0, 1, 1])) !== null, { timeout: 10_000 }).toBe(true);
    await page.keyboard.press('2');
    await expect.poll(async () => (await probeState())?.voi).toEqual({ lower: -1350, upper: 150 });
    // The reader's window stays as they scroll, both ways (the next image must not bring back its file's own).
    await page.keyboard.press('ArrowDown');
    await expect.poll(async () => (await probeState())?.index === 2 && (await probeState())?.rendered, { timeout: 10_000 }).toBeTruthy();
    await page.waitForTimeout(300);
    expect((await probeState())?.voi).toEqual({ lower: -1350, upper: 150 });
    await page.keyboard.press('ArrowUp');
    await expect.poll(async () => (await probeState())?.index, { timeout: 10_000 }).toBe(1);
    await page.waitForTimeout(300);
    expect((await probeState())?.voi).toEqual({ lower: -1350, upper: 150 });
    await page.keyboard.press('i');
    await page.keyboard.press('r');
    // Zoom (right drag) and pan (middle drag) with the mouse, as a reader does.
    const canvas = await dialog.locator('[data-viewport-id="viewport-main"]').boundingBox();
    const cx = canvas!.x + canvas!.width / 2;
    const cy = canvas!.y + canvas!.height / 2;
    await page.mouse.move(cx, cy);
    await page.mouse.down({ button: 'right' });
    await page.mouse.move(cx, cy - 60, { steps: 6 });
    await page.mouse.up({ button: 'right' });
    await page.mouse.move(cx, cy);
    await page.mouse.down({ button: 'middle' });
    await page.mouse.move(cx + 40, cy + 25, { steps: 5 });
    await page.mouse.up({ button: 'middle' });
    await expect.poll(async () => (await probeState())?.index).toBe(1);
    const there = await current();
    expect(there).toMatchObject({ frame: 2, viewport: { windowCenter: -600, windowWidth: 1500, invert: true, rotation: 90 } });
    expect(there!.seriesInstanceUid).toBeTruthy();
    expect(Math.abs(there!.viewport!.zoom - 1)).toBeGreaterThan(0.05);
    expect(Math.hypot(...there!.viewport!.pan)).toBeGreaterThan(0.5);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);

    // Open it again at that anchor (as a comment or a notification does): the same place and state.
    await page.evaluate((anchor) => void (globalThis as unknown as { studyshareViewerProbe: Probe }).studyshareViewerProbe.open({ uid: anchor.studyInstanceUid }, anchor), there!);
    await dialog.waitFor();
    await expect.poll(async () => (await probeState())?.rendered ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(async () => (await current())?.viewport?.windowWidth, { timeout: 10_000 }).toBe(1500);
    const back = await current();
    expect(back).toMatchObject({ studyInstanceUid: there!.studyInstanceUid, seriesInstanceUid: there!.seriesInstanceUid, frame: 2, viewport: { windowCenter: -600, windowWidth: 1500, invert: true, rotation: 90 } });
    expect(back!.viewport!.zoom).toBeCloseTo(there!.viewport!.zoom, 2);
    expect(Math.abs(back!.viewport!.pan[0] - there!.viewport!.pan[0])).toBeLessThan(0.5);
    expect(Math.abs(back!.viewport!.pan[1] - there!.viewport!.pan[1])).toBeLessThan(0.5);
    await expect.poll(() => dialog.getByLabel('Image number').textContent()).toContain('Image 2 / 3');

    // Markers: ticks on the scroll bar, named, and a click goes to their image.
    await page.evaluate(
      (anchor) => (globalThis as unknown as { studyshareViewerProbe: Probe }).studyshareViewerProbe.setMarkers([{ seriesInstanceUid: anchor.seriesInstanceUid, sopInstanceUid: anchor.sopInstanceUid, frame: 3, label: '2 comments' }]),
      there!,
    );
    const bar = dialog.getByRole('scrollbar', { name: 'Current study: image position' });
    expect(await bar.getAttribute('aria-valuenow')).toBe('2');
    await bar.getByRole('button', { name: '2 comments, image 3' }).click();
    await expect.poll(async () => (await probeState())?.index).toBe(2);
    await expect.poll(() => bar.getAttribute('aria-valuenow')).toBe('3');
    await screenshot(page, '44-viewer-anchor-markers');
    // An anchor naming another study is ignored: the study opens at its start.
    await page.evaluate((anchor) => void (globalThis as unknown as { studyshareViewerProbe: Probe }).studyshareViewerProbe.open({ uid: anchor.studyInstanceUid }, { ...anchor, studyInstanceUid: '1.2.3.4' }), there!);
    await expect.poll(async () => (await probeState())?.rendered ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(async () => (await probeState())?.index).toBe(0);
    // Polled: the reopened view reports its place once drawn (CI read it a moment early once).
    await expect.poll(async () => (await current())?.viewport).toMatchObject({ zoom: 1, pan: [0, 0], invert: false, rotation: 0 });
    await page.evaluate(() => (globalThis as unknown as { studyshareViewerProbe: Probe }).studyshareViewerProbe.setMarkers([]));
    await dialog.focus();
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
  }, 120_000);

  it('says why a damaged image cannot be shown, and shows the rest of its series', async () => {
    await openStudy('Viewer bad input');
    const dialog = page.getByRole('dialog', { name: 'Viewer' });
    const problems: string[] = [];
    for (const bad of corpus.bad) {
      await showSeries(bad.series);
      await expect.poll(async () => (await probeState())?.count ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
      const count = (await probeState())!.count;
      for (let image = 1; image <= count; image++) {
        if (image > 1) await page.keyboard.press('ArrowDown');
        let state: ProbeState = null;
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline) {
          state = await probeState();
          if (state?.index === image - 1 && (state.error !== null || (await probeRegion([0, 0, 1, 1])) !== null)) break;
          await page.waitForTimeout(100);
        }
        const damaged = bad.damaged.includes(image);
        if (damaged && !state?.error) problems.push(`${bad.series} image ${image}: shown, though damaged`);
        if (!damaged && state?.error) problems.push(`${bad.series} image ${image}: ${state.error}`);
        if (damaged && state?.error) {
          // The overlay (and this alert) follow the image on the next animation frame: polled.
          const alert = dialog.getByRole('alert');
          await expect.poll(() => alert.textContent(), { timeout: 5_000 }).toContain(`Image ${image} of ${count} cannot be shown.`);
        }
      }
      if (bad.damaged.length > 0) await screenshot(page, `42-viewer-bad-${bad.series.toLowerCase().replace(/[^a-z]+/g, '-')}`);
    }
    expect(problems).toEqual([]);
    // A damaged first image is marked in the series list, never drawn with another image's pixels.
    const codec = dialog.getByRole('complementary', { name: 'Series' }).getByRole('button', { name: /Codec failure/ });
    await expect.poll(() => codec.textContent()).toContain('Cannot be shown');
    await page.keyboard.press('Escape');
    // The app keeps working: the worklist answers.
    await page.getByRole('grid', { name: 'Studies' }).getByRole('row').filter({ hasText: 'Viewer corpus' }).click();
  }, 150_000);
});
