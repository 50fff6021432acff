/**
 * bench:hub --collaboration (issue 13) — on a copy of bench:hub --scale's fill (1,000,000 studies,
 * 10,000 users, 20 sites, 250 departments of 20): the first page of "every study I see" for a
 * member of a department under each viewing policy (participated, department, whole site), and
 * for a member of 10 collections; then 1,000 studies put into a collection through the hub's
 * HTTP API (two outbox batches of 500 collection.add operations, as the desktop pushes them) until
 * another member's list of that collection shows all 1,000.
 *
 *   npm run bench:hub -- --collaboration [--file .bench/hub-scale-1000000.sqlite] [--runs 20]
 *
 * The fill is copied first (the copy is migrated and changed; the cached fill stays as it was).
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import { hubStudyQuerySchema } from '../../shared/hub-api/worklists';
import type { PermissionKey } from '../../shared/permissions/catalogue';
import { viewerFacts } from '../../server/access/access-facts';
import { buildHub } from '../../server/app';
import { createSession, type Actor } from '../../server/auth/sessions';
import { openHubDatabase } from '../../server/db/open-hub-db';
import type { HubDatabase } from '../../server/db/schema';
import { listStudies } from '../../server/studies/study-list';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--collaboration'),
  options: { file: { type: 'string', default: '.bench/hub-scale-1000000.sqlite' }, runs: { type: 'string', default: '20' } },
});
const RUNS = Number(values.runs);

function percentiles(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return `p50 ${at(0.5).toFixed(1).padStart(6)} ms   p95 ${at(0.95).toFixed(1).padStart(6)} ms${at(0.95) <= 50 ? '' : '   (over the 50 ms target)'}`;
}

async function time(label: string, work: () => Promise<unknown>): Promise<void> {
  await work();
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  console.log(`${label.padEnd(72)} ${percentiles(times)}`);
}

async function actorOf(db: Kysely<HubDatabase>, id: string): Promise<Actor> {
  const row = await db.selectFrom('users').innerJoin('roles', 'roles.id', 'users.role_id').select(['users.id', 'users.account_id', 'roles.permissions', 'roles.name']).where('users.id', '=', id).executeTakeFirstOrThrow();
  return { userId: row.id, accountId: row.account_id, name: '', email: '', role: row.name, permissions: new Set(JSON.parse(row.permissions) as PermissionKey[]) };
}

export async function runCollaborationBench(): Promise<void> {
  const source = path.resolve(values.file);
  if (!existsSync(source)) throw new Error(`${source} does not exist: run npm run bench:hub -- --scale --engine sqlite --fill-only first (or name a smaller fill with --file).`);
  const copy = path.join(tmpdir(), `studyshare-collaboration-${process.pid}.sqlite`);
  const copying = performance.now();
  copyFileSync(source, copy);
  console.log(`bench:hub --collaboration on a copy of ${path.basename(source)} (${((performance.now() - copying) / 1000).toFixed(1)} s to copy); ${RUNS} runs each`);
  const db = await openHubDatabase(copy);
  try {
    const studies = Number((await db.selectFrom('studies').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const departments = Number((await db.selectFrom('groups').select((eb) => eb.fn.countAll<number>().as('n')).where('department', '=', 1).executeTakeFirstOrThrow()).n);
    console.log(`  ${studies.toLocaleString('en')} studies, ${departments} departments`);
    // A department of site-1 whose members uploaded studies (radiologists upload in the fill), and one of its physicians.
    const department = await db
      .selectFrom('groups')
      .innerJoin('group_members as m', 'm.owner_id', 'groups.id')
      .innerJoin('studies as s', 's.uploader_id', 'm.user_id')
      .select('groups.id')
      .where('groups.department', '=', 1)
      .where('groups.account_id', '=', 'site-1')
      .limit(1)
      .executeTakeFirstOrThrow();
    const member = await db
      .selectFrom('group_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .innerJoin('roles as r', 'r.id', 'u.role_id')
      .select('u.id')
      .where('m.owner_id', '=', department.id)
      .where('r.name', '=', 'Physician')
      .limit(1)
      .executeTakeFirstOrThrow();
    const actor = await actorOf(db, member.id);
    const query = hubStudyQuerySchema.parse({ limit: '100' });
    for (const policy of ['participated', 'department', 'site'] as const) {
      await db.updateTable('accounts').set({ viewing_policy: policy }).where('id', '=', 'site-1').execute();
      const viewer = await viewerFacts(db, actor);
      const first = await listStudies(db, viewer, { kind: 'visible' }, query);
      await time(`first page, every study I see: department member, policy ${policy} (${first.total?.toLocaleString('en')}${first.totalCapped ? '+' : ''})`, async () => listStudies(db, await viewerFacts(db, actor), { kind: 'visible' }, query));
    }

    // Ten collections of 100 studies each of site 1, made by one of its people, the member in each.
    await db.updateTable('accounts').set({ viewing_policy: 'participated' }).where('id', '=', 'site-1').execute();
    const pool = await db.selectFrom('studies').select(['id', 'uploader_id']).where('account_id', '=', 'site-1').where('private', '=', 0).orderBy('id').limit(3000).execute();
    // An uploader of the site makes them (their built-in role holds collections.create since migration 0200).
    const maker = pool[0].uploader_id;
    const at = new Date().toISOString();
    const collectionIds: string[] = [];
    for (let c = 0; c < 10; c++) {
      const id = randomUUID();
      collectionIds.push(id);
      await db.insertInto('collections').values({ id, account_id: 'site-1', name: `Bench ${c}`, description: '', created_by: maker, created_at: at, deleted_at: null }).execute();
      await db.insertInto('collection_members').values([
        { collection_id: id, member_kind: 'user', member_id: maker, rights: JSON.stringify(['manage']), added_at: at },
        { collection_id: id, member_kind: 'user', member_id: member.id, rights: '[]', added_at: at },
      ]).execute();
      await db.insertInto('collection_studies').values(pool.slice(c * 100, c * 100 + 100).map((s) => ({ collection_id: id, study_id: s.id, series_uids: null, added_by: maker, added_at: at, removed_at: null }))).execute();
    }
    const inTen = await viewerFacts(db, actor);
    const firstTen = await listStudies(db, inTen, { kind: 'visible' }, query);
    await time(`first page, every study I see: member of 10 collections, participated (${firstTen.total?.toLocaleString('en')})`, async () => listStudies(db, await viewerFacts(db, actor), { kind: 'visible' }, query));
    await time('first page of one collection (100 studies)', async () => listStudies(db, await viewerFacts(db, actor), { kind: 'collection', collectionId: collectionIds[0] }, query));

    // 1,000 studies into a new collection over the hub's HTTP API, until the other member's list shows them all.
    await db.updateTable('accounts').set({ viewing_policy: 'site' }).where('id', '=', 'site-1').execute();
    const hub = buildHub({ db, blobDir: path.join(tmpdir(), `studyshare-collaboration-blobs-${process.pid}`), publicUrl: 'https://hub.example.org' });
    await hub.listen({ port: 0, host: '127.0.0.1' });
    const address = hub.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    try {
      const makerToken = await createSession(db, maker, new Date());
      const memberToken = await createSession(db, member.id, new Date());
      const call = async <T>(token: string, method: string, url: string, body?: unknown): Promise<T> => {
        const response = await fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
        if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
        return (await response.json()) as T;
      };
      const { collection } = await call<{ collection: { id: string } }>(makerToken, 'POST', '/api/collections', { name: 'Thousand' });
      await call(makerToken, 'PUT', `/api/collections/${collection.id}/members`, { kind: 'user', memberId: member.id, rights: [] });
      const chosen = pool.slice(1000, 2000);
      const started = performance.now();
      // The outbox pushes batches of at most 500 operations (the route's limit): two here.
      const results: { status: string }[] = [];
      for (let start = 0; start < chosen.length; start += 500) {
        const batch = chosen.slice(start, start + 500).map((s) => ({ id: randomUUID(), kind: 'collection.add', collectionId: collection.id, study: { id: s.id } }));
        results.push(...(await call<{ results: { status: string }[] }>(makerToken, 'POST', '/api/operations', { operations: batch })).results);
      }
      const pushed = performance.now();
      const page = await call<{ total: number }>(memberToken, 'GET', `/api/collections/${collection.id}/studies?limit=100`);
      const shown = performance.now();
      const applied = results.filter((r) => r.status === 'applied').length;
      console.log(`1,000 studies into a collection: ${applied} applied in two batches of 500 ${((pushed - started) / 1000).toFixed(2)} s; the other member's list shows ${page.total} after ${((shown - started) / 1000).toFixed(2)} s (target ≤ 3 s)`);
    } finally {
      await hub.close();
    }
  } finally {
    await db.destroy();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${copy}${suffix}`, { force: true });
  }
}
