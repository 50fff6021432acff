/**
 * bench:hub — a hub on loopback with a seeded site, loaded by 50 concurrent clients running in a
 * worker thread (its own core). Prints requests/s for worklist page queries and for share
 * creation, and the seconds for a client to pull 10,000 changes.
 *
 *   npm run bench:hub [-- --clients 50 --seconds 5 --changes 10000]
 *   npm run bench:hub -- --scale [--database postgres://…] [--studies 1000000]   (scripts/bench/hub-scale.ts)
 *   npm run bench:hub -- --scale --lists [--engine sqlite|postgres|both]   (issues 13 and 14's list figures: hub-lists.ts)
 *   npm run bench:hub -- --collaboration [--file .bench/hub-scale-1000000.sqlite]   (scripts/bench/hub-collaboration.ts)
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { buildHub } from '../../server/app';
import { hashPassword } from '../../server/auth/password';
import { createSession } from '../../server/auth/sessions';
import { openHubDatabase } from '../../server/db/open-hub-db';
import { createAccount } from '../../server/accounts/accounts-repository';
import { HubClient } from '../../electron/main/sync-client/hub-client';

// --scale: the lists at a million studies (scripts/bench/hub-scale.ts), its own options.
const scale = process.argv.includes('--scale');
const { values } = scale || process.argv.includes('--collaboration')
  ? { values: { clients: '0', seconds: '0', changes: '0' } }
  : parseArgs({ options: { clients: { type: 'string', default: '50' }, seconds: { type: 'string', default: '5' }, changes: { type: 'string', default: '10000' } } });
const clients = Number(values.clients);
const seconds = Number(values.seconds);
const changeCount = Number(values.changes);

/** The load generator, plain JavaScript for the worker: `clients` loops of requests for `seconds`. */
const LOAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { randomUUID } = require('node:crypto');
const { url, token, mode, clients, seconds, worklistId, studyIds, targetIds } = workerData;
let done = 0, failed = 0;
const until = Date.now() + seconds * 1000;
async function loop(client) {
  let i = 0;
  while (Date.now() < until) {
    i++;
    let response;
    if (mode === 'page') {
      response = await fetch(url + '/api/worklists/' + worklistId + '/studies?limit=100&offset=' + ((i * 100) % 1000), { headers: { authorization: 'Bearer ' + token } });
    } else {
      const op = { id: randomUUID(), kind: 'share.create', shareId: randomUUID(), study: { id: studyIds[(client * 7919 + i) % studyIds.length] }, target: { userId: targetIds[(client + i) % targetIds.length] } };
      response = await fetch(url + '/api/operations', { method: 'POST', headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' }, body: JSON.stringify({ operations: [op] }) });
    }
    await response.arrayBuffer();
    if (response.ok) done++; else failed++;
  }
}
Promise.all(Array.from({ length: clients }, (_, c) => loop(c))).then(() => parentPort.postMessage({ done, failed }));
`;

function load(workerData: Record<string, unknown>): Promise<{ done: number; failed: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD, { eval: true, workerData });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-bench-hub-'));
  const db = await openHubDatabase(path.join(dir, 'hub.sqlite'));
  const hub = buildHub({ db, blobDir: path.join(dir, 'blobs'), publicUrl: 'https://hub.example.org' });
  const url = await hub.listen({ port: 0, host: '127.0.0.1' });
  try {
    const now = new Date();
    const passwordHash = await hashPassword('bench password 1');
    const site = await db.transaction().execute((trx) => createAccount(trx, 'Bench Site', { name: 'Admin', email: 'admin@bench.example', passwordHash }, now));
    const token = await createSession(db, site.user.id, now);
    const client = new HubClient(url, token);
    const location = (await (await fetch(`${url}/api/locations`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Reading room' }) })).json()) as { location: { id: string } };
    const worklists = (await (await fetch(`${url}/api/worklists`, { headers: { authorization: `Bearer ${token}` } })).json()) as { worklists: { id: string; name: string }[] };
    const worklistId = worklists.worklists.find((w) => w.name === 'Reading room')!.id;
    void location;

    // Seed: studies published and shared to the reading room, through the real operations API.
    const studyIds: string[] = [];
    for (let start = 0; start < changeCount; start += 500) {
      const ops = Array.from({ length: Math.min(500, changeCount - start) }, (_, k) => ({
        id: randomUUID(),
        kind: 'study.publish' as const,
        private: false,
        study: {
          studyInstanceUid: `1.2.826.0.1.3680043.10.1234.900.${start + k}`,
          patientName: `Bench^${start + k}`, patientId: `B${start + k}`, patientBirthDate: null, studyDate: '2024-01-01', studyTime: null, patientSex: null,
          accessionNumber: null, studyDescription: 'CT', referringPhysicianName: null, institutionName: null, modalities: ['CT'], seriesCount: 1, instanceCount: 10,
        },
      }));
      const results = await client.sendOperations(ops);
      studyIds.push(...results.map((r) => (r.status === 'applied' ? (r.value.studyId as string) : '')));
    }
    for (let start = 0; start < 1000; start += 500) {
      await client.sendOperations(studyIds.slice(start, start + 500).map((studyId) => ({ id: randomUUID(), kind: 'share.create' as const, shareId: randomUUID(), study: { id: studyId }, target: { worklistId } })));
    }
    const targetIds: string[] = [];
    for (let u = 0; u < 20; u++) {
      const response = await fetch(`${url}/api/users`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: `Reader ${u}`, email: `reader${u}@bench.example`, password: 'bench password 1', role: 'Physician' }) });
      targetIds.push(((await response.json()) as { user: { id: string } }).user.id);
    }

    console.log(`bench:hub on loopback: ${clients} concurrent clients, ${seconds} s per load; ${changeCount.toLocaleString('en')} studies seeded`);
    const pages = await load({ url, token, mode: 'page', clients, seconds, worklistId });
    console.log(`worklist page queries (100 studies a page): ${Math.round(pages.done / seconds)} requests/s (${pages.failed} failed)`);
    const shares = await load({ url, token, mode: 'share', clients, seconds, studyIds, targetIds });
    console.log(`share creation (one operation a request): ${Math.round(shares.done / seconds)} requests/s (${shares.failed} failed)`);

    // A fresh client pulls everything from cursor 0.
    const started = performance.now();
    let cursor = 0;
    let pulled = 0;
    for (;;) {
      const page = await client.changes(cursor, 1000);
      pulled += page.changes.length;
      cursor = page.cursor;
      if (!page.more) break;
    }
    const pullSeconds = (performance.now() - started) / 1000;
    console.log(`pull of the change feed: ${pulled.toLocaleString('en')} studies from ${cursor.toLocaleString('en')} changes in ${pullSeconds.toFixed(2)} s   target ≤ 1 s for 10,000`);
  } finally {
    await hub.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

(process.argv.includes('--collaboration') ? import('./hub-collaboration').then((bench) => bench.runCollaborationBench()) : scale ? import('./hub-scale').then((bench) => bench.runScaleBench()) : main()).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
