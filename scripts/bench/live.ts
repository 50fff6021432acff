/**
 * bench:live — issue 16's live-delivery figures, against a hub in its own process (SQLite):
 *
 * 200 desktops (by default) simulated in this process, each holding the hub's live signal open
 * (`GET /api/events`, electron/main/sync-client/live-subscription.ts, the desktop's own code) and
 * pulling on each signal as the desktop does: the change feed after its cursor, and its unread
 * notifications when their cursor moved.
 *
 * 1. Share: an admin shares a study with one reader (`share.create`); measured from the
 *    operation's answer (committed) to that reader's client having pulled the study.
 * 2. Mention: the admin mentions the reader in a comment on that study (`comment.add`); measured
 *    from the answer to the reader's client having the mention among its notifications.
 * Prints p50/p95/max of each (target p95 ≤ 1 s), and the hub's resident memory per connected
 * client ((RSS with all connected − RSS before) / clients).
 *
 * The site's viewing policy is 'participated' (a reader sees what reaches them), so a share
 * wakes its recipient; `--policy site` makes every reader see every study, so each share wakes
 * all of them (the worst case).
 *
 *   npm run bench:live [-- --clients 200 --events 100 --mentions 50 --policy participated|site]
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../../electron/main/net/free-port';
import { HubClient } from '../../electron/main/sync-client/hub-client';
import { LiveSubscription } from '../../electron/main/sync-client/live-subscription';
import { notificationsRoute } from '../../shared/hub-api/notifications';
import { postOperationsRoute } from '../../shared/hub-api/sync';
import { addUser, createAccount } from '../../server/accounts/accounts-repository';
import { hashPassword } from '../../server/auth/password';
import { createSession } from '../../server/auth/sessions';
import { openHubDatabase } from '../../server/db/open-hub-db';
import { testStudySummary } from '../../server/test-support/study-summary';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '200' },
    events: { type: 'string', default: '100' },
    // The hub takes at most 60 comments a minute from one person (its flood limit).
    mentions: { type: 'string', default: '50' },
    policy: { type: 'string', default: 'participated' },
  },
});
const CLIENTS = Number(values.clients);
const EVENTS = Number(values.events);
const ROOT = path.resolve(import.meta.dirname, '../..');

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return `p50 ${Math.round(percentile(sorted, 50))} ms, p95 ${Math.round(percentile(sorted, 95))} ms, max ${Math.round(sorted.at(-1)!)} ms (n=${sorted.length})`;
};
const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One simulated desktop: its live subscription, and what its pulls have brought so far. */
class Desktop {
  cursor = 0;
  notificationCursor = 0;
  readonly studies = new Set<string>();
  readonly comments = new Set<string>();
  private pulling: Promise<void> | null = null;
  private again = false;
  readonly waiters: Array<() => void> = [];
  readonly live: LiveSubscription;
  connected = false;

  constructor(readonly client: HubClient) {
    this.live = new LiveSubscription({ client: () => client, onSignal: () => void this.pull(), onLive: (live) => (this.connected = live), random: Math.random });
  }

  pull(): Promise<void> {
    if (this.pulling !== null) {
      this.again = true;
      return this.pulling;
    }
    this.pulling = (async () => {
      do {
        this.again = false;
        for (;;) {
          const page = await this.client.changes(this.cursor);
          for (const change of page.changes) if (change.visible) this.studies.add(change.studyId);
          this.cursor = page.cursor;
          if (!page.more) break;
        }
        const inbox = await this.client.call(notificationsRoute, { query: { limit: 20, unreadOnly: '1' } });
        for (const n of inbox.notifications) if (n.commentId !== null) this.comments.add(n.commentId);
        for (const wake of this.waiters.splice(0)) wake();
      } while (this.again);
    })().finally(() => {
      this.pulling = null;
    });
    return this.pulling;
  }

  /** Resolves when `seen()` holds after a pull. */
  async until(seen: () => boolean): Promise<void> {
    while (!seen()) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-bench-live-'));
  const db = await openHubDatabase(path.join(dir, 'hub.sqlite'));
  const passwordHash = await hashPassword('bench password long enough');
  const now = new Date();
  const site = await db.transaction().execute((trx) => createAccount(trx, 'Bench Site', { name: 'Admin', email: 'admin@bench.example', passwordHash }, now));
  await db.updateTable('accounts').set({ viewing_policy: values.policy === 'site' ? 'site' : 'participated' }).where('id', '=', site.account.id).execute();
  const adminToken = await createSession(db, site.user.id, now);
  const readers: { id: string; token: string }[] = [];
  for (let n = 0; n < CLIENTS; n++) {
    const user = await db.transaction().execute((trx) => addUser(trx, site.account.id, { name: `Reader ${n}`, email: `reader${n}@bench.example`, passwordHash, role: 'Radiologist' }, now));
    readers.push({ id: user.id, token: await createSession(db, user.id, now) });
  }
  await db.destroy();

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('HUB_'))) };
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/server.ts', '--port', String(port), '--data', dir, '--public-url', url], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (/hub: listening on/.test(stderr)) resolve();
    });
    child.on('exit', () => reject(new Error(`the hub exited: ${stderr}`)));
  });
  const admin = new HubClient(url, adminToken, { timeoutMs: 120_000 });
  const desktops = readers.map((reader) => new Desktop(new HubClient(url, reader.token, { timeoutMs: 120_000 })));
  try {
    // Studies to share, published before anyone connects.
    const studyIds: string[] = [];
    for (let start = 0; start < EVENTS; start += 100) {
      const operations = Array.from({ length: Math.min(100, EVENTS - start) }, (_, i) => ({ id: randomUUID(), kind: 'study.publish' as const, study: testStudySummary('1.2.826.0.1.3680043.10.1234.1616', start + i + 1, 'Live'), private: false }));
      const { results } = await admin.call(postOperationsRoute, { body: { operations } });
      for (const result of results) studyIds.push((result as unknown as { value: { studyId: string } }).value.studyId);
    }
    await sleep(500);
    const rssBefore = rssKb(child.pid!);
    for (const desktop of desktops) desktop.live.start();
    while (desktops.some((desktop) => !desktop.connected)) await sleep(100);
    await Promise.all(desktops.map((desktop) => desktop.pull()));
    await sleep(1000);
    const rssAfter = rssKb(child.pid!);
    console.log(`connected: ${desktops.length} desktops on the live signal`);
    console.log(`hub memory per connected client: ${(((rssAfter - rssBefore) * 1024) / desktops.length / 1024).toFixed(1)} KiB (RSS ${Math.round(rssBefore / 1024)} → ${Math.round(rssAfter / 1024)} MiB)`);

    const shareTimes: number[] = [];
    const mentionTimes: number[] = [];
    const targets: number[] = [];
    for (let i = 0; i < EVENTS; i++) {
      const r = (i * 7919) % desktops.length;
      targets.push(r);
      const desktop = desktops[r];
      const t0 = performance.now();
      const { results } = await admin.call(postOperationsRoute, { body: { operations: [{ id: randomUUID(), kind: 'share.create', shareId: randomUUID(), study: { id: studyIds[i] }, target: { userId: readers[r].id } }] } });
      if (results[0].status !== 'applied') throw new Error(`share refused: ${JSON.stringify(results[0])}`);
      const committed = performance.now();
      await desktop.until(() => desktop.studies.has(studyIds[i]));
      shareTimes.push(performance.now() - committed);
      void t0;
      await sleep(50 + Math.random() * 100);
    }
    let mentions = true;
    for (let i = 0; i < Math.min(EVENTS, Number(values.mentions)) && mentions; i++) {
      const desktop = desktops[targets[i]];
      const commentId = randomUUID();
      const { results } = await admin.call(postOperationsRoute, {
        body: { operations: [{ id: randomUUID(), kind: 'comment.add', commentId, study: { id: studyIds[i] }, text: `@Reader ${targets[i]} please look`, anchor: null, replyTo: null, mentions: [readers[targets[i]].id] } as never] },
      });
      if (results[0].status !== 'applied') {
        console.log(`mention: refused by the hub (${JSON.stringify(results[0])}); mention figure skipped`);
        mentions = false;
        break;
      }
      const committed = performance.now();
      await desktop.until(() => desktop.comments.has(commentId));
      mentionTimes.push(performance.now() - committed);
      await sleep(50 + Math.random() * 100);
    }
    console.log(`policy: ${values.policy}`);
    console.log(`share committed → recipient pulled it: ${summary(shareTimes)}`);
    if (mentionTimes.length > 0) console.log(`mention committed → recipient has the notification: ${summary(mentionTimes)}`);
  } finally {
    await Promise.all(desktops.map((desktop) => desktop.live.stop()));
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
