/**
 * `npm run bench:fuzz [-- --count 2000 --seed 18 --timeout 30]`: mutates real DICOM files into
 * hostile variants — bit flips, truncations, length fields blown up, deflate bombs, sparse huge
 * files — and runs each through the desktop's import (its module, in a child process) and
 * through the hub's upload route (a real hub process, bundled as in production, on loopback).
 * Prints, per side: crashes, hangs (a file that takes longer than --timeout seconds), every
 * file's outcome counted by reason, and the process's peak resident memory (VmHWM) against its
 * target (import 300 MB, hub 400 MB); for the hub also the slowest answer to GET /api/me asked
 * every 100 ms while the files go in.
 *
 * The seed files come from the synthetic study writer in every uncompressed and the deflated
 * transfer syntax, and from DCMTK's dcmconv when it is installed; they name the study the bench
 * hub holds, and each variant gets its own SOP Instance UID before it is mutated.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, createReadStream, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TRANSFER_SYNTAX } from '../../shared/dicom/transfer-syntax';
import { writeInstance, type InstanceSpec } from '../../electron/main/dicom-write/synthetic-study';
import { dataSetOffset, deflateBomb } from '../../server/test-support/hostile-dicom';
import { startUploadHub, type UploadHub } from './upload-client';

const { values } = parseArgs({ options: { count: { type: 'string', default: '2000' }, seed: { type: 'string', default: '18' }, timeout: { type: 'string', default: '30' }, keep: { type: 'boolean', default: false } } });
const COUNT = Number(values.count);
const TIMEOUT_MS = Number(values.timeout) * 1000;
const CLI_TARGET = 300 * 1024 ** 2;
const HUB_TARGET = 400 * 1024 ** 2;
/** The study scripts/bench/upload-hub.ts publishes. */
const STUDY_UID = '1.2.826.0.1.3680043.10.1234.900';
/** Each variant's SOP Instance UID: this root and a six-digit number, the same length in every file. */
const SOP_ROOT = '1.2.826.0.1.3680043.10.1234.901.7';
const sopOf = (n: number): string => `${SOP_ROOT}.${String(n).padStart(6, '0')}`;

/** A small deterministic generator (mulberry32), so a run can be repeated. */
let state = Number(values.seed) >>> 0;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const below = (n: number): number => Math.floor(random() * n);

// ---- seeds -------------------------------------------------------------------------------------

function seeds(dir: string): Buffer[] {
  const specs: InstanceSpec[] = [
    { studyInstanceUid: STUDY_UID, seriesInstanceUid: `${STUDY_UID}.1`, sopInstanceUid: sopOf(0), modality: 'CT', rows: 64, columns: 64, patientName: 'Fuzz^Image', seriesDescription: 'Axial' },
    { studyInstanceUid: STUDY_UID, seriesInstanceUid: `${STUDY_UID}.2`, sopInstanceUid: sopOf(0), modality: 'SR', rows: 0, columns: 0, patientName: 'Fuzz^Report', studyDescription: 'A report without pixel data' },
    { studyInstanceUid: STUDY_UID, seriesInstanceUid: `${STUDY_UID}.3`, sopInstanceUid: sopOf(0), modality: 'MR', rows: 256, columns: 256, specificCharacterSet: 'ISO_IR 192', patientName: 'Fuzz^Ünïcode' },
  ];
  const syntaxes = [TRANSFER_SYNTAX.explicitLittleEndian, TRANSFER_SYNTAX.implicitLittleEndian, TRANSFER_SYNTAX.explicitBigEndian, TRANSFER_SYNTAX.deflatedExplicitLittleEndian];
  const files = specs.flatMap((spec) => syntaxes.map((transferSyntaxUid) => Buffer.from(writeInstance(spec, { transferSyntaxUid }))));
  // DCMTK's encodings of the first one, where it is installed: an independent writer.
  try {
    const source = path.join(dir, 'seed.dcm');
    writeFileSync(source, files[0]);
    for (const flag of ['+te', '+ti', '+tb', '+td']) {
      const target = path.join(dir, `seed${flag}.dcm`);
      execFileSync('dcmconv', [flag, source, target], { stdio: 'ignore' });
      files.push(readFileSync(target));
    }
  } catch {
    process.stderr.write('dcmconv is not installed: seeds from the synthetic writer only.\n');
  }
  return files;
}

/** Offsets of length fields in a little-endian data set (explicit VR, falling back to implicit), for blowing up. */
function lengthFields(file: Buffer): { offset: number; bytes: 2 | 4 }[] {
  const fields: { offset: number; bytes: 2 | 4 }[] = [];
  let at = 132;
  while (at + 8 <= file.length && fields.length < 200) {
    const vr = file.toString('latin1', at + 4, at + 6);
    if (/^[A-Z]{2}$/.test(vr)) {
      if (['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV'].includes(vr)) {
        fields.push({ offset: at + 8, bytes: 4 });
        const length = file.readUInt32LE(at + 8);
        if (vr === 'SQ' || length === 0xffffffff) break;
        at += 12 + length;
      } else {
        fields.push({ offset: at + 6, bytes: 2 });
        at += 8 + file.readUInt16LE(at + 6);
      }
    } else {
      fields.push({ offset: at + 4, bytes: 4 });
      const length = file.readUInt32LE(at + 4);
      if (length === 0xffffffff) break;
      at += 8 + length;
    }
  }
  return fields;
}

function withSop(seed: Buffer, n: number): Buffer {
  const copy = Buffer.from(seed);
  const from = Buffer.from(sopOf(0), 'latin1');
  const to = Buffer.from(sopOf(n), 'latin1');
  for (let at = copy.indexOf(from); at >= 0; at = copy.indexOf(from, at + 1)) to.copy(copy, at);
  return copy;
}

type Kind = 'bit-flip' | 'truncation' | 'length-blown-up' | 'deflate-bomb' | 'sparse-huge';
const KINDS: readonly (readonly [Kind, number])[] = [
  ['bit-flip', 0.42],
  ['truncation', 0.2],
  ['length-blown-up', 0.27],
  ['deflate-bomb', 0.1],
  ['sparse-huge', 0.01],
];

interface Variant {
  readonly n: number;
  readonly kind: Kind;
  readonly file: string;
  readonly sop: string;
  readonly size: number;
}

async function makeVariant(dir: string, seedFiles: readonly Buffer[], n: number): Promise<Variant> {
  let roll = random();
  let kind: Kind = 'bit-flip';
  for (const [candidate, share] of KINDS) {
    if (roll < share) {
      kind = candidate;
      break;
    }
    roll -= share;
  }
  const file = path.join(dir, `${String(n).padStart(4, '0')}-${kind}.dcm`);
  const sop = sopOf(n);
  const seed = withSop(pick(seedFiles), n);
  switch (kind) {
    case 'bit-flip': {
      // Mostly in the header, where the parser reads; sometimes anywhere.
      const span = random() < 0.8 ? Math.min(seed.length, dataSetOffset(seed) + 1024) : seed.length;
      for (let flips = 1 + below(24); flips > 0; flips--) seed[below(span)] ^= 1 << below(8);
      writeFileSync(file, seed);
      break;
    }
    case 'truncation':
      writeFileSync(file, seed.subarray(0, below(seed.length)));
      break;
    case 'length-blown-up': {
      const fields = lengthFields(seed);
      for (let times = 1 + below(3); times > 0 && fields.length > 0; times--) {
        const { offset, bytes } = pick(fields);
        const value = pick([0xffffffff, 0x7fffffff, 0xfffffffe, 0x40000000, seed.length * 2, 0x10000 + below(0xffff)]);
        if (bytes === 2) seed.writeUInt16LE(value & 0xffff || 0xffff, offset);
        else seed.writeUInt32LE(value >>> 0, offset);
      }
      writeFileSync(file, seed);
      break;
    }
    case 'deflate-bomb': {
      const spec = { studyInstanceUid: STUDY_UID, seriesInstanceUid: `${STUDY_UID}.9`, sopInstanceUid: sop, modality: 'SR' };
      const bomb = await deflateBomb(spec, pick([64, 256, 1024]) * 1024 ** 2, { headerFirst: random() < 0.7 });
      // Some with a bit flipped in the compressed stream: corrupt deflate as well as a bomb.
      if (random() < 0.2) bomb[bomb.length - 1 - below(Math.min(4096, bomb.length - 400))] ^= 1 << below(8);
      writeFileSync(file, bomb);
      break;
    }
    case 'sparse-huge': {
      // A header, then nothing written up to 1.5 GiB or 256 MiB: the file system keeps it sparse.
      const size = random() < 0.3 ? 1.5 * 1024 ** 3 : 256 * 1024 ** 2;
      const head = random() < 0.7 ? seed.subarray(0, dataSetOffset(seed) + below(seed.length - dataSetOffset(seed))) : seed.subarray(0, 132);
      const fd = openSync(file, 'w');
      writeSync(fd, head);
      ftruncateSync(fd, size);
      closeSync(fd);
      break;
    }
  }
  return { n, kind, file, sop, size: statSync(file).size };
}

// ---- runs --------------------------------------------------------------------------------------

/** Peak resident memory of a process so far (VmHWM), in bytes. */
function peakRss(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}

interface Tally {
  files: number;
  crashes: number;
  hangs: number;
  peak: number;
  slowestMs: number;
  readonly problems: string[];
  readonly outcomes: Map<string, number>;
  readonly byKind: Map<Kind, Map<string, number>>;
}
const newTally = (): Tally => ({ files: 0, crashes: 0, hangs: 0, peak: 0, slowestMs: 0, problems: [], outcomes: new Map(), byKind: new Map() });
function count(tally: Tally, variant: Variant, outcome: string): void {
  tally.files++;
  if (outcome === 'HANG' || outcome === 'CRASH') tally.problems.push(`${outcome} ${path.basename(variant.file)}`);
  tally.outcomes.set(outcome, (tally.outcomes.get(outcome) ?? 0) + 1);
  const kind = tally.byKind.get(variant.kind) ?? new Map<string, number>();
  kind.set(outcome, (kind.get(outcome) ?? 0) + 1);
  tally.byKind.set(variant.kind, kind);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function runImport(variants: readonly Variant[], dir: string): Promise<Tally> {
  const tally = newTally();
  let child: ChildProcess | null = null;
  let lines: AsyncIterator<string> | null = null;
  let reader: Interface | null = null;
  const start = async (): Promise<void> => {
    child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/bench/fuzz-import-child.ts'), path.join(dir, `index-${Date.now()}.sqlite`)], { stdio: ['pipe', 'pipe', 'ignore'], cwd: root });
    reader = createInterface({ input: child.stdout! });
    lines = reader[Symbol.asyncIterator]();
    if ((await lines.next()).value !== 'ready') throw new Error('The import child did not start.');
  };
  await start();
  for (const variant of variants) {
    const current = child as unknown as ChildProcess;
    const started = performance.now();
    current.stdin!.write(`${variant.file}\n`);
    let timer: NodeJS.Timeout | undefined;
    const answer = await Promise.race([
      lines!.next().then((next) => (next.done ? { crashed: true as const } : { line: next.value })),
      new Promise<{ hung: true }>((resolve) => (timer = setTimeout(() => resolve({ hung: true }), TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    tally.slowestMs = Math.max(tally.slowestMs, performance.now() - started);
    tally.peak = Math.max(tally.peak, peakRss(current.pid!));
    if ('line' in answer) {
      count(tally, variant, (JSON.parse(answer.line ?? '{}') as { outcome: string }).outcome);
      continue;
    }
    if ('hung' in answer) tally.hangs++;
    else tally.crashes++;
    count(tally, variant, 'hung' in answer ? 'HANG' : 'CRASH');
    current.kill('SIGKILL');
    reader!.close();
    await start();
  }
  const last = child as unknown as ChildProcess;
  tally.peak = Math.max(tally.peak, peakRss(last.pid!));
  last.stdin!.end();
  await once(last, 'exit');
  return tally;
}

function upload(hub: UploadHub, variant: Variant): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({
      host: '127.0.0.1',
      port: hub.port,
      method: 'PUT',
      path: `/api/studies/${hub.studyId}/files/${variant.sop}`,
      headers: { authorization: `Bearer ${hub.token}`, 'content-type': 'application/dicom', 'content-length': String(variant.size) },
      signal: AbortSignal.timeout(TIMEOUT_MS),
      // A connection per file: a refusal sent before the body ends closes it.
      agent: false,
    });
    outgoing.on('response', (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    // The hub may answer (a refusal) before the body is sent: that is an answer, not a failure.
    pipeline(createReadStream(variant.file), outgoing).catch(() => undefined);
  });
}

async function runHub(variants: readonly Variant[]): Promise<Tally> {
  const tally = newTally();
  let hub = await startUploadHub({ built: true });
  let probing = true;
  // GET /api/me every 100 ms while the files go in: the slowest answer says whether a file stalls the hub.
  const probe = (async () => {
    while (probing) {
      const started = performance.now();
      try {
        await fetch(`http://127.0.0.1:${hub.port}/api/me`, { headers: { authorization: `Bearer ${hub.token}` }, signal: AbortSignal.timeout(TIMEOUT_MS) }).then((r) => r.arrayBuffer());
        tally.slowestMs = Math.max(tally.slowestMs, performance.now() - started);
      } catch {
        // a restart in progress: counted as a crash by the loop below
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  for (const variant of variants) {
    let outcome: string;
    try {
      const { status, body } = await upload(hub, variant);
      const json = JSON.parse(body || '{}') as { outcome?: string; error?: { code?: string } };
      outcome = status === 201 ? (json.outcome ?? 'stored') : `${status} ${json.error?.code ?? 'no-code'}`;
    } catch (error) {
      outcome = (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError' ? 'HANG' : hub.process.exitCode !== null || hub.process.signalCode !== null ? 'CRASH' : `failed ${(error as NodeJS.ErrnoException).code ?? (error as Error).name}`;
    }
    tally.peak = Math.max(tally.peak, peakRss(hub.process.pid!));
    if (outcome === 'HANG') tally.hangs++;
    if (outcome === 'CRASH' || hub.process.exitCode !== null) {
      if (outcome !== 'CRASH') outcome = 'CRASH';
      tally.crashes++;
      hub = await startUploadHub({ built: true });
    }
    count(tally, variant, outcome);
    // Accepted files are not kept: the sparse ones are gigabytes once written.
    if (outcome === 'stored') for (const name of readdirSync(path.join(hub.blobDir, hub.studyId))) rmSync(path.join(hub.blobDir, hub.studyId, name), { force: true });
  }
  probing = false;
  await probe;
  tally.peak = Math.max(tally.peak, peakRss(hub.process.pid!));
  await hub.stop();
  rmSync(path.dirname(hub.blobDir), { recursive: true, force: true });
  return tally;
}

function report(title: string, tally: Tally, target: number, slowest: string): void {
  const mb = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MB`;
  process.stdout.write(`\n${title}: ${tally.files} files\n`);
  process.stdout.write(`  crashes ${tally.crashes}, hangs ${tally.hangs} (timeout ${TIMEOUT_MS / 1000} s)\n`);
  process.stdout.write(`  peak RSS ${mb(tally.peak)} (target ≤ ${mb(target)}: ${tally.peak <= target ? 'met' : 'MISSED'})\n`);
  process.stdout.write(`  ${slowest} ${Math.round(tally.slowestMs)} ms\n`);
  for (const problem of tally.problems) process.stdout.write(`  ${problem}\n`);
  process.stdout.write('  outcomes:\n');
  for (const [outcome, n] of [...tally.outcomes].sort((a, b) => b[1] - a[1])) process.stdout.write(`    ${String(n).padStart(5)}  ${outcome}\n`);
  process.stdout.write('  by mutation:\n');
  for (const [kind, outcomes] of tally.byKind) {
    process.stdout.write(`    ${kind}: ${[...outcomes].sort((a, b) => b[1] - a[1]).map(([o, n]) => `${o} ${n}`).join(', ')}\n`);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-fuzz-'));
  try {
    const seedFiles = seeds(dir);
    const variants: Variant[] = [];
    for (let n = 1; n <= COUNT; n++) variants.push(await makeVariant(dir, seedFiles, n));
    const kinds = new Map<Kind, number>();
    for (const variant of variants) kinds.set(variant.kind, (kinds.get(variant.kind) ?? 0) + 1);
    process.stdout.write(`${COUNT} variants of ${seedFiles.length} seed files: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
    const imported = await runImport(variants, dir);
    report('Import (desktop import module, child process)', imported, CLI_TARGET, 'slowest file');
    const hub = await runHub(variants);
    report('Hub upload route (bundled hub process, loopback)', hub, HUB_TARGET, 'slowest GET /api/me during the run');
    const ok = imported.crashes + imported.hangs + hub.crashes + hub.hangs === 0 && imported.peak <= CLI_TARGET && hub.peak <= HUB_TARGET;
    process.stdout.write(`\n${ok ? 'PASS' : 'FAIL'}: 0 crashes, 0 hangs, every file a reason, peak RSS within targets\n`);
    if (!ok) process.exitCode = 1;
  } finally {
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
