/**
 * The DICOM client and listener against Orthanc as the PACS: C-ECHO, C-STORE, C-FIND at study
 * and series level, C-MOVE to our own listener, C-GET, a C-FIND of 10,000 matches cancelled
 * part-way. Orthanc listens on every interface, so each scenario runs inside a private network
 * namespace (test-support/orthanc.ts) with our side beside it, and reports as JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testUid } from '../dicom-write/synthetic-study';
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

describe.skipIf(!available)('DICOM networking with Orthanc as the PACS', () => {
  it('echoes, sends, finds, moves to our listener and gets, each into the index', async () => {
    const r = await scenario('interop');
    expect(r.echoed).toBe(true);
    expect(r.wrongCalled).toMatchObject({ code: 'rejected', message: expect.stringMatching(/does not know the AE title we called/) });
    expect(r.sent).toEqual(Array(30).fill('sent'));
    expect(r.orthancInstances).toBe(30);
    // Study level: name with a wildcard, ID, date range, modality, accession.
    expect(r.byName).toEqual([
      ['DOE^JOHN', '20230110', 'MR', 2, 10],
      ['DOE^JOHN', '20240315', 'CT', 2, 10],
    ]);
    expect(r.byId).toEqual(['ROE^JANE']);
    expect(r.byDate).toEqual(['A-1001', 'A-1002']);
    expect(r.byModality).toEqual(['A-0900']);
    expect(r.byAccession).toEqual([testUid(800, 1)]);
    expect(r.series).toBe(2);
    // C-MOVE of a study, then of one series, arrive at our listener and are indexed.
    expect(r.moved).toEqual({ remaining: 0, completed: 10, failed: 0, warnings: 0 });
    expect(r.afterMove).toBe(10);
    expect(r.afterSeriesMove).toBe(15);
    expect(r.unknownDestination).toMatchObject({ code: 'failed' });
    // C-GET of a study, then of a series already there (duplicates, acknowledged).
    expect(r.got).toEqual({ remaining: 0, completed: 10, failed: 0, warnings: 0 });
    expect(r.afterGet).toBe(25);
    expect(r.outcomes).toEqual([...Array(10).fill('stored'), ...Array(5).fill('duplicate')]);
    expect(r.studiesIndexed).toEqual([
      { uid: testUid(800, 1), n: 10 },
      { uid: testUid(800, 2), n: 10 },
      { uid: testUid(800, 3), n: 5 },
    ]);
  }, 300_000);
});
