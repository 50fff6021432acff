/**
 * A C-FIND answering 10,000 matches from Orthanc, read whole and cancelled part-way (a file of
 * its own: loading Orthanc takes minutes, and vitest runs files side by side). Inside a private
 * network namespace, as dicom-client.orthanc.test.ts explains.
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

describe.skipIf(!available)('a C-FIND of 10,000 matches', () => {
  it('reads a C-FIND of 10,000 matches, and a cancel stops one part-way', async () => {
    const r = await scenario('many', '10000');
    expect(r.all).toBe(10_000);
    expect(r.partial).toBeGreaterThanOrEqual(100);
    expect(r.partial).toBeLessThan(10_000);
    expect(r.cancelled).toMatchObject({ code: 'cancelled' });
  }, 400_000);
});
