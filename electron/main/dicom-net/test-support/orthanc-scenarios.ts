/**
 * Scenarios against Orthanc, run by the tests inside a private network namespace (see
 * orthanc.ts): starts Orthanc and our listener side by side, runs our DICOM client and
 * listener code against it, and prints what happened as JSON on stdout.
 *
 *   node --import tsx orthanc-scenarios.ts <interop|many> <work folder> [count]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openIndexDatabase } from '../../db/connection';
import { CT_IMAGE_STORAGE, MR_IMAGE_STORAGE, testUid, writeInstance } from '../../dicom-write/synthetic-study';
import { DicomNetError, echo, findSeries, findStudies, get, move, storeFiles, type RemoteStudy } from '../dicom-client';
import { EventBus } from '../../api/event-bus';
import { DicomListener } from '../dicom-listener';
import { DicomNetService } from '../dicom-net-service';
import { ReceivedInstances } from '../received-instances';
import { runTool } from './dcmtk';
import { startOrthanc } from './orthanc';

const ORTHANC = { aeTitle: 'ORTHANC', host: '127.0.0.1', port: 4242 };
const OURS = { aeTitle: 'STUDYSHARE', port: 11112 };
const client = { callingAeTitle: OURS.aeTitle, connectTimeoutMs: 5000 };

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string } | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    return error instanceof DicomNetError ? { code: error.code, message: error.message } : { code: 'other', message: String(error) };
  }
}

function writeCorpus(folder: string): string[] {
  mkdirSync(folder, { recursive: true });
  const files: string[] = [];
  const studies = [
    { n: 1, name: 'DOE^JOHN', id: 'P-1', date: '20240315', accession: 'A-1001', modality: 'CT' },
    { n: 2, name: 'DOE^JOHN', id: 'P-1', date: '20230110', accession: 'A-0900', modality: 'MR' },
    { n: 3, name: 'ROE^JANE', id: 'P-2', date: '20240320', accession: 'A-1002', modality: 'CT' },
  ];
  for (const study of studies) {
    for (let series = 1; series <= 2; series++) {
      for (let i = 1; i <= 5; i++) {
        const file = path.join(folder, `${study.n}-${series}-${i}.dcm`);
        writeFileSync(
          file,
          writeInstance({
            patientName: study.name,
            patientId: study.id,
            studyInstanceUid: testUid(800, study.n),
            seriesInstanceUid: testUid(800, study.n, series),
            sopInstanceUid: testUid(800, study.n, series, i),
            seriesNumber: series,
            instanceNumber: i,
            studyDate: study.date,
            accessionNumber: study.accession,
            modality: study.modality,
            sopClassUid: study.modality === 'CT' ? CT_IMAGE_STORAGE : MR_IMAGE_STORAGE,
            studyDescription: `Study ${study.n}`,
          }),
        );
        files.push(file);
      }
    }
  }
  return files;
}

async function interop(dir: string): Promise<unknown> {
  const orthanc = await startOrthanc({
    dir: path.join(dir, 'orthanc'),
    dicomPort: ORTHANC.port,
    httpPort: 8042,
    modalities: { studyshare: [OURS.aeTitle, '127.0.0.1', OURS.port] },
  });
  const db = openIndexDatabase(path.join(dir, 'index.sqlite'));
  const library = path.join(dir, 'library');
  const listener = new DicomListener(db, library);
  await listener.start({ port: OURS.port, aeTitle: OURS.aeTitle, allowedAeTitles: [], allowedAddresses: [] });
  try {
    const echoed = await echo(ORTHANC, client);
    const wrongCalled = await errorOf(echo({ ...ORTHANC, aeTitle: 'NOT_ORTHANC' }, client));
    const files = writeCorpus(path.join(dir, 'corpus'));
    const sent = await storeFiles(ORTHANC, files, client);
    const statistics = (await (await fetch(`${orthanc.url}/statistics`)).json()) as { CountInstances: number };

    const find = async (query: Parameters<typeof findStudies>[1]): Promise<RemoteStudy[]> => {
      const found: RemoteStudy[] = [];
      await findStudies(ORTHANC, query, { ...client, onMatch: (study) => found.push(study) });
      return found.sort((a, b) => a.studyDate.localeCompare(b.studyDate));
    };
    const byName = await find({ patientName: 'DOE*' });
    const byId = await find({ patientId: 'P-2' });
    const byDate = await find({ studyDate: '20240101-20241231' });
    const byModality = await find({ modality: 'MR' });
    const byAccession = await find({ accessionNumber: 'A-1001' });
    const series: unknown[] = [];
    await findSeries(ORTHANC, testUid(800, 1), { ...client, onMatch: (s) => series.push(s) });

    const count = (sql: string, ...params: unknown[]): number => (db.prepare(sql).get(...params) as { n: number }).n;
    const moved = await move(ORTHANC, OURS.aeTitle, { studyUid: testUid(800, 1) }, client);
    const afterMove = count('SELECT count(*) AS n FROM instances');
    const movedSeries = await move(ORTHANC, OURS.aeTitle, { studyUid: testUid(800, 3), seriesUid: testUid(800, 3, 2) }, client);
    const afterSeriesMove = count('SELECT count(*) AS n FROM instances');
    const unknownDestination = await errorOf(move(ORTHANC, 'NOBODY', { studyUid: testUid(800, 1) }, client));

    const received = new ReceivedInstances(db, library);
    const outcomes: string[] = [];
    const got = await get(ORTHANC, { studyUid: testUid(800, 2) }, received, { ...client, onOutcome: (o) => outcomes.push(o.kind) });
    const afterGet = count('SELECT count(*) AS n FROM instances');
    const gotAgain = await get(ORTHANC, { studyUid: testUid(800, 2), seriesUid: testUid(800, 2, 1) }, received, { ...client, onOutcome: (o) => outcomes.push(o.kind) });
    const studiesIndexed = db.prepare('SELECT study_uid AS uid, instance_count AS n FROM studies ORDER BY study_uid').all();
    return {
      echoed: echoed.milliseconds >= 0,
      wrongCalled,
      sent: sent.map((r) => r.outcome),
      orthancInstances: statistics.CountInstances,
      byName: byName.map((s) => [s.patientName, s.studyDate, s.modalities, s.seriesCount, s.instanceCount]),
      byId: byId.map((s) => s.patientName),
      byDate: byDate.map((s) => s.accessionNumber),
      byModality: byModality.map((s) => s.accessionNumber),
      byAccession: byAccession.map((s) => s.studyUid),
      series: series.length,
      moved,
      afterMove,
      movedSeries,
      afterSeriesMove,
      unknownDestination,
      got,
      gotAgain,
      afterGet,
      outcomes,
      studiesIndexed,
    };
  } finally {
    await listener.stop();
    db.close();
    await orthanc.stop();
  }
}

/**
 * `count` one-instance studies in Orthanc, then searched the way the app searches (the
 * service's query job, its pages of 100 as the Query dialog reads them, its cap on matches kept,
 * set here below `count` so the cap is reached), read straight through by the client, and a
 * search cancelled part-way.
 */
async function many(dir: string, total: number): Promise<unknown> {
  // Orthanc's index and storage in memory: loading on disk is minutes of fsyncs that this test is not about.
  const memory = mkdtempSync('/dev/shm/studyshare-orthanc-');
  const orthanc = await startOrthanc({ dir: memory, dicomPort: ORTHANC.port, httpPort: 8042 });
  const db = openIndexDatabase(path.join(dir, 'index.sqlite'));
  const cap = Math.floor(total * 0.8);
  const service = new DicomNetService({ db, bus: new EventBus(), libraryDir: path.join(dir, 'library'), actor: () => 'Test', queryCap: cap });
  try {
    const folder = path.join(dir, 'many');
    mkdirSync(folder, { recursive: true });
    const parts = 4;
    const lists: string[][] = Array.from({ length: parts }, () => []);
    for (let i = 0; i < total; i++) {
      const file = path.join(folder, `${i}.dcm`);
      // Dates spread over a year, so the newest-first order of the pages is checked.
      const date = new Date(Date.UTC(2024, 0, 1) + (i % 365) * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
      writeFileSync(file, writeInstance({ patientName: `MANY^P${i}`, patientId: `M${i}`, studyInstanceUid: testUid(900, i), seriesInstanceUid: testUid(900, i, 1), sopInstanceUid: testUid(900, i, 1, 1), studyDate: date, rows: 0 }));
      lists[i % parts].push(file);
    }
    // Loaded with DCMTK's storescu, four associations at once (the fastest way in).
    const loadStarted = performance.now();
    await Promise.all(lists.map((list) => runTool('storescu', ['-aet', 'LOADER', '-aec', ORTHANC.aeTitle, '127.0.0.1', String(ORTHANC.port), '+sd', ...list], 600_000)));
    const loadSeconds = (performance.now() - loadStarted) / 1000;

    // Read whole by the client.
    let all = 0;
    const started = performance.now();
    await findStudies(ORTHANC, { patientName: 'MANY*' }, { ...client, onMatch: () => all++ });
    const fullSeconds = (performance.now() - started) / 1000;

    // As the app searches: a job, its pages, its cap.
    const node = service.saveNode({ name: 'Orthanc', aeTitle: ORTHANC.aeTitle, host: ORTHANC.host, port: ORTHANC.port, retrieve: 'get' });
    const waitJob = async (jobId: string, until: (done: number, state: string) => boolean): Promise<void> => {
      for (;;) {
        const job = service.status().jobs.find((j) => j.id === jobId);
        if (job !== undefined && until(job.done, job.state)) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const { jobId } = service.query({ nodeId: node.id, patientName: 'MANY' });
    await waitJob(jobId, (_done, state) => state !== 'running');
    const pages: { total: number; rows: number; dates: string[]; uids: string[] } = { total: 0, rows: 0, dates: [], uids: [] };
    for (let offset = 0; ; offset += 100) {
      const page = service.queryPage({ jobId, offset, limit: 100 });
      pages.total = page.total;
      if (page.rows.length === 0) break;
      pages.rows += page.rows.length;
      for (const row of page.rows) {
        pages.dates.push(row.studyDate);
        pages.uids.push(row.studyUid);
      }
    }
    const first = service.queryPage({ jobId, offset: 0, limit: 100 });
    const paged = {
      state: first.job.state,
      message: first.job.message,
      total: pages.total,
      rows: pages.rows,
      distinct: new Set(pages.uids).size,
      newestFirst: pages.dates.every((date, n) => n === 0 || pages.dates[n - 1] >= date),
    };

    // Cancelled part-way, through the client and through the service.
    const controller = new AbortController();
    let partial = 0;
    const cancelStarted = performance.now();
    const cancelled = await errorOf(
      findStudies(ORTHANC, { patientName: 'MANY*' }, {
        ...client,
        signal: controller.signal,
        onMatch: () => {
          partial++;
          if (partial === 100) controller.abort();
        },
      }),
    );
    const cancelSeconds = (performance.now() - cancelStarted) / 1000;
    const second = service.query({ nodeId: node.id, patientName: 'MANY' });
    await waitJob(second.jobId, (done) => done >= 100);
    service.cancel(second.jobId);
    await waitJob(second.jobId, (_done, state) => state !== 'running');
    const afterCancel = service.queryPage({ jobId: second.jobId, offset: 0, limit: 100 });
    const serviceCancel = { state: afterCancel.job.state, message: afterCancel.job.message, kept: afterCancel.total };
    return { all, fullSeconds, cap, paged, partial, cancelled, cancelSeconds, serviceCancel, loadSeconds };
  } finally {
    await service.close();
    db.close();
    await orthanc.stop();
    rmSync(memory, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [scenario, dir, count] = process.argv.slice(2);
  mkdirSync(dir, { recursive: true });
  const result = scenario === 'interop' ? await interop(dir) : scenario === 'many' ? await many(dir, Number(count ?? 2500)) : null;
  if (result === null) throw new Error(`unknown scenario ${scenario}`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
