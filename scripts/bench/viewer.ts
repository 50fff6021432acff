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
 *   npm run bench:viewer [-- --slices 500 --runs 2 --opens 5 --only local-j2k,hub-j2k --no-scroll --trace]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { createStudyshareApp } from '../../electron/main/app/create-app';
import { startLoopbackServer } from '../../electron/main/http/loopback-server';
import { launchChromium } from '../../e2e/support/browser';
import { studyQuerySchema } from '../../shared/types/study';
import { BENCH_ROOT, viewerCorpus } from './viewer-corpus';

const { values } = parseArgs({
  options: {
    slices: { type: 'string', default: '500' },
    runs: { type: 'string', default: '2' },
    // Opens of each kind per run (the figure is the median and the worst of them).
    opens: { type: 'string', default: '5' },
    // Only these kinds (comma-separated: local-raw, local-j2k, hub-raw, hub-j2k); scrolling skipped with --no-scroll.
    only: { type: 'string' },
    'no-scroll': { type: 'boolean', default: false },
    // Each open's first image step by step (request queued, sent, answered, drawn) and what else was in flight.
    trace: { type: 'boolean', default: false },
  },
});
const slices = Number(values.slices);
const runs = Math.max(1, Number(values.runs));
const opens = Math.max(1, Number(values.opens));
const root = BENCH_ROOT;
const CACHE_MB = 512;

type Probe = {
  state: (id: string) => { index: number; count: number; rendered: number; error: string | null; imageId: string | null } | null;
  open: (ref: { uid: string } | { hubId: string }) => Promise<void>;
  cacheBytes: () => number;
  storeFigures: () => { entries: number; loaderBytes: number; loaderFiles: number };
};
interface ResourceEntry {
  readonly name: string;
  readonly startTime: number;
  readonly requestStart: number;
  readonly responseStart: number;
  readonly responseEnd: number;
}
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
  return (await timeOpenTraced(page, ref)).ms;
}

/** An open as timed in the page: when it was asked (page clock), how long to the first image, and that image's URL. */
interface TimedOpen {
  readonly started: number;
  readonly ms: number;
  readonly url: string;
}

async function timeOpenTraced(page: Page, ref: { uid: string } | { hubId: string }): Promise<TimedOpen> {
  return page.evaluate(async (study) => {
    const page = globalThis as unknown as PageGlobals;
    const probe = page.studyshareViewerProbe!;
    const started = performance.now();
    void probe.open(study);
    for (;;) {
      await new Promise((resolve) => page.requestAnimationFrame(resolve));
      const state = probe.state('viewport-main');
      if (state !== null && state.rendered > 0) return { started, ms: performance.now() - started, url: (state.imageId ?? '').replace(/^wadouri:/, '') };
      if (state?.error) throw new Error(state.error);
      if (performance.now() - started > 30_000) throw new Error('no image within 30 s');
    }
  }, ref);
}

/** What the first image of an open waited for (ms from asking to open), read from the page's Resource Timing. */
interface OpenTrace {
  /** The first image's request: created by the loader, sent on a connection, first byte, last byte (null: not requested, e.g. cached). */
  readonly created: number | null;
  readonly sent: number | null;
  readonly firstByte: number | null;
  readonly lastByte: number | null;
  /** Requests for instance bytes still unanswered when the open was asked (earlier opens' prefetch). */
  readonly inFlightAtOpen: number;
  /** Other instance requests answered between asking to open and the first image's answer. */
  readonly answeredBefore: number;
}

/** Read afterwards: the browser adds Resource Timing entries a little after each answer. */
async function traceOpens(page: Page, timed: readonly TimedOpen[]): Promise<OpenTrace[]> {
  return page.evaluate((opens) => {
    const entries = (performance.getEntriesByType('resource') as unknown as ResourceEntry[]).filter((entry) => entry.name.includes('/viewer-data/'));
    // (No named functions in here: the bench runs under tsx, whose helpers do not exist in the page.)
    return opens.map(({ started, url }) => {
      const mine = entries.find((entry) => entry.name.endsWith(url) && entry.startTime >= started);
      const times = [mine?.startTime, mine?.requestStart, mine?.responseStart, mine?.responseEnd].map((time) => (time === undefined || time === 0 ? null : time - started));
      return {
        created: times[0],
        sent: times[1],
        firstByte: times[2],
        lastByte: times[3],
        inFlightAtOpen: entries.filter((entry) => entry.startTime < started && entry.responseEnd > started).length,
        answeredBefore: entries.filter((entry) => entry !== mine && entry.responseEnd > started && entry.responseEnd < (mine?.responseEnd ?? started)).length,
      };
    });
  }, timed);
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
  const folder = viewerCorpus(slices);
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
    // Every instance request kept in Resource Timing (the default keeps 250), for --trace.
    await page.evaluate(() => (performance as unknown as { setResourceTimingBufferSize(size: number): void }).setResourceTimingBufferSize(1_000_000));
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
    const allKinds = [
      ['local-raw', 'local uncompressed', { uid: raw }],
      ['local-j2k', 'local J2K', { uid: j2k }],
      ['hub-raw', 'hub uncompressed', { hubId: rawHub }],
      ['hub-j2k', 'hub J2K', { hubId: j2kHub }],
    ] as const;
    const wanted = values.only?.split(',').map((kind) => kind.trim());
    const kinds = allKinds.filter(([key]) => wanted === undefined || wanted.includes(key)).map(([, label, ref]) => [label, ref] as const);
    if (kinds.length === 0) throw new Error(`--only: none of ${values.only} (kinds: ${allKinds.map(([key]) => key).join(', ')})`);
    const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
    const ms = (value: number | null) => (value === null ? '—' : value.toFixed(0));
    for (let run = 1; run <= runs; run++) {
      say(`— run ${run} of ${runs}`);
      const warm: Record<string, number[]> = {};
      const timed: { label: string; round: number; open: TimedOpen }[] = [];
      for (let round = 0; round < opens; round++) {
        for (const [label, ref] of kinds) {
          const open = await timeOpenTraced(page, ref);
          (warm[label] ??= []).push(open.ms);
          timed.push({ label, round, open });
        }
      }
      if (values.trace) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const traces = await traceOpens(page, timed.map(({ open }) => open));
        timed.forEach(({ label, round, open }, at) => {
          const trace = traces[at];
          console.log(
            `  trace ${label} #${round + 1}: drawn ${ms(open.ms)} ms; its request created ${ms(trace.created)}, sent ${ms(trace.sent)}, first byte ${ms(trace.firstByte)}, last byte ${ms(trace.lastByte)}; ` +
              `${trace.inFlightAtOpen} instance requests in flight at open, ${trace.answeredBefore} answered before it`,
          );
        });
      }
      for (const [kind, times] of Object.entries(warm)) {
        say(`Open → first image, ${kind}: median ${median(times).toFixed(0)} ms, worst ${Math.max(...times).toFixed(0)} ms of ${times.length}   target ≤ ${kind.startsWith('hub') ? 800 : 400} ms   (${load()})`);
      }
      if (values['no-scroll']) continue;
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
