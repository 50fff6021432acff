/**
 * The listener against DCMTK's echoscu and storescu (real peers, real sockets, a real index):
 * what arrives is filed and indexed like an import; bad input is refused with the right status
 * and the listener goes on receiving.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
  return runTool('storescu', ['-v', '-aet', 'MODALITY', '-aec', 'STUDYSHARE', ...extra, '127.0.0.1', String(port), ...files]);
}

/** Temporary files of instances in transit (the receive journal's segments are expected there). */
function partialFiles(library: string): string[] {
  return readdirSync(path.join(library, '.incoming')).filter((name) => !name.endsWith('.journal'));
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
    expect(partialFiles(fixture.library)).toEqual([]);
    expect(fixture.ends).toEqual(Array(6).fill('released'));
  });

  it('accepts with its own maximum PDU length, so an instance comes in one P-DATA PDU, and one larger than that whole', async () => {
    const folder = path.join(fixture.dir, 'pdu');
    mkdirSync(folder, { recursive: true });
    // 128×128 (32 KB of pixels: one PDU at our 256 KB, three at storescu's own 16 KB) and
    // 512×512 (512 KB: over our maximum, so several PDUs still).
    const files = [128, 512].map((size, i) => {
      const file = path.join(folder, `${size}.dcm`);
      const uid = (...parts: number[]) => testUid(720, ...parts);
      writeFileSync(file, writeInstance({ patientId: 'PDU', studyInstanceUid: uid(1), seriesInstanceUid: uid(1, 1), sopInstanceUid: uid(1, 1, i + 1), modality: 'MR', sopClassUid: MR_IMAGE_STORAGE, rows: size, columns: size }));
      return file;
    });
    const result = await runTool('storescu', ['-d', '-aet', 'MODALITY', '-aec', 'STUDYSHARE', '127.0.0.1', String(fixture.port), ...files]);
    expect(result.code).toBe(0);
    // storescu's debug log says what the accept told it (the library's accept said 16384 before).
    expect(result.stdout + result.stderr).toMatch(/Their Max PDU Receive Size:\s+262144/);
    const stored = fixture.db.prepare('SELECT stored_path FROM files ORDER BY size').all() as { stored_path: string }[];
    expect(stored).toHaveLength(2);
    // The data sets arrived whole: DCMTK finds the same pixel data length in each filed copy.
    for (const [i, size] of [128, 512].entries()) {
      const dump = execFileSync('dcmdump', ['-M', '+P', '7fe0,0010', stored[i].stored_path]).toString();
      expect(dump).toContain(`# ${size * size * 2},`);
    }
  });

  it('keeps a second copy of an instance once (the import duplicate rule) and acknowledges it', async () => {
    const files = writeStudy(path.join(fixture.dir, 'dup'), 2, 3);
    expect((await storescu(fixture.port, files)).code).toBe(0);
    expect((await storescu(fixture.port, files)).code).toBe(0);
    expect(indexedInstances(fixture.db)).toBe(3);
    expect(fixture.outcomes.map((o) => o.kind)).toEqual(['stored', 'stored', 'stored', 'duplicate', 'duplicate', 'duplicate']);
  });

  it('refuses a data set it cannot read with "cannot understand" and goes on with the next file', async () => {
    const good = writeStudy(path.join(fixture.dir, 'bad'), 3, 2);
    const bad = path.join(fixture.dir, 'bad', 'no-study-uid.dcm');
    // DCMTK sends it happily; the import's reader refuses it (no Study Instance UID).
    writeFileSync(bad, writeInstance({ studyInstanceUid: '', seriesInstanceUid: testUid(700, 3, 9), sopInstanceUid: testUid(700, 3, 9, 1) }));
    const result = await storescu(fixture.port, [good[0], bad, good[1]], ['--no-halt']);
    expect(result.stderr).toMatch(/Received Store Response \(Error: CannotUnderstand\)/);
    expect(indexedInstances(fixture.db)).toBe(2);
    expect(fixture.outcomes.map((o) => (o.kind === 'refused' ? o.code : o.kind))).toEqual(['stored', 'missing-uid', 'stored']);
    expect(partialFiles(fixture.library)).toEqual([]);
  });

  it('refuses an unknown SOP class at association time and still receives afterwards', async () => {
    const odd = path.join(fixture.dir, 'odd.dcm');
    writeFileSync(odd, writeInstance({ studyInstanceUid: testUid(700, 4), seriesInstanceUid: testUid(700, 4, 1), sopInstanceUid: testUid(700, 4, 1, 1), sopClassUid: '1.2.826.0.1.3680043.10.1234.99' }));
    const refused = await storescu(fixture.port, [odd]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/no (acceptable )?presentation context/i);
    expect(indexedInstances(fixture.db)).toBe(0);
    const good = writeStudy(path.join(fixture.dir, 'after-odd'), 5, 1);
    expect((await storescu(fixture.port, good)).code).toBe(0);
    expect(indexedInstances(fixture.db)).toBe(1);
  });

  it('keeps what was acknowledged when the sender dies mid-study, leaves no partial file, and receives the rest later', async () => {
    const files = writeStudy(path.join(fixture.dir, 'cut'), 6, 40);
    const child = (await import('node:child_process')).spawn('storescu', ['-aet', 'MODALITY', '-aec', 'STUDYSHARE', '127.0.0.1', String(fixture.port), ...files], { stdio: 'ignore' });
    while (fixture.outcomes.length < 5) await new Promise((resolve) => setTimeout(resolve, 5));
    child.kill('SIGKILL');
    while (fixture.ends.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const acknowledged = fixture.outcomes.filter((o) => o.kind === 'stored').length;
    expect(acknowledged).toBeGreaterThanOrEqual(5);
    expect(acknowledged).toBeLessThan(40);
    expect(indexedInstances(fixture.db)).toBe(acknowledged);
    expect(fixture.ends).toEqual(['dropped']);
    expect(partialFiles(fixture.library)).toEqual([]);
    // The sender starts over: what it had sent is a duplicate, the rest arrives.
    expect((await storescu(fixture.port, files)).code).toBe(0);
    expect(indexedInstances(fixture.db)).toBe(40);
  });

  it('keeps what it acknowledged when the sender aborts the association (A-ABORT) mid-study, and receives the rest later', async () => {
    const files = writeStudy(path.join(fixture.dir, 'aborted'), 11, 6);
    // DCMTK's storescu --abort ends with an A-ABORT instead of a release: the study is half sent.
    const result = await storescu(fixture.port, files.slice(0, 3), ['--abort']);
    expect(result.code).toBe(0);
    while (fixture.ends.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(fixture.ends).toEqual(['aborted']);
    expect(fixture.outcomes.map((o) => o.kind)).toEqual(['stored', 'stored', 'stored']);
    expect(indexedInstances(fixture.db)).toBe(3);
    expect(partialFiles(fixture.library)).toEqual([]);
    expect((await storescu(fixture.port, files.slice(3))).code).toBe(0);
    expect(fixture.db.prepare('SELECT instance_count AS n FROM studies').all()).toEqual([{ n: 6 }]);
  });

  it('takes several associations at once', async () => {
    const batches = [7, 8, 9, 10].map((study) => writeStudy(path.join(fixture.dir, `para-${study}`), study, 15));
    const results = await Promise.all(batches.map((files) => storescu(fixture.port, files)));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(indexedInstances(fixture.db)).toBe(60);
    expect((fixture.db.prepare('SELECT count(*) AS n FROM studies').get() as { n: number }).n).toBe(4);
  });
});

describe.skipIf(!available)('DICOM listener admission', () => {
  it('rejects a calling AE title that is not on the allowed list, and admits one that is', async () => {
    const f = await makeFixture({ allowedAeTitles: ['CT_ROOM_1'] });
    try {
      const stranger = await runTool('echoscu', ['-aet', 'STRANGER', '-aec', 'STUDYSHARE', '127.0.0.1', String(f.port)]);
      expect(stranger.code).not.toBe(0);
      expect(stranger.stderr).toMatch(/Association Rejected/i);
      expect(stranger.stderr).toMatch(/Calling AE Title Not Recognized/i);
      const known = await runTool('echoscu', ['-aet', 'CT_ROOM_1', '-aec', 'STUDYSHARE', '127.0.0.1', String(f.port)]);
      expect(known.code).toBe(0);
      const wrongCalled = await runTool('echoscu', ['-aet', 'CT_ROOM_1', '-aec', 'SOMEONE', '127.0.0.1', String(f.port)]);
      expect(wrongCalled.stderr).toMatch(/Called AE Title Not Recognized/i);
    } finally {
      await closeFixture(f);
    }
  });

  it('says when its port is taken', async () => {
    const f = await makeFixture();
    const other = new DicomListener(f.db, f.library);
    try {
      await expect(other.start({ port: f.port, aeTitle: 'STUDYSHARE', allowedAeTitles: [], allowedAddresses: [] })).rejects.toMatchObject({ code: 'port-in-use' });
    } finally {
      await other.stop();
      await closeFixture(f);
    }
  });
});

const isRoot = process.getuid?.() === 0;

describe.skipIf(!available || !isRoot)('DICOM listener on a full disk', () => {
  it('answers "out of resources", keeps what it stored, and receives again once there is room', async () => {
    const mount = path.join(root, 'small-disk');
    mkdirSync(mount, { recursive: true });
    // A real full disk: a 1 MiB tmpfs as the library (the index stays elsewhere).
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount]);
    const f = await makeFixture({ library: path.join(mount, 'library') });
    try {
      // 256×256 16-bit: 128 KiB each, so the disk fills after about eight.
      const files: string[] = [];
      mkdirSync(path.join(f.dir, 'big'), { recursive: true });
      for (let i = 1; i <= 12; i++) {
        const file = path.join(f.dir, 'big', `${i}.dcm`);
        writeFileSync(file, writeInstance({ studyInstanceUid: testUid(701), seriesInstanceUid: testUid(701, 1), sopInstanceUid: testUid(701, 1, i), instanceNumber: i, rows: 256, columns: 256 }));
        files.push(file);
      }
      const result = await storescu(f.port, files);
      expect(result.stderr).toMatch(/Received Store Response \(Refused: OutOfResources\)/);
      const stored = f.outcomes.filter((o) => o.kind === 'stored').length;
      expect(stored).toBeGreaterThan(0);
      expect(stored).toBeLessThan(12);
      expect(f.outcomes.some((o) => o.kind === 'refused' && o.code === 'disk-full')).toBe(true);
      expect(indexedInstances(f.db)).toBe(stored);
      expect(partialFiles(f.library)).toEqual([]);
      // Room again (the disk grows): the listener, still running, takes the rest.
      execFileSync('mount', ['-o', 'remount,size=8m', mount]);
      expect((await storescu(f.port, files)).code).toBe(0);
      expect(indexedInstances(f.db)).toBe(12);
    } finally {
      await closeFixture(f);
      execFileSync('umount', [mount]);
    }
  });
});
