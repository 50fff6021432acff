/**
 * bench:hub-processes — one hub process against two on the same PostgreSQL database, under the
 * same mixed load: 50 concurrent clients (in a worker thread), each signed in as its own user,
 * doing 4 reads (who am I, my worklists, a change-feed page, the hub's description) for every
 * write (publishing a study through the operations API). Prints requests/s for one process, for
 * two (clients spread over both), and the ratio.
 *
 * On this 2-core machine the two hub processes, PostgreSQL and the load generator share two
 * cores, so the ratio is bounded well below 2: what it shows is that a second process adds
 * throughput rather than contention, not how a site's servers would scale.
 *
 *   npm run bench:hub-processes [-- --clients 50 --seconds 10 --database postgres://…]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { freePort } from '../../electron/main/net/free-port';
import { startThrowawayCluster, type ThrowawayCluster } from '../../server/test-support/postgres-cluster';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    database: { type: 'string', default: process.env.HUB_DATABASE_URL },
  },
});
const clients = Number(values.clients);
const seconds = Number(values.seconds);
const ROOT = path.resolve(import.meta.dirname, '../..');
const PASSWORD = 'bench password long enough';

interface HubProcess {
  readonly url: string;
  readonly setupCode: string | null;
  stop(): Promise<void>;
}

async function startHub(databaseUrl: string, dataDir: string): Promise<HubProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'server/server.ts'), '--port', String(port), '--data', dataDir, '--database', databaseUrl, '--public-url', url],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let waited = 0; !/hub: listening on /.test(stderr); waited += 50) {
    if (child.exitCode !== null || waited > 60_000) throw new Error(`the hub did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    setupCode: /first-run setup code: (\S+)/.exec(stderr)?.[1] ?? null,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function call<T>(url: string, method: string, pathname: string, token: string | null, body?: unknown): Promise<T> {
  const response = await fetch(url + pathname, {
    method,
    headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${pathname}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** The load, plain JavaScript for the worker: each client loops write, read ×4 until time is up, on the hub given for it. */
const LOAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { randomUUID } = require('node:crypto');
const { urls, tokens, seconds } = workerData;
let done = 0, failed = 0;
const until = Date.now() + seconds * 1000;
async function loop(client) {
  const url = urls[client % urls.length];
  const headers = { authorization: 'Bearer ' + tokens[client] };
  for (let i = 0; Date.now() < until; i++) {
    let response;
    switch (i % 5) {
      case 0: {
        const uid = '1.2.826.0.1.3680043.10.9.' + client + '.' + i;
        const study = { studyInstanceUid: uid, patientName: 'Bench^' + client, patientId: 'B' + client, patientBirthDate: null, studyDate: '20261130', studyTime: null, patientSex: null, accessionNumber: 'A' + client + '-' + i, studyDescription: 'CT Bench', referringPhysicianName: null, institutionName: null, modalities: ['CT'], seriesCount: 1, instanceCount: 1 };
        response = await fetch(url + '/api/operations', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ operations: [{ id: randomUUID(), kind: 'study.publish', study, private: false }] }) });
        break;
      }
      case 1: response = await fetch(url + '/api/me', { headers }); break;
      case 2: response = await fetch(url + '/api/worklists', { headers }); break;
      case 3: response = await fetch(url + '/api/changes?after=0&limit=50', { headers }); break;
      default: response = await fetch(url + '/api/hub'); break;
    }
    await response.arrayBuffer();
    if (response.ok) done++; else failed++;
  }
}
Promise.all(Array.from({ length: tokens.length }, (_, c) => loop(c))).then(() => parentPort.postMessage({ done, failed }));
`;

function load(urls: readonly string[], tokens: readonly string[]): Promise<{ done: number; failed: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD, { eval: true, workerData: { urls, tokens, seconds } });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function main(): Promise<void> {
  let cluster: ThrowawayCluster | null = null;
  let base = values.database;
  if (base === undefined) {
    cluster = await startThrowawayCluster({ sharedBuffers: '256MB' });
    base = cluster.url;
  }
  const name = `bench_processes_${Date.now()}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const target = new URL(base);
  target.pathname = `/${name}`;
  const databaseUrl = target.toString();
  const dirs = [mkdtempSync(path.join(tmpdir(), 'bench-hub-a-')), mkdtempSync(path.join(tmpdir(), 'bench-hub-b-'))];
  const hubs: HubProcess[] = [];
  try {
    hubs.push(await startHub(databaseUrl, dirs[0]));
    const [first] = hubs;
    const setup = await call<{ token: string }>(first.url, 'POST', '/api/setup', null, {
      accountName: 'Bench Site',
      adminName: 'Bench Admin',
      email: 'admin@bench.example',
      password: PASSWORD,
      setupToken: first.setupCode,
    });
    // One user per client, so each has a session of its own (what 50 workstations would have).
    const tokens: string[] = [];
    for (let c = 0; c < clients; c++) {
      await call(first.url, 'POST', '/api/users', setup.token, { name: `Reader ${c}`, email: `reader${c}@bench.example`, password: PASSWORD, role: 'Radiologist' });
      tokens.push((await call<{ token: string }>(first.url, 'POST', '/api/sessions', null, { email: `reader${c}@bench.example`, password: PASSWORD })).token);
    }
    await load([first.url], tokens.slice(0, 5)); // warm-up: connections, JIT, caches
    const one = await load([first.url], tokens);
    hubs.push(await startHub(databaseUrl, dirs[1]));
    const two = await load(hubs.map((hub) => hub.url), tokens);
    const rate = (result: { done: number }) => result.done / seconds;
    console.log(`bench:hub-processes — ${clients} clients, ${seconds} s each, 1 write : 4 reads, PostgreSQL`);
    console.log(`one hub process:  ${rate(one).toFixed(0)} requests/s (${one.failed} failed)`);
    console.log(`two hub processes: ${rate(two).toFixed(0)} requests/s (${two.failed} failed)`);
    console.log(`ratio two/one: ${(rate(two) / rate(one)).toFixed(2)} (2 cores shared by both hubs, PostgreSQL and the load: bounded well below 2 here)`);
  } finally {
    for (const hub of hubs) await hub.stop();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    cluster?.stop();
  }
}

await main();
