/**
 * bench:ui — browser mode with 100,000 studies, driven in Debian's Chromium. Prints the time to
 * the first rendered rows, the time for a search to update the table, and how many table rows
 * are in the DOM (it must stay bounded, whatever the number of studies).
 *
 *   npm run bench:ui [-- --studies 100000 --searches 30]
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { createStudyshareApp } from '../../electron/main/app/create-app';
import { openIndexDatabase } from '../../electron/main/db/connection';
import { FAMILY_NAMES } from '../../electron/main/dicom-write/sample-names';
import { startLoopbackServer } from '../../electron/main/http/loopback-server';
import { launchChromium } from '../../e2e/support/browser';
import { fillIndex } from './fill-index';

const { values } = parseArgs({ options: { studies: { type: 'string', default: '100000' }, searches: { type: 'string', default: '30' }, loads: { type: 'string', default: '5' } } });
const total = Number(values.studies);
const root = path.resolve(import.meta.dirname, '../..');

function prepareData(): string {
  const dataDir = path.join(root, '.bench/ui', `data-${total}`);
  if (!existsSync(path.join(dataDir, 'index.sqlite'))) {
    const building = `${dataDir}.building`;
    rmSync(building, { recursive: true, force: true });
    mkdirSync(building, { recursive: true });
    const db = openIndexDatabase(path.join(building, 'index.sqlite'));
    fillIndex(db, total);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
    renameSync(building, dataDir);
  }
  return dataDir;
}

function stats(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return `p50 ${at(0.5).toFixed(0)} ms, p95 ${at(0.95).toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms`;
}

/**
 * Types a search in the page and waits, frame by frame in the page itself, until the first row
 * shows a match. Kept as source text: tsx would wrap a function literal in helpers that do not
 * exist in the page.
 */
const SEARCH_IN_PAGE = `async (term) => {
  const input = document.querySelector('input[type="search"]');
  if (input === null) throw new Error('no search box');
  const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  const fold = (value) => value.normalize('NFKD').replace(/\\p{M}/gu, '').toLowerCase();
  const firstCell = () => document.querySelector('[role="grid"] [role="rowgroup"]:last-child [role="row"] [role="gridcell"]')?.textContent ?? '';
  const started = performance.now();
  setValue.call(input, term);
  input.dispatchEvent(new Event('input', { bubbles: true }));
  for (;;) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
    if (fold(firstCell()).includes(fold(term))) return performance.now() - started;
    if (performance.now() - started > 10000) throw new Error('search for ' + term + ' did not update the table');
  }
}`;

async function timeSearch(page: Page, text: string): Promise<number> {
  return page.evaluate<number>(`(${SEARCH_IN_PAGE})(${JSON.stringify(text)})`);
}

async function main(): Promise<void> {
  if (!existsSync(path.join(root, 'out/renderer/index.html'))) {
    spawnSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  }
  const dataDir = prepareData();
  const app = createStudyshareApp(dataDir, { kind: 'browser' }, { hubMode: 'off' });
  // The workstation opens locked: sign in with the bench's local profile (made on the first run).
  const bench = { name: 'Bench', password: 'a long local bench password' };
  await app.workstation.signInLocal(bench.name, bench.password).catch(() => app.workstation.createProfile(bench.name, bench.password));
  const server = await startLoopbackServer({ handlers: app.handlers, bus: app.bus, rendererDir: path.join(root, 'out/renderer') });
  const browser = await launchChromium();
  try {
    const loads: number[] = [];
    const inPage: number[] = [];
    let page: Page | null = null;
    for (let i = 0; i < Number(values.loads); i++) {
      await page?.close();
      page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      const started = performance.now();
      await page.goto(server.url, { waitUntil: 'commit' });
      // Polled in the page on every frame: the moment the first study row has text, measured
      // from the page's own navigation start.
      // (A function, not source text: the page's CSP forbids eval, as it should.)
      const handle = await page.waitForFunction(
        () => {
          // Runs in the page; this file is typechecked without the DOM's declarations.
          const page = globalThis as unknown as { document: { querySelector(selector: string): { textContent: string | null } | null } };
          const cell = page.document.querySelector('[role="grid"] [role="row"][aria-rowindex="2"] [role="gridcell"]');
          return cell !== null && (cell.textContent ?? '').trim() !== '' ? performance.now() : 0;
        },
        undefined,
        { polling: 'raf' },
      );
      loads.push(performance.now() - started);
      inPage.push((await handle.jsonValue()));
    }
    if (page === null) throw new Error('no page');
    const rowsAtTop = await page.locator('[role="row"]').count();
    const searches: number[] = [];
    const terms = FAMILY_NAMES.filter((name) => /^[A-Za-z]{4,}$/.test(name)).slice(0, Number(values.searches));
    for (const term of terms) searches.push(await timeSearch(page, term));
    await timeSearch(page, '');
    // Jump to the middle of the list, as a dragged scrollbar does, and count rows again.
    await page.evaluate(`(() => { const body = document.querySelector('[role="grid"] [role="rowgroup"]:last-child'); body.scrollTop = body.scrollHeight / 2; })()`);
    await page.waitForTimeout(500);
    const rowsInMiddle = await page.locator('[role="row"]').count();
    console.log(`bench:ui on ${total.toLocaleString('en')} studies in Chromium (browser mode, loopback HTTP)`);
    console.log(`time to first rendered rows (${loads.length} loads), from the page's navigation start: ${stats(inPage)}   target ≤ 1000 ms`);
    console.log(`  the same, from opening a new tab (includes starting its renderer process): ${stats(loads)}`);
    console.log(`search to updated table (${searches.length} searches): ${stats(searches)}   target ≤ 150 ms`);
    console.log(`table rows in the DOM: ${rowsAtTop} at the top, ${rowsInMiddle} in the middle (header row included; bounded by the viewport, not by ${total.toLocaleString('en')})`);
  } finally {
    await browser.close();
    await server.close();
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
