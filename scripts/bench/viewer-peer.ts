/**
 * bench:viewer-peer — a measured peer beside bench:viewer's figures: the OHIF Viewer (the npm
 * package `@ohif/app`, whose `dist/` is OHIF's production build) served statically against
 * Orthanc's DICOMweb (Debian's `orthanc` + `orthanc-dicomweb`), in the same Debian Chromium, on
 * the same 500-slice CT (uncompressed and JPEG 2000; .bench/viewer, made by bench:viewer's
 * corpus). Prints, per series:
 *   - open → first image: the viewer's URL loaded in the page (OHIF loads its code, the study's
 *     metadata over DICOMweb, then the first frame), each time in a fresh page of one browser
 *     context (its HTTP cache warm after the first);
 *   - scroll rate with ArrowDown held (a real key event, through the DevTools protocol, every
 *     ~16 ms: OHIF's hotkeys read keyCode), first and second pass;
 * each with OHIF's default rendering (WebGL, software here) and with its CPU path (`?viewportRendering=cpu`).
 * Orthanc listens on every interface: the bench re-runs itself inside `unshare -n` with loopback
 * up, and Orthanc, the static server and Chromium all run there. OHIF's package is fetched once
 * with `npm pack` into .bench/ohif (before entering the namespace, which has no network).
 *
 *   npm run bench:viewer-peer [-- --slices 500 --opens 3]
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { launchChromium } from '../../e2e/support/browser';
import { waitForPort } from '../../electron/main/dicom-net/test-support/dcmtk';
import { ORTHANC_BINARY } from '../../electron/main/dicom-net/test-support/orthanc';
import { BENCH_ROOT, viewerCorpus } from './viewer-corpus';

const { values } = parseArgs({
  options: {
    slices: { type: 'string', default: '500' },
    opens: { type: 'string', default: '3' },
    ohif: { type: 'string', default: '3.13.2' },
    inside: { type: 'boolean', default: false },
  },
});
const slices = Number(values.slices);
const opens = Math.max(1, Number(values.opens));
const OHIF_DIR = path.join(BENCH_ROOT, '.bench/ohif', values.ohif);
const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';
const ORTHANC_HTTP = 8042;
const ORTHANC_DICOM = 4242;
const STATIC_PORT = 3000;

/** OHIF's production build, from its npm package (once). */
function fetchOhif(): string {
  const dist = path.join(OHIF_DIR, 'package/dist');
  if (existsSync(path.join(dist, 'index.html'))) return dist;
  rmSync(OHIF_DIR, { recursive: true, force: true });
  mkdirSync(OHIF_DIR, { recursive: true });
  console.log(`fetching @ohif/app@${values.ohif} (npm pack, once; kept in ${path.relative(BENCH_ROOT, OHIF_DIR)})…`);
  const packed = spawnSync('npm', ['pack', '--loglevel', 'error', `@ohif/app@${values.ohif}`, '--pack-destination', OHIF_DIR], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (packed.status !== 0) throw new Error('npm pack @ohif/app failed');
  const tarball = readdirSync(OHIF_DIR).find((name) => name.endsWith('.tgz'))!;
  const untar = spawnSync('tar', ['xzf', tarball], { cwd: OHIF_DIR, stdio: 'inherit' });
  if (untar.status !== 0 || !existsSync(path.join(dist, 'index.html'))) throw new Error('the @ohif/app package has no dist/index.html');
  rmSync(path.join(OHIF_DIR, tarball));
  return dist;
}

if (!values.inside) {
  if (!existsSync(ORTHANC_BINARY) || !existsSync(DICOMWEB_PLUGIN)) throw new Error('needs Debian packages orthanc and orthanc-dicomweb');
  fetchOhif();
  viewerCorpus(slices);
  const self = [process.execPath, '--import', 'tsx', import.meta.filename, '--inside', ...process.argv.slice(2)].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const result = spawnSync('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec ${self}`], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

/** Orthanc with its DICOMweb plugin; its storage is kept in .bench/viewer (filled once). */
async function startOrthancWithDicomWeb(dir: string): Promise<() => void> {
  mkdirSync(dir, { recursive: true });
  const config = {
    Name: 'StudyshareBenchPeer',
    StorageDirectory: path.join(dir, 'storage'),
    IndexDirectory: path.join(dir, 'index'),
    HttpPort: ORTHANC_HTTP,
    DicomPort: ORTHANC_DICOM,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    StorageCompression: false,
    Plugins: [DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: true, WadoRoot: '/wado', Ssl: false, StudiesMetadata: 'Full', SeriesMetadata: 'Full' },
  };
  const file = path.join(dir, 'orthanc.json');
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(ORTHANC_BINARY, [file], { stdio: ['ignore', 'ignore', 'ignore'] });
  await waitForPort(ORTHANC_HTTP, 60_000);
  return () => child.kill('SIGTERM');
}

async function fillOrthanc(dir: string, folder: string): Promise<void> {
  const done = path.join(dir, 'filled');
  if (existsSync(done)) return;
  const files = ['raw', 'j2k'].flatMap((kind) => readdirSync(path.join(folder, kind)).map((name) => path.join(folder, kind, name)));
  console.log(`storing ${files.length} instances in Orthanc (once)…`);
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < files.length) {
        const file = files[next++];
        const answer = await fetch(`http://127.0.0.1:${ORTHANC_HTTP}/instances`, { method: 'POST', body: await readFile(file) });
        if (!answer.ok) throw new Error(`Orthanc refused ${path.basename(file)}: ${answer.status}`);
      }
    }),
  );
  writeFileSync(done, '');
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
};

/** OHIF's data source: Orthanc's DICOMweb on this same origin (the static server forwards it). */
function ohifConfig(origin: string): string {
  return `window.config = {
  routerBasename: '/',
  extensions: [],
  modes: [],
  showStudyList: true,
  maxNumberOfWebWorkers: 3,
  showLoadingIndicator: true,
  showWarningMessageForCrossOrigin: false,
  showCPUFallbackMessage: false,
  strictZSpacingForVolumeViewport: true,
  maxNumRequests: { interaction: 100, thumbnail: 5, prefetch: 25 },
  defaultDataSourceName: 'orthanc',
  dataSources: [{
    namespace: '@ohif/extension-default.dataSourcesModule.dicomweb',
    sourceName: 'orthanc',
    configuration: {
      friendlyName: 'Orthanc (bench)',
      name: 'orthanc',
      wadoUriRoot: '${origin}/wado',
      qidoRoot: '${origin}/dicom-web',
      wadoRoot: '${origin}/dicom-web',
      qidoSupportsIncludeField: false,
      imageRendering: 'wadors',
      thumbnailRendering: 'wadors',
      enableStudyLazyLoad: true,
      supportsFuzzyMatching: false,
      supportsWildcard: true,
      omitQuotationForMultipartRequest: true,
      bulkDataURI: { enabled: true },
    },
  }],
};
`;
}

/** OHIF's files, its config, and /dicom-web and /wado forwarded to Orthanc (one origin: no CORS). */
function startStaticServer(dist: string): Promise<Server> {
  const origin = `http://127.0.0.1:${STATIC_PORT}`;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname.startsWith('/dicom-web/') || url.pathname.startsWith('/wado')) {
      const upstream = httpRequest({ host: '127.0.0.1', port: ORTHANC_HTTP, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
      return;
    }
    // What OHIF's _headers file asks of its host (cross-origin isolation, for its SharedArrayBuffer paths).
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    if (url.pathname === '/app-config.js') {
      res.writeHead(200, { 'content-type': TYPES['.js'], 'cache-control': 'no-store' });
      res.end(ohifConfig(origin));
      return;
    }
    let file = path.join(dist, path.normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(dist) || !existsSync(file) || statSync(file).isDirectory()) file = path.join(dist, 'index.html');
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    // The code is cached like a deployed OHIF's (hashed bundle names); the page itself is not.
    res.writeHead(200, { 'content-type': type, 'cache-control': file.endsWith('.html') ? 'no-cache' : 'max-age=3600' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(STATIC_PORT, '127.0.0.1', () => resolve(server)));
}

interface PeerState {
  readonly index: number;
  readonly count: number;
  readonly rendered: boolean;
}

/** The page's globals read here (this file is typechecked without the DOM). */
interface PeerGlobals {
  readonly cornerstone?: {
    getEnabledElements(): { viewport: { element?: { addEventListener(type: string, listener: () => void): void; removeEventListener(type: string, listener: () => void): void }; viewportStatus?: string; getCurrentImageIdIndex?: () => number; getImageIds?: () => string[]; getCurrentImageId?: () => string | undefined } }[];
  };
  requestAnimationFrame(callback: (time: number) => void): number;
}

/** The first stack viewport's image index, image count, and whether its current image is drawn; after the next animation frame. */
async function peerState(page: Page): Promise<PeerState | null> {
  return page.evaluate(
    () =>
      new Promise<PeerState | null>((resolve) => {
        const page = globalThis as unknown as PeerGlobals;
        page.requestAnimationFrame(() => {
          const viewport = page.cornerstone?.getEnabledElements().find((element) => element.viewport.getImageIds !== undefined)?.viewport;
          if (viewport?.getCurrentImageIdIndex === undefined || viewport.getImageIds === undefined) return resolve(null);
          resolve({ index: viewport.getCurrentImageIdIndex(), count: viewport.getImageIds().length, rendered: viewport.viewportStatus === 'rendered' && viewport.getCurrentImageId?.() !== undefined });
        });
      }),
  );
}

/**
 * Open → first image: the viewer's URL loaded, timed from the navigation's start (the page's own
 * clock); and how much of it the DICOMweb metadata requests (QIDO/WADO-RS `/metadata`) spanned.
 */
async function timeOpen(page: Page, url: string): Promise<{ ms: number; metadataMs: number }> {
  await page.goto(url, { waitUntil: 'commit' });
  return page.evaluate(async () => {
    const page = globalThis as unknown as PeerGlobals;
    for (;;) {
      await new Promise((resolve) => page.requestAnimationFrame(resolve));
      const viewport = page.cornerstone?.getEnabledElements().find((element) => element.viewport.getImageIds !== undefined)?.viewport;
      if (viewport?.viewportStatus === 'rendered' && viewport.getCurrentImageId?.() !== undefined) {
        const ms = performance.now();
        const metadata = (performance.getEntriesByType('resource') as unknown as { name: string; startTime: number; responseEnd: number }[]).filter((entry) => entry.name.includes('/metadata'));
        const metadataMs = metadata.length === 0 ? 0 : Math.max(...metadata.map((entry) => entry.responseEnd)) - Math.min(...metadata.map((entry) => entry.startTime));
        return { ms, metadataMs };
      }
      if (performance.now() > 60_000) throw new Error('OHIF drew no image within 60 s');
    }
  });
}

/**
 * ArrowDown held from the first image to the last: key events sent through the DevTools protocol
 * (real ones: OHIF's hotkeys read keyCode) every ~16 ms, marked as repeats, while the page counts
 * at each animation frame whether a new image was drawn (so no round trip paces the count).
 */
async function timeScroll(page: Page): Promise<{ fps: number; drawn: number; seconds: number; reached: number }> {
  const cdp = await page.context().newCDPSession(page);
  const key = (type: 'rawKeyDown' | 'keyUp', name: string, code: number, autoRepeat = false) =>
    cdp.send('Input.dispatchKeyEvent', { type, key: name, code: name, windowsVirtualKeyCode: code, nativeVirtualKeyCode: code, autoRepeat });
  await key('rawKeyDown', 'Home', 36);
  await key('keyUp', 'Home', 36);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const state = (await peerState(page))!;
  if (state.index !== 0) throw new Error(`Home did not go to the first image (at ${state.index})`);
  const counting = page.evaluate(async () => {
    const page = globalThis as unknown as PeerGlobals;
    const viewport = page.cornerstone!.getEnabledElements().find((element) => element.viewport.getImageIds !== undefined)!.viewport;
    const count = viewport.getImageIds!().length;
    let last = viewport.getCurrentImageIdIndex!();
    // Cornerstone's own "an image was drawn" event (core Enums.Events.IMAGE_RENDERED), not a status read at a given moment.
    let renderedSince = false;
    // (In an array, unnamed: the bench runs under tsx, whose name helper does not exist in the page.)
    const listener = [
      () => {
        renderedSince = true;
      },
    ];
    viewport.element!.addEventListener('CORNERSTONE_IMAGE_RENDERED', listener[0]);
    let drawn = 0;
    const started = performance.now();
    try {
      for (;;) {
        await new Promise((resolve) => page.requestAnimationFrame(resolve));
        const index = viewport.getCurrentImageIdIndex!();
        if (renderedSince && index !== last) {
          drawn += 1;
          last = index;
        }
        renderedSince = false;
        // At most a minute a pass (the peer's figure is a rate; a slow pass need not run to the end).
        if (last === count - 1 || performance.now() - started > 60_000) break;
      }
    } finally {
      viewport.element!.removeEventListener('CORNERSTONE_IMAGE_RENDERED', listener[0]);
    }
    const seconds = (performance.now() - started) / 1000;
    return { fps: drawn / seconds, drawn, seconds, reached: last };
  });
  let done = false;
  void counting.finally(() => (done = true)).catch(() => undefined);
  let first = true;
  while (!done) {
    await key('rawKeyDown', 'ArrowDown', 40, !first);
    first = false;
    await new Promise((resolve) => setTimeout(resolve, 16));
  }
  await key('keyUp', 'ArrowDown', 40);
  await cdp.detach();
  return counting;
}

async function main(): Promise<void> {
  const folder = viewerCorpus(slices);
  const dist = fetchOhif();
  const orthancDir = path.join(BENCH_ROOT, '.bench/viewer', `orthanc-${slices}`);
  const stopOrthanc = await startOrthancWithDicomWeb(orthancDir);
  const server = await startStaticServer(dist);
  const browser = await launchChromium();
  try {
    await fillOrthanc(orthancDir, folder);
    const studies = (await (await fetch(`http://127.0.0.1:${ORTHANC_HTTP}/studies?expand`)).json()) as { MainDicomTags: { StudyInstanceUID: string; StudyDescription?: string } }[];
    const uidOf = (description: string) => studies.find((study) => study.MainDicomTags.StudyDescription === description)!.MainDicomTags.StudyInstanceUID;
    const kinds = [
      ['uncompressed', uidOf('Bench CT uncompressed')],
      ['J2K', uidOf('Bench CT JPEG 2000')],
    ] as const;
    const load = () => `load ${loadavg()[0].toFixed(1)}`;
    const lines: string[] = [];
    const say = (line: string) => {
      lines.push(line);
      console.log(line);
    };
    console.log(
      `bench:viewer-peer — OHIF Viewer ${values.ohif} (npm @ohif/app dist, its default worker and request settings) on Orthanc's DICOMweb (Orthanc 1.10, DICOMweb plugin 1.7), ${slices} slices of 512×512 16-bit CT, Chromium (--disable-gpu), loopback in a private namespace, ${cpus().length} cores shared`,
    );
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
    // OHIF as configured by default (WebGL: here Chromium's software WebGL, there being no GPU), and
    // with its own switch to Cornerstone's CPU path (`?viewportRendering=cpu`), which our viewer
    // takes by itself where WebGL is software.
    for (const rendering of ['default', 'cpu'] as const) {
      for (const [label, uid] of kinds) {
        const url = `http://127.0.0.1:${STATIC_PORT}/viewer?StudyInstanceUIDs=${uid}${rendering === 'cpu' ? '&viewportRendering=cpu' : ''}`;
        const times: number[] = [];
        const metadataTimes: number[] = [];
        let page: Page | null = null;
        for (let round = 0; round < opens + 1; round++) {
          await page?.close();
          page = await context.newPage();
          const { ms, metadataMs } = await timeOpen(page, url);
          if (round === 0 && rendering === 'default' && label === 'uncompressed') say(`OHIF open → first image, ${label}, first load (code not yet in the browser's cache): ${ms.toFixed(0)} ms   (${load()})`);
          if (round > 0) {
            times.push(ms);
            metadataTimes.push(metadataMs);
          }
        }
        const cpu = await page!.evaluate(() => (globalThis as unknown as { cornerstone: { getShouldUseCPURendering(): boolean } }).cornerstone.getShouldUseCPURendering());
        const name = `${label}, ${cpu ? 'CPU path' : 'WebGL'}`;
        say(`OHIF open → first image, ${name} (viewer URL loaded, code from the browser's cache): median ${median(times).toFixed(0)} ms, worst ${Math.max(...times).toFixed(0)} ms of ${times.length}; of which DICOMweb metadata requests spanned a median ${median(metadataTimes).toFixed(0)} ms   (${load()})`);
        await page!.screenshot({ path: path.join(BENCH_ROOT, '.bench/ohif', `ohif-${label.toLowerCase()}-${rendering}.png`) });
        // The viewport focused (OHIF's hotkeys act on the active viewport).
        await page!.mouse.click(720, 450);
        const first = await timeScroll(page!);
        const second = await timeScroll(page!);
        say(
          `OHIF scroll ${name}, ArrowDown held (a key every ~16 ms): first pass ${first.fps.toFixed(1)} frames/s, second ${second.fps.toFixed(1)} frames/s (${second.drawn} frames in ${second.seconds.toFixed(1)} s, up to image ${second.reached + 1}; first pass up to ${first.reached + 1}; a pass stops after 60 s)   (${load()})`,
        );
        await page!.close();
      }
    }
    console.log('\nsummary');
    for (const line of lines) console.log(line);
  } finally {
    const bounded = (work: Promise<unknown>) => Promise.race([work.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
    await bounded(browser.close());
    await bounded(new Promise((resolve) => server.close(resolve)));
    stopOrthanc();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
