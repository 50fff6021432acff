/**
 * bench:viewer — the viewer in Debian's Chromium (browser mode, loopback HTTP) on a 512×512
 * 16-bit CT series of 500 slices, uncompressed and JPEG 2000 lossless (scripts/test-data/
 * ct-series.py; cached in .bench/viewer), opened from this computer's files and from the hub (the
 * embedded hub on loopback). Prints:
 *   - Open → first image on screen: cold (the viewer's code, workers and codecs load first) and
 *     warm, local and from the hub;
 *   - scroll rate stepping as fast as the viewer draws (a held key repeats at ~30/s), first pass
 *     (decoding as it goes) and second pass, uncompressed and J2K;
 *   - the renderer's memory (JS heap and array buffers) after scrolling each series twice with
 *     the cache bound at 512 MB, and what Cornerstone's cache holds.
 *
 *   npm run bench:viewer [-- --slices 500 --runs 2]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { createStudyshareApp } from '../../electron/main/app/create-app';
import { startLoopbackServer } from '../../electron/main/http/loopback-server';
import { launchChromium } from '../../e2e/support/browser';
import { studyQuerySchema } from '../../shared/types/study';

const { values } = parseArgs({ options: { slices: { type: 'string', default: '500' }, runs: { type: 'string', default: '2' } } });
const slices = Number(values.slices);
const runs = Math.max(1, Number(values.runs));
const root = path.resolve(import.meta.dirname, '../..');
const PYTHON = process.env.STUDYSHARE_PYTHON ?? '/usr/bin/python3';
const CACHE_MB = 512;

function corpus(): string {
  const folder = path.join(root, '.bench/viewer', `ct-${slices}`);
  if (!existsSync(path.join(folder, 'j2k', `${String(slices).padStart(4, '0')}.dcm`))) {
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
    console.log(`making ${slices} CT slices, uncompressed and JPEG 2000 (once; kept in ${path.relative(root, folder)})…`);
    const made = spawnSync(PYTHON, [path.join(root, 'scripts/test-data/ct-series.py'), folder, String(slices), '--j2k'], { stdio: 'inherit' });
    if (made.status !== 0) throw new Error('ct-series.py failed (needs python3-pydicom, python3-numpy, libgdcm-tools)');
  }
  return folder;
}

type Probe = {
  state: (id: string) => { index: number; count: number; rendered: number; error: string | null } | null;
  open: (ref: { uid: string } | { hubId: string }) => Promise<void>;
  cacheBytes: () => number;
  storeFigures: () => { entries: number; loaderBytes: number; loaderFiles: number };
};
/** The page's globals these in-page functions use (this file is typechecked without the DOM). */
interface PageGlobals {
  readonly studyshareViewerProbe?: Probe;
  requestAnimationFrame(callback: (time: number) => void): number;
  readonly KeyboardEvent: new (type: string, init: { key: string; bubbles: boolean; repeat?: boolean }) => unknown;
  dispatchEvent(event: unknown): boolean;
  readonly document: { querySelector(selector: string): { dispatchEvent(event: unknown): boolean } | null };
}

/** From asking to open to the first image drawn, measured in the page. */
async function timeOpen(page: Page, ref: { uid: string } | { hubId: string }): Promise<number> {
  return page.evaluate(async (study) => {
    const page = globalThis as unknown as PageGlobals;
    const probe = page.studyshareViewerProbe!;
    const started = performance.now();
    void probe.open(study);
    for (;;) {
      await new Promise((resolve) => page.requestAnimationFrame(resolve));
      const state = probe.state('viewport-main');
      if (state !== null && state.rendered > 0) return performance.now() - started;
      if (state?.error) throw new Error(state.error);
      if (performance.now() - started > 30_000) throw new Error('no image within 30 s');
    }
  }, ref);
}

/** The first open goes through the page as a person does it: the row focused, the O key. */
async function timeColdOpen(page: Page, description: string): Promise<number> {
  await page.getByRole('grid', { name: 'Studies' }).getByRole('row').filter({ hasText: description }).click();
  return page.evaluate(async () => {
    const page = globalThis as unknown as PageGlobals;
    const started = performance.now();
    page.dispatchEvent(new page.KeyboardEvent('keydown', { key: 'o', bubbles: true }));
    for (;;) {
      await new Promise((resolve) => page.requestAnimationFrame(resolve));
      const state = page.studyshareViewerProbe?.state('viewport-main');
      if (state && state.rendered > 0) return performance.now() - started;
      if (performance.now() - started > 30_000) throw new Error('no image within 30 s');
    }
  });
}

/**
 * A key held down: one ArrowDown at every animation frame (60 a second, faster than any
 * keyboard's auto-repeat, which is 25–33 a second), marked as repeats like a held key's, from the
 * first image to the last; counts the
 * frames on which a new image was drawn. The figure is what the viewer can draw while keys come
 * faster than it, i.e. its ceiling; ≥ 30 means a held key at a typical repeat rate never waits.
 * (The earlier method sent the next key only after seeing the previous image drawn, which costs
 * two animation frames a step by construction and can never exceed 30/s at 60 Hz.)
 */
async function timeScroll(page: Page): Promise<{ fps: number; drawn: number; seconds: number }> {
  return page.evaluate(async () => {
    const page = globalThis as unknown as PageGlobals;
    const probe = page.studyshareViewerProbe!;
    const dialog = page.document.querySelector('[role="dialog"][aria-label="Viewer"]')!;
    const count = probe.state('viewport-main')!.count;
    dialog.dispatchEvent(new page.KeyboardEvent('keydown', { key: 'Home', bubbles: true }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    let last = probe.state('viewport-main')!.rendered;
    let drawn = 0;
    const started = performance.now();
    for (;;) {
      const state = probe.state('viewport-main')!;
      if (state.rendered > last) {
        drawn += 1;
        last = state.rendered;
        if (state.index === count - 1) break;
      }
      // After the first, each keydown is a repeat, as a held key's are (KeyboardEvent.repeat).
      if (state.index < count - 1) dialog.dispatchEvent(new page.KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true, repeat: drawn > 0 || state.index > 0 }));
      if (performance.now() - started > 300_000) throw new Error('scrolling stalled');
      await new Promise((resolve) => page.requestAnimationFrame(resolve));
    }
    const seconds = (performance.now() - started) / 1000;
    return { fps: drawn / seconds, drawn, seconds };
  });
}

async function main(): Promise<void> {
  // STUDYSHARE_BENCH_RENDERER: a copy of a renderer build, so others' rebuilds of out/ (a shared tree) cannot change it mid-run.
  const rendererDir = process.env.STUDYSHARE_BENCH_RENDERER ?? path.join(root, 'out/renderer');
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    spawnSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  }
  const folder = corpus();
  const workDir = mkdtempSync(path.join(tmpdir(), 'studyshare-bench-viewer-'));
  const app = createStudyshareApp(path.join(workDir, 'data'), { kind: 'browser' }, { hubMode: 'embedded', syncEveryMs: 0 });
  await app.start();
  const server = await startLoopbackServer({ handlers: app.handlers, bus: app.bus, rendererDir });
  const browser = await launchChromium();
  try {
    const step = (text: string) => console.log(`… ${text}`);
    step('setting up the embedded hub');
    await app.handlers['hub:setup']({ siteName: 'Bench site', adminName: 'Bench Admin', email: 'bench@bench.example', password: 'a long bench password' });
    await app.handlers['viewer:set-settings']({ cacheMegabytes: CACHE_MB });
    step('importing');
    const finished = new Promise<void>((resolve) => app.bus.subscribe((name) => name === 'import:finished' && resolve()));
    await app.handlers['import:start']({ paths: [path.join(folder, 'raw'), path.join(folder, 'j2k')], copyToLibrary: false });
    await finished;
    const studies = await app.handlers['studies:query'](studyQuerySchema.parse({ text: 'Bench' }));
    const uidOf = (description: string) => studies.rows.find((study) => study.studyDescription === description)!.studyInstanceUid;
    const raw = uidOf('Bench CT uncompressed');
    const j2k = uidOf('Bench CT JPEG 2000');
    step('putting both studies on the hub');
    // Put both on the hub (a share to a location publishes them and uploads their files).
    await app.handlers['admin:add-location']({ name: 'Bench room' });
    const { targets } = await app.handlers['sharing:targets']({ kind: 'location', q: 'Bench' });
    await app.handlers['sharing:share']({ studies: [{ uid: raw }, { uid: j2k }], targets: [{ worklistId: targets[0].worklistId, label: 'Bench room' }] });
    await app.hub.settled();
    const rawHub = app.hub.hubStudyId(raw)!;
    const j2kHub = app.hub.hubStudyId(j2k)!;

    step('opening in Chromium');
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(server.url);
    await page.getByRole('grid', { name: 'Studies' }).getByRole('row').filter({ hasText: 'Bench CT uncompressed' }).waitFor({ timeout: 60_000 });
    const cdp = await page.context().newCDPSession(page);
    const memory = async () => (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number; backingStorageSize?: number };

    const load = () => `load ${loadavg()[0].toFixed(1)}`;
    const lines: string[] = [];
    const say = (line: string) => {
      lines.push(line);
      console.log(line);
    };
    console.log(`bench:viewer — ${slices} slices of 512×512 16-bit CT, Chromium (${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'}, --disable-gpu), browser mode on loopback, ${cpus().length} cores shared; "load" is the 1-minute load average when the figure was taken`);
    const cold = await timeColdOpen(page, 'Bench CT uncompressed');
    say(`Open → first image, cold (viewer code, decoding workers and codecs loaded first), local uncompressed: ${cold.toFixed(0)} ms   (${load()})`);
    const kinds = [['local uncompressed', { uid: raw }], ['local J2K', { uid: j2k }], ['hub uncompressed', { hubId: rawHub }], ['hub J2K', { hubId: j2kHub }]] as const;
    const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
    for (let run = 1; run <= runs; run++) {
      say(`— run ${run} of ${runs}`);
      const warm: Record<string, number[]> = {};
      for (let round = 0; round < 5; round++) {
        for (const [label, ref] of kinds) (warm[label] ??= []).push(await timeOpen(page, ref));
      }
      for (const [kind, times] of Object.entries(warm)) {
        say(`Open → first image, ${kind}: median ${median(times).toFixed(0)} ms, worst ${Math.max(...times).toFixed(0)} ms of 5   target ≤ ${kind.startsWith('hub') ? 800 : 400} ms   (${load()})`);
      }
      for (const [label, ref] of kinds) {
        await timeOpen(page, ref);
        const first = await timeScroll(page);
        const second = await timeScroll(page);
        const before = await memory();
        await cdp.send('HeapProfiler.collectGarbage');
        const after = await memory();
        const figures = await page.evaluate(() => {
          const probe = (globalThis as unknown as PageGlobals).studyshareViewerProbe!;
          return { cached: probe.cacheBytes(), store: probe.storeFigures() };
        });
        const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
        say(
          `Scroll ${label}, a key held (a key each animation frame): first pass ${first.fps.toFixed(1)} frames/s (decoding as it goes), second ${second.fps.toFixed(1)} frames/s (${second.drawn} frames in ${second.seconds.toFixed(1)} s)   target ≥ 30 uncompressed   (${load()})`,
        );
        say(
          `  memory after both passes: JS heap ${mb(before.usedSize)} MB + array buffers ${mb(before.backingStorageSize ?? 0)} MB = ${mb(before.usedSize + (before.backingStorageSize ?? 0))} MB; after a GC ${mb(after.usedSize + (after.backingStorageSize ?? 0))} MB   target under ${CACHE_MB + 200} MB; ` +
            `Cornerstone cache ${mb(figures.cached)} MB (limit ${CACHE_MB}), loader's parsed files ${mb(figures.store.loaderBytes)} MB (${figures.store.loaderFiles} files), metadata kept for ${figures.store.entries} images`,
        );
      }
    }
    say(`main's hub-instance cache after all: ${(app.viewer.cachedBytes / 2 ** 20).toFixed(0)} MB (limit ${CACHE_MB} MB)`);
    console.log('\nsummary');
    for (const line of lines) console.log(line);
  } finally {
    // Each step bounded: a close that never settles must not keep the run (and the e2e lock) alive.
    const bounded = (work: Promise<unknown>) => Promise.race([work.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
    await bounded(browser.close());
    await bounded(server.close());
    await bounded(app.close());
    rmSync(workDir, { recursive: true, force: true });
  }
}

// Exits when done: the embedded hub's timers would otherwise keep a failed run (and the e2e lock it runs under) alive.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
