/**
 * DICOM networking end to end (issue 17), in Chromium against browser mode: the listener is
 * turned on in Settings and fills the worklist while DCMTK's storescu sends; a PACS node
 * (DCMTK's storescp) is added and echoed; Actions → Send to… sends the study there; a query to a
 * node that does not answer C-FIND says so.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testUid, writeInstance } from '../electron/main/dicom-write/synthetic-study';
import { hasDcmtkNetworkTools, runTool, startTool, waitForPort } from '../electron/main/dicom-net/test-support/dcmtk';
import { freePort } from '../electron/main/net/free-port';
import { type AppInBrowser, openAppInBrowser, screenshot } from './support/app-harness';

const available = hasDcmtkNetworkTools();
const dataRows = (page: Page) => page.getByRole('grid', { name: 'Studies' }).getByRole('row').filter({ has: page.getByRole('gridcell') });

describe.skipIf(!available)('DICOM networking in the app', () => {
  let session: AppInBrowser;
  let work: string;
  let pacs: ReturnType<typeof startTool>;
  let pacsPort: number;
  let pacsFolder: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'studyshare-dicom-e2e-'));
    pacsFolder = path.join(work, 'pacs');
    mkdirSync(pacsFolder);
    pacsPort = await freePort();
    pacs = startTool('storescp', ['-aet', 'MAIN_PACS', '-od', pacsFolder, String(pacsPort)]);
    await waitForPort(pacsPort);
    session = await openAppInBrowser();
  }, 60_000);

  afterAll(async () => {
    pacs?.kill('SIGTERM');
    await session?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('turns the listener on in Settings, and a study sent by storescu appears in the worklist', async () => {
    const { page } = session;
    const port = await freePort();
    await page.getByRole('button', { name: 'Settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    const listener = settings.getByRole('form', { name: 'DICOM listener' });
    await expect.poll(() => listener.getByRole('status').first().textContent()).toMatch(/^Off/);
    await listener.getByLabel('Receive studies sent to this computer (C-STORE)').check();
    await listener.getByLabel('Port', { exact: true }).fill(String(port));
    await listener.getByLabel('Put received studies on the hub').check();
    await listener.getByRole('button', { name: 'Save listener' }).click();
    await expect.poll(() => listener.getByRole('status').first().textContent()).toBe(`Listening on port ${port} as STUDYSHARE`);
    // The setting is main's now: the dialog opened again shows it from there.
    await settings.getByRole('button', { name: 'Close' }).last().click();
    await page.getByRole('button', { name: 'Settings' }).click();
    expect(await listener.getByLabel('Put received studies on the hub').isChecked()).toBe(true);

    // A PACS node, echoed.
    await settings.getByRole('button', { name: 'Add node…' }).click();
    const form = settings.getByRole('form', { name: 'Add a DICOM node' });
    await form.getByLabel('Name').fill('Main PACS');
    await form.getByLabel('AE title').fill('MAIN_PACS');
    await form.getByLabel('Host').fill('127.0.0.1');
    await form.getByLabel('Port').fill(String(pacsPort));
    await form.getByRole('button', { name: 'Add node' }).click();
    const nodes = settings.getByRole('table', { name: 'DICOM nodes' });
    await nodes.getByRole('row', { name: /Main PACS/ }).waitFor();
    await nodes.getByRole('button', { name: 'Echo Main PACS' }).click();
    await expect.poll(() => nodes.getByRole('status').textContent()).toMatch(/^Answered in \d+ ms\.$/);
    await screenshot(page, 'dicom-settings');

    // A modality sends a study: the worklist fills without anyone importing.
    await settings.getByRole('button', { name: 'Close' }).last().click();
    const folder = path.join(work, 'modality');
    mkdirSync(folder);
    const files = Array.from({ length: 6 }, (_, i) => {
      const file = path.join(folder, `${i}.dcm`);
      writeFileSync(
        file,
        writeInstance({
          patientName: 'Network^Nina',
          patientId: 'NET-1',
          studyInstanceUid: testUid(850),
          studyDate: '20240505',
          studyDescription: 'CT Head from the scanner',
          seriesInstanceUid: testUid(850, 1),
          sopInstanceUid: testUid(850, 1, i + 1),
          instanceNumber: i + 1,
          rows: 64,
          columns: 64,
        }),
      );
      return file;
    });
    const sent = await runTool('storescu', ['-aet', 'CT_ROOM_1', '-aec', 'STUDYSHARE', '127.0.0.1', String(port), ...files]);
    expect(sent.code).toBe(0);
    await expect.poll(() => dataRows(page).count(), { timeout: 10_000 }).toBe(1);
    expect(await dataRows(page).first().textContent()).toMatch(/Network.*Nina/);
  }, 60_000);

  it('sends the selected study to the PACS with Actions → Send to…', async () => {
    const { page } = session;
    await dataRows(page).first().click();
    await page.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: 'Send to…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send 1 study' });
    await expect.poll(() => dialog.getByLabel('To').inputValue()).not.toBe('');
    await dialog.getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(() => dialog.getByRole('status', { name: 'Send progress' }).textContent(), { timeout: 15_000 }).toMatch(/6 of 6 instances sent — done\./);
    await screenshot(page, 'dicom-send');
    expect(readdirSync(pacsFolder)).toHaveLength(6);
    await dialog.getByRole('button', { name: 'Close' }).click();
  }, 30_000);

  it('says so when the node does not answer queries', async () => {
    const { page } = session;
    await page.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: 'Query a PACS…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Query a PACS' });
    await dialog.getByLabel('Patient name').fill('NETWORK');
    await dialog.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => dialog.getByRole('status').first().textContent(), { timeout: 15_000 }).toBe('MAIN_PACS does not answer queries (C-FIND, study root).');
    await screenshot(page, 'dicom-query');
    await dialog.getByRole('button', { name: 'Close' }).last().click();
  }, 30_000);
});
