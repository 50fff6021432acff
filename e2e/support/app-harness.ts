/** Starts the real services and the loopback transport on a temporary data folder, as browser mode does. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach } from 'vitest';
import { createStudyshareApp, type StudyshareApp } from '../../electron/main/app/create-app';
import type { HubMode } from '../../electron/main/hub-connection/hub-connection';
import { startLoopbackServer, type LoopbackServer } from '../../electron/main/http/loopback-server';
import { launchChromium } from './browser';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots');

export interface RunningApp {
  readonly app: StudyshareApp;
  readonly server: LoopbackServer;
  readonly dataDir: string;
  readonly workDir: string;
  stop(): Promise<void>;
}

/**
 * Imports run in batches of 100 with a 40 ms pause between them, so that a test can watch an
 * import of a few thousand files progress and cancel it half-way on any machine.
 */
/** `first-run`: no hub chosen, as on a fresh install (the first-run screen asks). Default: `off`. */
export type HarnessHubMode = HubMode | 'first-run';

/** The local profile the harness signs in with on a desktop without a hub (the workstation opens locked). */
export const TEST_PROFILE = { name: 'Test Operator', password: 'a long local password' } as const;

/**
 * `locked`: leave the workstation locked as a fresh start shows it. By default a desktop without
 * a hub is signed in with TEST_PROFILE, so tests about other things start at the worklist; one
 * with a hub is unlocked by the hub sign-in the test makes.
 */
export async function startApp(options: { hubMode?: HarnessHubMode; hubClock?: () => Date; locked?: boolean } = {}): Promise<RunningApp> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'studyshare-e2e-'));
  const dataDir = path.join(workDir, 'data');
  const app = createStudyshareApp(dataDir, { kind: 'browser' }, {
    importPacing: { batchFiles: 100, pauseBetweenBatchesMs: 40 },
    hubMode: options.hubMode === 'first-run' ? undefined : (options.hubMode ?? 'off'),
    syncEveryMs: 0,
    embeddedHub: options.hubClock === undefined ? undefined : { now: options.hubClock },
  });
  await app.start();
  if ((options.hubMode ?? 'off') === 'off' && options.locked !== true) await app.workstation.createProfile(TEST_PROFILE.name, TEST_PROFILE.password);
  const server = await startLoopbackServer({ handlers: app.handlers, bus: app.bus, rendererDir: path.join(ROOT, 'out/renderer') });
  return {
    app,
    server,
    dataDir,
    workDir,
    async stop() {
      await server.close();
      await app.close();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/** A part a suite starts: a browser closes, a desk or a hub stops. */
type Stoppable = { close(): Promise<unknown> } | { stop(): Promise<unknown> };

/**
 * A suite's teardown: each part in the order given (the browser before the desk before the hub it
 * talks to), skipping parts the suite never got to start.
 */
export function tearDownInOrder(parts: () => readonly (Stoppable | undefined)[]): void {
  afterAll(async () => {
    for (const part of parts()) if (part !== undefined) await ('close' in part ? part.close() : part.stop());
  });
}

/**
 * After each failed test of the suite, a screenshot of every named page (`failed-<test>-<name>`),
 * so a red CI run shows what the person would have seen. Pages not open yet are skipped.
 */
export function screenshotFailures(pages: () => Readonly<Record<string, Page | undefined>>): void {
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail') return;
    for (const [name, page] of Object.entries(pages())) {
      if (page !== undefined) await screenshot(page, `failed-${context.task.name.slice(0, 40)}${name === '' ? '' : `-${name}`}`).catch(() => undefined);
    }
  });
}

export function writeFiles(folder: string, files: Record<string, Uint8Array | string>): void {
  for (const [name, bytes] of Object.entries(files)) {
    const target = path.join(folder, name);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
}

export interface AppInBrowser {
  readonly running: RunningApp;
  readonly browser: Browser;
  readonly page: Page;
  close(): Promise<void>;
}

/** The app started and opened in a fresh Chromium page at 1440×900, as a workstation shows it. */
export async function openAppInBrowser(options: { hubMode?: HarnessHubMode; locked?: boolean } = {}): Promise<AppInBrowser> {
  const running = await startApp(options);
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(running.server.url);
  return {
    running,
    browser,
    page,
    async close() {
      await browser.close();
      await running.stop();
    },
  };
}
