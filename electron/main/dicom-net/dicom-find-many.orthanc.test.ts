/**
 * A C-FIND answering thousands of matches from Orthanc: read whole by the client, searched as
 * the app does (the query job, its pages of 100, its cap on matches kept, reached here), and
 * cancelled part-way both ways. Inside a private network namespace, as
 * dicom-client.orthanc.test.ts explains.
 *
 * 2,500 matches with the cap at 2,000, not 10,000 with the cap at 50,000: what the issue asks
 * of "a C-FIND answering 10,000 matches" is that matches come in many pages, the app keeps no
 * more than its cap and says so, and cancel works. All of that is proved at 2,500 as at 10,000
 * (the client reads each match the same way; the pages and the cap are the same code, the cap a
 * parameter), while loading 10,000 studies into Orthanc took 2–4 minutes of CI.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canRunOrthanc, inPrivateNetwork } from './test-support/orthanc';

const available = await canRunOrthanc();
if (!available && process.env.CI) throw new Error('Orthanc and unshare are required in CI (.ci/run installs orthanc)');

const root = mkdtempSync(path.join(tmpdir(), 'studyshare-orthanc-'));
afterAll(() => rmSync(root, { recursive: true, force: true }), 120_000);
const SCENARIOS = path.join(import.meta.dirname, 'test-support', 'orthanc-scenarios.ts');

async function scenario(name: string, ...args: string[]): Promise<Record<string, unknown>> {
  const result = await inPrivateNetwork(SCENARIOS, [name, path.join(root, name), ...args], 400_000);
  if (result.code !== 0) throw new Error(`scenario ${name} failed: ${result.stderr.slice(-2000)}`);
  return JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

describe.skipIf(!available)('a C-FIND of thousands of matches', () => {
  it('reads a C-FIND of 2,500 matches whole, pages what it keeps up to its cap, and a cancel stops one part-way', async () => {
    const r = await scenario('many', '2500');
    expect(r.all).toBe(2500);
    expect(r.cap).toBe(2000);
    expect(r.paged).toEqual({ state: 'done', message: 'Only the first 2,000 matches are shown: narrow the search.', total: 2000, rows: 2000, distinct: 2000, newestFirst: true });
    expect(r.partial).toBeGreaterThanOrEqual(100);
    expect(r.partial).toBeLessThan(2500);
    expect(r.cancelled).toMatchObject({ code: 'cancelled' });
    expect(r.serviceCancel).toMatchObject({ state: 'cancelled', message: 'Search cancelled: the matches so far are shown.' });
    expect((r.serviceCancel as { kept: number }).kept).toBeGreaterThanOrEqual(100);
    expect((r.serviceCancel as { kept: number }).kept).toBeLessThan(2000);
  }, 400_000);
});
