/**
 * bench:dimse — DICOM networking figures (issue 17), against real peers in one private network
 * namespace (Orthanc listens on every interface, so the whole bench re-runs itself inside
 * `unshare -n` with loopback up; nothing outside can reach any of the servers):
 *
 *   - receive: storescu → our listener, 5,000 instances of 50 studies (the import bench's shape,
 *     128×128 16-bit, uncompressed little/big endian), over one association and over four at
 *     once, each into an empty library and index; and the same corpus into Orthanc by C-STORE;
 *   - send: our C-STORE SCU → storescp and → Orthanc, and Orthanc's own
 *     `/modalities/<id>/store` of the same studies → the same storescp;
 *   - retrieve: 1,000 instances from Orthanc by C-MOVE (to our listener) and by C-GET.
 *
 *   - the disk's flush floor: the same-sized write made durable (O_DSYNC, overwriting blocks a
 *     file already owns, as the receive journal does), 1,000 times in a row — what one instance
 *     acknowledged over one association costs at least, whoever receives it.
 *
 *   npm run bench:dimse [-- --studies 50 --per-study 100 --size 128 --only receive|send|retrieve]
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { closeSync, constants, existsSync, fdatasyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { TRANSFER_SYNTAX } from '../../shared/dicom/transfer-syntax';
import { openIndexDatabase } from '../../electron/main/db/connection';
import { testUid, writeInstance } from '../../electron/main/dicom-write/synthetic-study';
import { get, move, SEND_BATCH, storeFiles } from '../../electron/main/dicom-net/dicom-client';
import { DicomListener } from '../../electron/main/dicom-net/dicom-listener';
import { ReceivedInstances } from '../../electron/main/dicom-net/received-instances';
import { runTool, startTool, waitForPort } from '../../electron/main/dicom-net/test-support/dcmtk';
import { startOrthanc } from '../../electron/main/dicom-net/test-support/orthanc';

const { values } = parseArgs({
  options: {
    studies: { type: 'string', default: '50' },
    'per-study': { type: 'string', default: '100' },
    size: { type: 'string', default: '128' },
    /** One part only (Orthanc's receive, the reference, always runs: it also loads Orthanc). */
    only: { type: 'string', default: 'all' },
    inside: { type: 'boolean', default: false },
  },
});
if (!['all', 'receive', 'send', 'retrieve'].includes(values.only)) throw new Error(`--only takes receive, send or retrieve, not ${values.only}`);
const part = (name: 'receive' | 'send' | 'retrieve'): boolean => values.only === 'all' || values.only === name;

if (!values.inside) {
  // Re-run inside a private network namespace with loopback up.
  const self = [process.execPath, '--import', 'tsx', import.meta.filename, '--inside', ...process.argv.slice(2)].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  // DCMTK as Debian builds it (storescu, storescp, and Orthanc's DICOM server) keeps Nagle's
  // algorithm on unless TCP_NODELAY=1: with delayed ACKs each instance then waits ~40 ms on
  // loopback (11 instances/s measured), which would measure TCP, not the peers.
  const result = spawnSync('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec ${self}`], { stdio: 'inherit', env: { ...process.env, TCP_NODELAY: '1' } });
  process.exit(result.status ?? 1);
}

const studies = Number(values.studies);
const perStudy = Number(values['per-study']);
const size = Number(values.size);
const work = path.resolve('.bench/dimse');
const corpus = path.join(work, `corpus-${studies}x${perStudy}-${size}`);
const OURS = { aeTitle: 'STUDYSHARE', port: 11112 };
const ORTHANC = { aeTitle: 'ORTHANC', host: '127.0.0.1', port: 4242 };
const STORESCP = { aeTitle: 'STORESCP', host: '127.0.0.1', port: 11113 };
const client = { callingAeTitle: OURS.aeTitle };
/** Paired rounds of the one-association receive (ours, then Orthanc's, or the other way round). */
const ROUNDS = 5;

function makeCorpus(): string[][] {
  if (!existsSync(`${corpus}.complete`)) {
    rmSync(corpus, { recursive: true, force: true });
    // Uncompressed only: storescu offers the uncompressed syntaxes by default (the import bench's
    // synthetic JPEG 2000 is not a real codestream, which storescu would refuse to convert).
    const syntaxes = [TRANSFER_SYNTAX.explicitLittleEndian, TRANSFER_SYNTAX.implicitLittleEndian, TRANSFER_SYNTAX.explicitLittleEndian, TRANSFER_SYNTAX.explicitBigEndian];
    for (let st = 1; st <= studies; st++) {
      const folder = path.join(corpus, `P${st}`);
      mkdirSync(folder, { recursive: true });
      for (let i = 0; i < perStudy; i++) {
        const se = (i % 4) + 1;
        writeFileSync(
          path.join(folder, `IM${String(i + 1).padStart(5, '0')}.dcm`),
          writeInstance(
            {
              specificCharacterSet: 'ISO_IR 100',
              patientName: `Bench${st}^Patient`,
              patientId: `BENCH${st}`,
              studyInstanceUid: testUid(950, st),
              studyDate: '20240101',
              accessionNumber: `ACC${st}`,
              studyDescription: 'CT Thorax Abdomen',
              seriesInstanceUid: testUid(950, st, se),
              modality: 'CT',
              seriesNumber: se,
              sopInstanceUid: testUid(950, st, se, i + 1),
              instanceNumber: i + 1,
              rows: size,
              columns: size,
            },
            { transferSyntaxUid: syntaxes[(st + i) % syntaxes.length] },
          ),
        );
      }
    }
    writeFileSync(`${corpus}.complete`, '');
  }
  return Array.from({ length: studies }, (_, n) => {
    const folder = path.join(corpus, `P${n + 1}`);
    return readdirSync(folder).sort().map((name) => path.join(folder, name));
  });
}

/**
 * The load average as `uptime` prints it, beside every figure: this machine is shared, and a
 * figure taken at load 15 on two cores says little alone (the ratio to the peer's, taken in the
 * same run, says more).
 */
const load = (): string => `load ${loadavg().map((value) => value.toFixed(2)).join(', ')}`;

/** Each figure with Orthanc's (or DCMTK's, against Orthanc) beside it, printed again at the end. */
const table: { figure: string; ours: string; peer: string; ratio: string; load: string }[] = [];
function beside(figure: string, ours: number, peer: number | null, unit: 'instances/s' | 's', loadThen: string = load()): void {
  const show = (value: number): string => (unit === 's' ? `${value.toFixed(1)} s` : `${Math.round(value)}/s`);
  // For rates more is better; for seconds less is: the ratio says how many times Orthanc's pace ours is.
  const ratio = peer === null ? '—' : `${(unit === 's' ? peer / ours : ours / peer).toFixed(2)}×`;
  table.push({ figure, ours: show(ours), peer: peer === null ? '—' : show(peer), ratio, load: loadThen });
}

const rate = (count: number, seconds: number): string => `${count} instances in ${seconds.toFixed(2)} s = ${Math.round(count / seconds)} instances/s (${load()})`;

/**
 * The disk's floor for one acknowledged instance: a write of `bytes` made durable, as the
 * receive journal makes it (O_DSYNC into a preallocated file), 1,000 times one after the other.
 */
function flushFloor(bytes: number): { median: number; mean: number; p90: number } {
  const file = path.join(work, 'flush-floor.bin');
  const size = 64 << 20;
  let fd = openSync(file, 'w');
  const zeros = Buffer.alloc(1 << 20);
  for (let at = 0; at < size; at += zeros.length) writeSync(fd, zeros, 0, zeros.length, at);
  fdatasyncSync(fd);
  closeSync(fd);
  fd = openSync(file, constants.O_RDWR | constants.O_DSYNC);
  const record = Buffer.alloc(bytes, 7);
  const times: number[] = [];
  for (let n = 0, at = 4096; n < 1000; n++, at += record.length) {
    const started = performance.now();
    writeSync(fd, record, 0, record.length, at);
    times.push(performance.now() - started);
  }
  closeSync(fd);
  rmSync(file);
  times.sort((a, b) => a - b);
  return { median: times[500], mean: times.reduce((a, b) => a + b, 0) / times.length, p90: times[900] };
}

/** storescu over `associations` parallel associations, each sending a share of the studies. */
async function storescu(target: { aeTitle: string; port: number }, byStudy: string[][], associations: number): Promise<number> {
  const shares: string[][] = Array.from({ length: associations }, () => []);
  byStudy.forEach((files, n) => shares[n % associations].push(...files));
  const started = performance.now();
  const results = await Promise.all(shares.map((files) => runTool('storescu', ['-aet', 'BENCHSCU', '-aec', target.aeTitle, '127.0.0.1', String(target.port), ...files], 1_800_000)));
  const seconds = (performance.now() - started) / 1000;
  for (const result of results) if (result.code !== 0) throw new Error(`storescu failed: ${result.stderr.slice(-500)}`);
  return seconds;
}

/** A listener on an empty library and index, for one figure. */
async function openListenerRun(name: string): Promise<{ expectIndexed(count: number): void; close(): Promise<void> }> {
  const dir = path.join(work, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const db = openIndexDatabase(path.join(dir, 'index.sqlite'));
  const listener = new DicomListener(db, path.join(dir, 'library'));
  await listener.start({ port: OURS.port, aeTitle: OURS.aeTitle, allowedAeTitles: [], allowedAddresses: [] });
  return {
    expectIndexed(count) {
      const indexed = (db.prepare('SELECT count(*) AS n FROM instances').get() as { n: number }).n;
      if (indexed !== count) throw new Error(`${indexed} of ${count} indexed`);
    },
    async close() {
      await listener.stop();
      db.close();
    },
  };
}

async function receiveIntoListener(byStudy: string[][], associations: number): Promise<{ text: string; perSecond: number; load: string }> {
  const run = await openListenerRun(`receive-${associations}`);
  try {
    const seconds = await storescu(OURS, byStudy, associations);
    const total = byStudy.flat().length;
    run.expectIndexed(total);
    return { text: rate(total, seconds), perSecond: total / seconds, load: load() };
  } finally {
    await run.close();
  }
}

/** Sends as the app does: associations of SEND_BATCH files one after the other. */
async function send(node: { aeTitle: string; host: string; port: number }, files: readonly string[]): Promise<number> {
  const started = performance.now();
  for (let start = 0; start < files.length; start += SEND_BATCH) {
    const results = await storeFiles(node, files.slice(start, start + SEND_BATCH), client);
    if (results.some((r) => r.outcome !== 'sent')) throw new Error(`send to ${node.aeTitle} failed`);
  }
  return (performance.now() - started) / 1000;
}

async function orthancJson(url: string, init?: RequestInit): Promise<unknown> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function main(): Promise<void> {
  rmSync(path.join(work, 'run'), { recursive: true, force: true });
  const byStudy = makeCorpus();
  const total = byStudy.flat().length;
  console.log(`corpus: ${total} instances in ${studies} studies (${size}×${size} 16-bit, uncompressed)`);

  // Every file read once, so neither receiver's first round pays for storescu's cold reads.
  for (const file of byStudy.flat()) readFileSync(file);

  // Receive.
  const floor = flushFloor(statSync(byStudy[0][0]).size + 200);
  const floorText = `median ${floor.median.toFixed(2)} ms, mean ${floor.mean.toFixed(2)} ms, p90 ${floor.p90.toFixed(2)} ms`;
  console.log(`flush floor, one instance's bytes made durable (O_DSYNC overwrite), 1,000 in a row: ${floorText} (${load()})`);

  const orthancDir = path.join(work, 'orthanc');
  rmSync(orthancDir, { recursive: true, force: true });
  const orthanc = await startOrthanc({
    dir: orthancDir,
    dicomPort: ORTHANC.port,
    httpPort: 8042,
    modalities: { studyshare: [OURS.aeTitle, '127.0.0.1', OURS.port], storescp: [STORESCP.aeTitle, '127.0.0.1', STORESCP.port] },
  });
  const storescpDir = path.join(work, 'storescp');
  const storescp = (() => {
    rmSync(storescpDir, { recursive: true, force: true });
    mkdirSync(storescpDir, { recursive: true });
    return startTool('storescp', ['-aet', STORESCP.aeTitle, '-od', storescpDir, String(STORESCP.port)]);
  })();
  try {
    await waitForPort(STORESCP.port);
    // One association, ours and Orthanc's in paired rounds (a fifth of the corpus each, who goes
    // first alternating): on this shared machine the disk's flush time moves by 2–3× within
    // minutes, so a figure is set only beside the peer's taken seconds apart.
    const rounds = Math.min(ROUNDS, studies);
    let oursSeconds = 0;
    let orthancSeconds = 0;
    // The same from the third round on: a listener past its first instances (V8 still optimising,
    // a fresh library), printed beside the figure — the figure itself is every round's.
    const warm = { count: 0, ours: 0, orthanc: 0 };
    const listenerRun = part('receive') ? await openListenerRun('receive-1') : null;
    try {
      for (let round = 0; round < rounds; round++) {
        const share = byStudy.filter((_, n) => n % rounds === round);
        const count = share.flat().length;
        const timeOurs = async (): Promise<number> => (listenerRun ? storescu(OURS, share, 1) : 0);
        const timeOrthanc = (): Promise<number> => storescu(ORTHANC, share, 1);
        let ours: number;
        let theirs: number;
        if (round % 2 === 0) {
          ours = await timeOurs();
          theirs = await timeOrthanc();
        } else {
          theirs = await timeOrthanc();
          ours = await timeOurs();
        }
        oursSeconds += ours;
        orthancSeconds += theirs;
        if (round >= 2) {
          warm.count += count;
          warm.ours += ours;
          warm.orthanc += theirs;
        }
        if (listenerRun) console.log(`receive, 1 association, round ${round + 1} of ${rounds}: ours ${rate(count, ours)}; Orthanc ${Math.round(count / theirs)}/s; ${(theirs / ours).toFixed(2)}×`);
        else console.log(`receive, Orthanc 1.10, storescu over 1 association, round ${round + 1}: ${rate(count, theirs)}`);
      }
      if (listenerRun) listenerRun.expectIndexed(total);
    } finally {
      await listenerRun?.close();
    }
    console.log(`receive, Orthanc 1.10, storescu over 1 association: ${rate(total, orthancSeconds)}`);
    if (listenerRun) {
      console.log(`receive, ours, storescu over 1 association: ${rate(total, oursSeconds)}`);
      beside('receive, storescu, 1 association (target ≥ 2× Orthanc; paired rounds)', total / oursSeconds, total / orthancSeconds, 'instances/s');
      if (warm.count > 0) {
        console.log(`receive, 1 association, from the third round (not the figure): ours ${Math.round(warm.count / warm.ours)}/s, Orthanc ${Math.round(warm.count / warm.orthanc)}/s, ${(warm.orthanc / warm.ours).toFixed(2)}×`);
      }
      const ours4 = await receiveIntoListener(byStudy, 4);
      console.log(`receive, ours, storescu over 4 associations: ${ours4.text}`);
      beside('receive, storescu, 4 associations (Orthanc: its 1-association rate)', ours4.perSecond, total / orthancSeconds, 'instances/s', ours4.load);
      // A rate over one association can be no more than one flush per instance allows.
      console.log(`one association at the flush floor alone (our code and the peer's turn taken as free): at most ${Math.round(1000 / floor.mean)}/s (mean), ${Math.round(1000 / floor.median)}/s (median)`);
    }
    const files = byStudy.flat();
    if (part('send')) await sendFigures(files, orthancSeconds);
    if (part('retrieve')) await retrieveFigures();
    console.log('\nfigure | ours | Orthanc (or DCMTK against Orthanc) | ours ÷ theirs (pace) | load average');
    for (const row of table) console.log(`${row.figure} | ${row.ours} | ${row.peer} | ${row.ratio} | ${row.load}`);
    console.log(`flush floor (O_DSYNC, one instance's bytes): ${floorText}`);
    console.log(`targets: receive over 1 association ≥ 2× Orthanc's; send ≥ Orthanc's /modalities/<id>/store`);
  } finally {
    storescp.kill('SIGTERM');
    await orthanc.stop();
  }

  async function sendFigures(files: string[], orthancSeconds: number): Promise<void> {
    // Send.
    let seconds = await send(STORESCP, files);
    console.log(`send, ours → storescp: ${rate(files.length, seconds)}`);
    const oursToStorescp = files.length / seconds;
    rmSync(storescpDir, { recursive: true, force: true });
    mkdirSync(storescpDir, { recursive: true });

    const orthancStudies = (await orthancJson(`${orthanc.url}/studies`)) as string[];
    const started = performance.now();
    await orthancJson(`${orthanc.url}/modalities/storescp/store`, { method: 'POST', body: JSON.stringify({ Resources: orthancStudies, Synchronous: true }) });
    seconds = (performance.now() - started) / 1000;
    console.log(`send, Orthanc /modalities/storescp/store → storescp: ${rate(total, seconds)}`);
    beside('send → storescp (target ≥ Orthanc’s /modalities/<id>/store)', oursToStorescp, total / seconds, 'instances/s');

    // Orthanc already holds the corpus: delete it, then time our send into the empty Orthanc.
    for (const id of orthancStudies) await fetch(`${orthanc.url}/studies/${id}`, { method: 'DELETE' });
    seconds = await send(ORTHANC, files);
    console.log(`send, ours → Orthanc: ${rate(files.length, seconds)}`);
    beside('send → Orthanc (Orthanc: storescu → Orthanc)', files.length / seconds, total / orthancSeconds, 'instances/s');
  }

  async function retrieveFigures(): Promise<void> {
    let started: number;

    // Retrieve 1,000 instances (ten studies) by C-MOVE to our listener, then by C-GET.
    const tenStudies = Array.from({ length: Math.min(10, studies) }, (_, n) => testUid(950, n + 1));
    const retrieveDir = path.join(work, 'retrieve');
    rmSync(retrieveDir, { recursive: true, force: true });
    mkdirSync(retrieveDir, { recursive: true });
    const moveDb = openIndexDatabase(path.join(retrieveDir, 'move.sqlite'));
    const listener = new DicomListener(moveDb, path.join(retrieveDir, 'move-library'));
    await listener.start({ port: OURS.port, aeTitle: OURS.aeTitle, allowedAeTitles: [], allowedAddresses: [] });
    started = performance.now();
    let moved = 0;
    for (const studyUid of tenStudies) moved += (await move(ORTHANC, OURS.aeTitle, { studyUid }, client)).completed;
    const moveSeconds = (performance.now() - started) / 1000;
    await listener.stop();
    const movedIndexed = (moveDb.prepare('SELECT count(*) AS n FROM instances').get() as { n: number }).n;
    moveDb.close();
    console.log(`retrieve by C-MOVE from Orthanc: ${moved} instances (${movedIndexed} indexed) in ${moveSeconds.toFixed(2)} s (${load()})`);

    const getDb = openIndexDatabase(path.join(retrieveDir, 'get.sqlite'));
    const received = new ReceivedInstances(getDb, path.join(retrieveDir, 'get-library'));
    // As the app's retrieval job does before a C-GET: the journal's segments ready.
    await received.prepare();
    started = performance.now();
    let got = 0;
    for (const studyUid of tenStudies) got += (await get(ORTHANC, { studyUid }, received, client)).completed;
    const getSeconds = (performance.now() - started) / 1000;
    await received.settle();
    const gotIndexed = (getDb.prepare('SELECT count(*) AS n FROM instances').get() as { n: number }).n;
    getDb.close();
    console.log(`retrieve by C-GET from Orthanc: ${got} instances (${gotIndexed} indexed) in ${getSeconds.toFixed(2)} s (${load()})`);

    // The same retrievals by DCMTK (movescu to storescp, getscu), for a figure beside ours.
    // storescp's folder emptied first: it refuses an instance whose file it already has.
    rmSync(storescpDir, { recursive: true, force: true });
    mkdirSync(storescpDir, { recursive: true });
    const dcmtkDir = path.join(retrieveDir, 'getscu');
    mkdirSync(dcmtkDir, { recursive: true });
    started = performance.now();
    for (const studyUid of tenStudies) {
      const result = await runTool('movescu', ['-aet', 'STORESCP', '-aec', ORTHANC.aeTitle, '-aem', STORESCP.aeTitle, '-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${studyUid}`, '127.0.0.1', String(ORTHANC.port)], 600_000);
      if (result.code !== 0) throw new Error(`movescu failed: ${result.stderr.slice(-300)}`);
    }
    const movescuSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    for (const studyUid of tenStudies) {
      const result = await runTool('getscu', ['-aet', 'GETSCU', '-aec', ORTHANC.aeTitle, '-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${studyUid}`, '-od', dcmtkDir, '127.0.0.1', String(ORTHANC.port)], 600_000);
      if (result.code !== 0) throw new Error(`getscu failed: ${result.stderr.slice(-300)}`);
    }
    const getscuSeconds = (performance.now() - started) / 1000;
    console.log(`retrieve by DCMTK from Orthanc: movescu (to storescp) ${movescuSeconds.toFixed(2)} s, getscu ${getscuSeconds.toFixed(2)} s (${load()})`);
    beside('retrieve 1,000 by C-MOVE (DCMTK: movescu → storescp)', moveSeconds, movescuSeconds, 's');
    beside('retrieve 1,000 by C-GET (DCMTK: getscu)', getSeconds, getscuSeconds, 's');
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
