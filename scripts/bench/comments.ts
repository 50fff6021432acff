/**
 * bench:comments (issue 16): how long the hub takes to list a study's comments when it has 1,000
 * of them (a tenth anchored to images, a tenth replies, some with mentions), through the real
 * HTTP route (`GET /api/studies/:id/comments`, the visibility check included) on SQLite and on a
 * throwaway PostgreSQL cluster; p50/p95/p99 over 200 reads, plus the cost of writing them in
 * batches of 500 operations. Prints figures; asserts nothing.
 *
 *   npm run bench:comments [-- --comments 1000 --reads 200 --engines sqlite,postgres]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { addUser, createAccount } from '../../server/accounts/accounts-repository';
import { buildHub } from '../../server/app';
import { hashPassword } from '../../server/auth/password';
import { createSession } from '../../server/auth/sessions';
import { openHubDatabase } from '../../server/db/open-hub-db';
import { startThrowawayCluster } from '../../server/test-support/postgres-cluster';
import { testStudySummary } from '../../server/test-support/study-summary';

const { values } = parseArgs({ options: { comments: { type: 'string', default: '1000' }, reads: { type: 'string', default: '200' }, engines: { type: 'string', default: 'sqlite,postgres' } } });
const COMMENTS = Number(values.comments);
const READS = Number(values.reads);

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function run(engine: 'sqlite' | 'postgres'): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-bench-comments-'));
  const cluster = engine === 'postgres' ? await startThrowawayCluster() : null;
  const db = await openHubDatabase(cluster?.url ?? path.join(dir, 'hub.sqlite'));
  const hub = buildHub({ db, blobDir: path.join(dir, 'blobs'), publicUrl: 'https://hub.example.org' });
  await hub.ready();
  try {
    const passwordHash = await hashPassword('bench password long enough');
    const site = await db.transaction().execute((trx) => createAccount(trx, 'Bench site', { name: 'Admin', email: 'admin@bench.example', passwordHash }, new Date()));
    // Writers: enough people that the per-person flood limit (60 a minute) is never what is measured.
    const writers: { id: string; token: string }[] = [];
    for (let i = 0; i < Math.ceil(COMMENTS / 50); i++) {
      const user = await db.transaction().execute((trx) => addUser(trx, site.account.id, { name: `Writer ${i}`, email: `w${i}@bench.example`, passwordHash, role: 'Radiologist' }, new Date()));
      writers.push({ id: user.id, token: await createSession(db, user.id, new Date()) });
    }
    const reader = await db.transaction().execute((trx) => addUser(trx, site.account.id, { name: 'Reader', email: 'reader@bench.example', passwordHash, role: 'Physician' }, new Date()));
    const readerToken = await createSession(db, reader.id, new Date());
    const operate = async (token: string, operations: unknown[]) => {
      const answer = await hub.inject({ method: 'POST', url: '/api/operations', payload: { operations }, headers: { authorization: `Bearer ${token}` } });
      return answer.json<{ results: { status: string; value?: Record<string, unknown>; error?: { message: string } }[] }>().results;
    };
    const summary = testStudySummary('1.2.826.0.1.3680043.10.1234.16', 1);
    const [published] = await operate(writers[0].token, [{ id: randomUUID(), kind: 'study.publish', study: summary, private: false }]);
    const studyId = String(published.value!.studyId);
    const ids: string[] = [];
    const writeStart = performance.now();
    for (let w = 0; w < writers.length; w++) {
      const ops = [];
      for (let i = 0; i < 50 && ids.length + ops.length < COMMENTS; i++) {
        const n: number = ids.length + ops.length;
        const commentId = randomUUID();
        const replyTo = n % 10 === 9 && ids.length > 0 ? ids[ids.length - 1] : null;
        const anchor = n % 10 === 0 ? { studyInstanceUid: summary.studyInstanceUid, seriesInstanceUid: '1.2.3.1', sopInstanceUid: `1.2.3.1.${n}`, frame: 1, viewport: { windowCenter: 40, windowWidth: 400, zoom: 1, pan: [0, 0] } } : null;
        const mentions = n % 7 === 0 ? [reader.id] : [];
        ops.push({ id: randomUUID(), kind: 'comment.add', commentId, study: { id: studyId }, text: `Comment ${n}: ${'finding '.repeat(8)}https://example.org/ref/${n}`, anchor, replyTo, mentions });
      }
      const results = await operate(writers[w].token, ops);
      const refused = results.find((r) => r.status !== 'applied');
      if (refused !== undefined) throw new Error(`a comment was refused: ${refused.error?.message}`);
      for (const op of ops) ids.push(op.commentId);
    }
    const writeMs = performance.now() - writeStart;
    const times: number[] = [];
    let size = 0;
    for (let i = 0; i < READS + 10; i++) {
      const start = performance.now();
      const answer = await hub.inject({ method: 'GET', url: `/api/studies/${studyId}/comments`, headers: { authorization: `Bearer ${readerToken}` } });
      const took = performance.now() - start;
      if (answer.statusCode !== 200) throw new Error(`listing answered ${answer.statusCode}`);
      size = answer.body.length;
      if (i >= 10) times.push(took); // the first reads warm caches and prepared statements
    }
    times.sort((a, b) => a - b);
    const f = (n: number) => n.toFixed(1);
    console.log(
      `${engine.padEnd(8)} ${COMMENTS} comments: listing p50 ${f(percentile(times, 50))} ms, p95 ${f(percentile(times, 95))} ms, p99 ${f(percentile(times, 99))} ms (${READS} reads, ${(size / 1024).toFixed(0)} KiB answer); writing them ${f(writeMs)} ms (${f(writeMs / COMMENTS)} ms each, batches of 50)`,
    );
  } finally {
    await hub.close();
    await db.destroy();
    cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const engine of values.engines.split(',') as ('sqlite' | 'postgres')[]) await run(engine);
