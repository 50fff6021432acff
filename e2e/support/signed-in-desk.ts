/**
 * A desktop in browser mode signed in to a hub as one person, and Chromium open on it at the
 * size the screenshots use: the start of every test that drives the app against a real hub.
 */
import type { Browser, Page } from 'playwright-core';
import { startApp, type RunningApp } from './app-harness';
import { launchChromium } from './browser';

export async function openSignedInDesk(hubUrl: string, email: string, password: string): Promise<{ desk: RunningApp; browser: Browser; page: Page }> {
  const desk = await startApp({ hubMode: 'remote' });
  await desk.app.hub.signIn({ url: hubUrl, email, password });
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(desk.server.url);
  return { desk, browser, page };
}
