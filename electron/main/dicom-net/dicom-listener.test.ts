/**
 * The listener against DCMTK's echoscu and storescu (real peers, real sockets, a real index):
 * what arrives is filed and indexed like an import; bad input is refused with the right status
 * and the listener goes on receiving.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TRANSFER_SYNTAX } from '../../../shared/dicom/transfer-syntax';
import { openIndexDatabase, type IndexDatabase } from '../db/connection';
import { MR_IMAGE_STORAGE, testUid, writeInstance } from '../dicom-write/synthetic-study';
import { DicomListener } from './dicom-listener';
import type { ReceiveOutcome } from './received-instances';
import { hasDcmtkNetworkTools, runTool } from './test-support/dcmtk';

const available = hasDcmtkNetworkTools();
if (!available && process.env.CI) throw new Error('dcmtk is required in CI (.ci/run installs it)');

const root = mkdtempSync(path.join(tmpdir(), 'studyshare-listener-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Fixture {
  readonly dir: string;
  readonly db: IndexDatabase;
  readonly library: string;
  readonly listener: DicomListener;
  readonly outcomes: ReceiveOutcome[];
  readonly ends: string[];
  port: number;
}

let fixture: Fixture;
let counter = 0;

async function makeFixture(options: { allowedAeTitles?: string[]; library?: string } = {}): Promise<Fixture> {
  const dir = path.join(root, `f${++counter}`);
  mkdirSync(dir, { recursive: true });
  const db = openIndexDatabase(path.join(dir, 'index.sqlite'));
  const library = options.library ?? path.join(dir, 'library');
  const outcomes: ReceiveOutcome[] = [];
  const ends: string[] = [];
  const listener = new DicomListener(db, library, {
    onOutcome: (_association, outcome) => outcomes.push(outcome),
    onAssociation: (_association, state) => {
      if (state !== 'open') ends.push(state);
    },
  });
  const port = await listener.start({ port: 0, aeTitle: 'STUDYSHARE', allowedAeTitles: options.allowedAeTitles ?? [], allowedAddresses: [] });
  return { dir, db, library, listener, outcomes, ends, port };
}

async function closeFixture(f: Fixture): Promise<void> {
  await f.listener.stop();
  f.db.close();
}

/** Writes `count` instances of one study into a folder, in the given transfer syntaxes in turn. */
function writeStudy(folder: string, study: number, count: number, syntaxes: readonly string[] = [TRANSFER_SYNTAX.explicitLittleEndian]): string[] {
  mkdirSync(folder, { recursive: true });
  const files: string[] = [];
  for (let i = 1; i <= count; i++) {
    const file = path.join(folder, `${study}-${i}.dcm`);
    writeFileSync(
      file,
      writeInstance(
        {
          patientName: `Listener^Test${study}`,
          patientId: `L${study}`,
          studyInstanceUid: testUid(700, study),
          seriesInstanceUid: testUid(700, study, 1 + (i % 2)),
          sopInstanceUid: testUid(700, study, 1 + (i % 2), i),
          instanceNumber: i,
          studyDate: '20240102',
          modality: 'MR',
          sopClassUid: MR_IMAGE_STORAGE,
        },
        { transferSyntaxUid: syntaxes[i % syntaxes.length] },
      ),
    );
    files.push(file);
  }
  return files;
}

function storescu(port: number, files: readonly string[], extra: readonly string[] = []): ReturnType<typeof runTool> {
  return runTool('storescu', ['-aet', 'MODALITY', '-aec', 'STUDYSHARE', ...extra, '127.0.0.1', String(port), ...files]);
}

function indexedInstances(db: IndexDatabase): number {
  return (db.prepare('SELECT count(*) AS n FROM instances').get() as { n: number }).n;
}

describe.skipIf(!available)('DICOM listener with DCMTK peers', () => {
  beforeEach(async () => {
    fixture = await makeFixture();
  });
  afterEach(async () => {
    await closeFixture(fixture);
  });

  it('answers C-ECHO', async () => {
    const result = await runTool('echoscu', ['-aet', 'MODALITY', '-aec', 'STUDYSHARE', '127.0.0.1', String(fixture.port)]);
    expect(result.code).toBe(0);
  });

  it('stores what storescu sends into the library and the index, in uncompressed, deflated and encapsulated syntaxes', async () => {
    // storescu proposes uncompressed syntaxes unless told which other one to offer.
    const groups: readonly (readonly [string, readonly string[]])[] = [
      [TRANSFER_SYNTAX.explicitLittleEndian, []],
      [TRANSFER_SYNTAX.implicitLittleEndian, ['-xi']],
      [TRANSFER_SYNTAX.explicitBigEndian, ['-xb']],
      [TRANSFER_SYNTAX.deflatedExplicitLittleEndian, ['-xd']],
      [TRANSFER_SYNTAX.jpeg2000Lossless, ['-xv']],
      [TRANSFER_SYNTAX.rleLossless, ['-xr']],
    ];
    let study = 10;
    for (const [syntax, option] of groups) {
      const files = writeStudy(path.join(fixture.dir, `send-${study}`), study++, 2, [syntax]);
      const result = await storescu(fixture.port, files, option);
      expect(result.stderr, syntax).not.toMatch(/^E:/m);
      expect(result.code).toBe(0);
    }
    expect(indexedInstances(fixture.db)).toBe(12);
    const studies = fixture.db.prepare('SELECT instance_count, series_count FROM studies').all();
    expect(studies).toEqual(Array(6).fill({ instance_count: 2, series_count: 2 }));
    const stored = fixture.db.prepare('SELECT stored_path, managed FROM files').all() as { stored_path: string; managed: number }[];
    const syntaxes = new Set<string>();
    for (const row of stored) {
      expect(row.managed).toBe(1);
      expect(row.stored_path.startsWith(fixture.library)).toBe(true);
      // DCMTK reads back each filed instance, in the transfer syntax it was sent in.
      const dump = execFileSync('dcmdump', ['-M', '-Un', '+P', '0002,0010', row.stored_path]).toString();
      syntaxes.add(/\[([0-9.]+)\]/.exec(dump)?.[1] ?? '');
    }
    expect([...syntaxes].sort()).toEqual(groups.map(([syntax]) => syntax).sort());
    expect(readdirSync(path.join(fixture.library, '.incoming'))).toEqual([]);
    expect(fixture.ends).toEqual(Array(6).fill('released'));
  });

  it('keeps a second copy of an instance once (the import duplicate rule) and acknowledges it', async () => {
    const files = writeStudy(path.join(fixture.dir, 'dup'), 2, 3);
    expect((await storescu(fixture.port, files)).code).toBe(0);
    expect((await storescu(fixture.port, files)).code).toBe(0);
    expect(indexedInstances(fixture.db)).toBe(3);
    expect(fixture.outcomes.map((o) => o.kind)).toEqual(['stored', 'stored', 'stored', 'duplicate', 'duplicate', 'duplicate']);
  });
});
