/**
 * Opening an "On the hub" worklist from the sidebar and waiting for a study to show in it.
 * The view is opened once and then refreshed with its own Refresh button while the study has not
 * arrived — never by clicking the sidebar link again, which resets the view to "Loading studies…"
 * and could keep a poll from ever seeing it loaded (the flaky sharing test of issue 18, item 18).
 */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Opens the hub worklist named `name` (its link in the sidebar) and returns its view. */
export async function openHubWorklist(page: Page, name: string): Promise<Locator> {
  await page.getByRole('list', { name: 'Hub worklists' }).getByRole('link', { name: new RegExp(`^${escapeRegExp(name)}`) }).click();
  return page.getByRole('main', { name });
}

/** Opens the worklist and waits until its text contains `text`, refreshing it (not reopening) meanwhile. */
export async function expectInHubWorklist(page: Page, name: string, text: string): Promise<Locator> {
  const link = page.getByRole('list', { name: 'Hub worklists' }).getByRole('link', { name: new RegExp(`^${escapeRegExp(name)}`) });
  const view = page.getByRole('main', { name });
  await expect
    .poll(async () => {
      // The sidebar lists the worklist once the hub's status has arrived after signing in.
      if (!(await view.isVisible())) {
        if (await link.isVisible()) await link.click();
        return '';
      }
      const content = (await view.textContent()) ?? '';
      if (!content.includes(text) && !content.includes('Loading studies…')) await view.getByRole('button', { name: 'Refresh' }).click();
      return content;
    })
    .toContain(text);
  return view;
}
