/**
 * bench:hub --scale — the hub's lists at a million studies: 20 sites, 10,000 users, 500 groups
 * (half of them departments), 1,000,000 studies, 2,000,000 shares (a tenth removed). The SQLite
 * file is filled once (multi-row inserts in big transactions) and kept in .bench/; a PostgreSQL
 * database (--database postgres://… or HUB_DATABASE_URL) is filled when empty. Then p50/p95 of:
 * the first page of "every study I can see" for a physician, a department member, a case
 * manager acting for 20 physicians and an admin; of a physician's personal worklist; search as
 * you type (a 3-letter prefix); a page 1,000 pages deep by cursor; and share creation through
 * real HTTP.   Target: p95 ≤ 50 ms.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { hubStudyQuerySchema, type HubStudyQuery } from '../../shared/hub-api/worklists';
import { BUILT_IN_ROLES } from '../../shared/permissions/catalogue';
import type { ViewerFacts } from '../../shared/permissions/visibility';
import { nameSortKey, studyTerms } from '../../shared/study-search';
import { viewerFacts } from '../../server/access/access-facts';
import { buildHub } from '../../server/app';
import { createSession, type Actor } from '../../server/auth/sessions';
import { isPostgres } from '../../server/db/dialect';
import { openHubDatabase } from '../../server/db/open-hub-db';
import type { HubDatabase } from '../../server/db/schema';
import { listStudies, type StudyListScope } from '../../server/studies/study-list';

const { values } = parseArgs({ options: { scale: { type: 'boolean' }, database: { type: 'string' }, studies: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '40' } } });
const STUDIES = Number(values.studies);
const SITES = 20;
const USERS = 10_000;
const GROUPS = 500;
const SHARES = STUDIES * 2;
const RUNS = Number(values.runs);

const FAMILY = ['Smith', 'Müller', 'García', 'Dubois', 'Rossi', 'Nowak', 'Jensen', 'Silva', 'Kowalski', 'Novak', 'Horvat', 'Ivanov', 'Nagy', 'Popescu', 'Yılmaz', 'Andersson', 'Virtanen', 'Murphy', 'de Vries', 'Peeters'];
const MODALITIES = ['CT', 'MR', 'CR', 'DX', 'US', 'MG', 'PT', 'NM'];

/** A deterministic PRNG, so every fill is the same world. */
let state = 42;
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (n: number) => Math.floor(random() * n);
const familyName = (n: number) => `${FAMILY[n % FAMILY.length]}${n % 1000 < 20 ? '' : String.fromCharCode(97 + (n % 26)) + String.fromCharCode(97 + ((n >> 5) % 26))}`;

const userId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const siteOf = (user: number) => user % SITES;
/** In each site: user 0 is its admin, every tenth a radiologist, a few case managers, the rest physicians. */
const roleOf = (user: number) => (user < SITES ? 'Admin' : user % 10 === 0 ? 'Radiologist' : user % 97 === 0 ? 'Case Manager' : 'Physician');
const studyId = (n: number) => `10000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

async function insertMany<T extends Record<string, unknown>>(db: Kysely<HubDatabase>, table: keyof HubDatabase, rows: T[]): Promise<void> {
  // Multi-row inserts; PostgreSQL takes at most 65,535 parameters a statement, SQLite 32,766.
  const perStatement = Math.max(1, Math.floor(30_000 / Object.keys(rows[0] ?? { a: 1 }).length));
  for (let start = 0; start < rows.length; start += perStatement) {
    await db.insertInto(table).values(rows.slice(start, start + perStatement) as never).execute();
  }
}

async function fill(db: Kysely<HubDatabase>): Promise<void> {
  const at = '2025-01-01T00:00:00.000Z';
  const started = performance.now();
  await db.transaction().execute(async (trx) => {
    const t = trx as unknown as Kysely<HubDatabase>;
    await insertMany(t, 'accounts', Array.from({ length: SITES }, (_, s) => ({ id: `site-${s}`, name: `Site ${s}`, created_at: at })));
    const roles = Array.from({ length: SITES }, (_, s) => (['Admin', 'Radiologist', 'Physician', 'Case Manager'] as const).map((role) => ({ id: `site-${s}-${role}`, account_id: `site-${s}`, name: role, permissions: JSON.stringify(BUILT_IN_ROLES[role]), built_in: 1 }))).flat();
    await insertMany(t, 'roles', roles);
    await insertMany(t, 'users', Array.from({ length: USERS }, (_, u) => ({ id: userId(u), account_id: `site-${siteOf(u)}`, email: `user${u}@bench.example`, name: `User ${u}`, password_hash: 'x', role_id: `site-${siteOf(u)}-${roleOf(u)}`, active: 1, created_at: at })));
    await insertMany(t, 'groups', Array.from({ length: GROUPS }, (_, g) => ({ id: `group-${g}`, account_id: `site-${g % SITES}`, name: `Group ${g}`, department: g % 2 })));
    const members = new Map<string, { owner_id: string; user_id: string }>();
    for (let g = 0; g < GROUPS; g++) for (let k = 0; k < 20; k++) {
      const user = (g % SITES) + SITES * int(USERS / SITES);
      members.set(`${g}:${user}`, { owner_id: `group-${g}`, user_id: userId(user) });
    }
    await insertMany(t, 'group_members', [...members.values()]);
    await insertMany(t, 'worklists', [
      ...Array.from({ length: USERS }, (_, u) => ({ id: `wl-user-${u}`, kind: 'personal', owner_id: userId(u), account_id: `site-${siteOf(u)}`, name: 'My worklist', share_code: `U${u}` })),
      ...Array.from({ length: GROUPS }, (_, g) => ({ id: `wl-group-${g}`, kind: 'group', owner_id: `group-${g}`, account_id: `site-${g % SITES}`, name: `Group ${g}`, share_code: `G${g}` })),
    ]);
  });
  console.log(`  sites, users, groups: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const BATCH = 50_000;
  for (let start = 0; start < STUDIES; start += BATCH) {
    const studies: Record<string, unknown>[] = [];
    const terms: Record<string, unknown>[] = [];
    const modalities: Record<string, unknown>[] = [];
    for (let n = start; n < Math.min(STUDIES, start + BATCH); n++) {
      const site = n % SITES;
      const uploader = site + SITES * 10 * int(USERS / SITES / 10); // a radiologist of the site
      const name = `${familyName(int(100_000))}^${FAMILY[int(FAMILY.length)]}`;
      const date = `20${String(15 + int(10)).padStart(2, '0')}-${String(1 + int(12)).padStart(2, '0')}-${String(1 + int(28)).padStart(2, '0')}`;
      const modality = MODALITIES[int(MODALITIES.length)];
      const summary = { studyInstanceUid: `1.2.826.0.1.3680043.10.555.${n}`, patientName: name, patientId: `P${int(400_000)}`, patientBirthDate: null, studyDate: date, studyTime: null, patientSex: null, accessionNumber: `A${n}`, studyDescription: `${modality} study`, referringPhysicianName: null, institutionName: null, modalities: [modality], seriesCount: 1 + int(8), instanceCount: 1 + int(900) };
      studies.push({
        id: studyId(n), account_id: `site-${site}`, study_uid: summary.studyInstanceUid, uploader_id: userId(uploader), private: int(50) === 0 ? 1 : 0, summary: JSON.stringify(summary), updated_at: at,
        patient_name: name, patient_name_key: nameSortKey(name), patient_id: summary.patientId, patient_birth_date: '', study_date: date, accession_number: summary.accessionNumber, study_description: summary.studyDescription, modalities: modality, series_count: summary.seriesCount, instance_count: summary.instanceCount,
      });
      for (const term of studyTerms([name, summary.patientId, summary.accessionNumber, summary.studyDescription])) terms.push({ term, study_id: studyId(n) });
      modalities.push({ study_id: studyId(n), modality });
    }
    await db.transaction().execute(async (trx) => {
      const t = trx as unknown as Kysely<HubDatabase>;
      await insertMany(t, 'studies', studies);
      await insertMany(t, 'study_terms', terms);
      await insertMany(t, 'study_modalities', modalities);
    });
    process.stdout.write(`\r  studies: ${(start + BATCH).toLocaleString('en')} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  console.log();
  for (let start = 0; start < SHARES; start += BATCH) {
    const shares: Record<string, unknown>[] = [];
    for (let k = start; k < Math.min(SHARES, start + BATCH); k++) {
      const study = int(STUDIES);
      // Mostly to a physician of another site, sometimes to a group's worklist.
      const toGroup = int(5) === 0;
      const by = (study % SITES) + SITES * 10 * int(USERS / SITES / 10);
      shares.push({ id: randomUUID(), study_id: studyId(study), worklist_id: toGroup ? `wl-group-${int(GROUPS)}` : `wl-user-${int(USERS)}`, user_id: null, shared_by: userId(by), created_at: at, removed_at: int(10) === 0 ? at : null, removed_by: null, external: 0 });
    }
    await db.transaction().execute((trx) => insertMany(trx as unknown as Kysely<HubDatabase>, 'shares', shares));
    process.stdout.write(`\r  shares: ${(start + BATCH).toLocaleString('en')} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  console.log();
  if (isPostgres(db)) await sql`ANALYZE`.execute(db);
  else await sql`ANALYZE`.execute(db);
}

function percentiles(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  const p95 = at(0.95);
  return `p50 ${at(0.5).toFixed(1).padStart(6)} ms   p95 ${p95.toFixed(1).padStart(6)} ms ${p95 <= 50 ? '' : '  (over the 50 ms target)'}`;
}

async function time(label: string, work: (run: number) => Promise<unknown>): Promise<void> {
  await work(-1); // warm the cache and the statement cache once
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    await work(run);
    times.push(performance.now() - started);
  }
  console.log(`${label.padEnd(58)} ${percentiles(times)}`);
}

async function actorOf(db: Kysely<HubDatabase>, user: number): Promise<Actor> {
  const row = await db.selectFrom('users').innerJoin('roles', 'roles.id', 'users.role_id').select(['users.id', 'users.account_id', 'roles.permissions', 'roles.name']).where('users.id', '=', userId(user)).executeTakeFirstOrThrow();
  return { userId: row.id, accountId: row.account_id, name: '', email: '', role: row.name, permissions: new Set(JSON.parse(row.permissions)) };
}

export async function runScaleBench(): Promise<void> {
  const target = values.database ?? process.env.HUB_DATABASE_URL ?? path.resolve('.bench', `hub-scale-${STUDIES}.sqlite`);
  const postgres = /^postgres(ql)?:\/\//.test(target);
  if (!postgres) mkdirSync(path.dirname(target), { recursive: true });
  const fresh = !postgres && !existsSync(target);
  const db = await openHubDatabase(target);
  try {
    const count = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM studies`.execute(db)).rows[0].n);
    if (fresh || count === 0) {
      console.log(`Filling ${postgres ? 'PostgreSQL' : target} with ${STUDIES.toLocaleString('en')} studies (once; kept for the next run)…`);
      await fill(db);
    }
    console.log(`bench:hub --scale on ${postgres ? 'PostgreSQL' : 'SQLite'}: ${STUDIES.toLocaleString('en')} studies, ${SHARES.toLocaleString('en')} shares, ${USERS.toLocaleString('en')} users, ${GROUPS} groups; ${RUNS} runs each`);
    const query = (input: Record<string, string> = {}): HubStudyQuery => hubStudyQuerySchema.parse({ limit: '100', ...input });
    const physician = await viewerFacts(db, await actorOf(db, 21));
    const departmentMember = await viewerFacts(db, await actorOf(db, Number((await db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.owner_id').select('user_id').where('groups.department', '=', 1).executeTakeFirstOrThrow()).user_id.slice(-12))));
    const admin = await viewerFacts(db, await actorOf(db, 3));
    // A case manager from outside any site, acting for 20 physicians of several sites (the hub does not
    // record delegations yet: their facts are given, as the list takes them).
    const physicians: ViewerFacts[] = [];
    for (let k = 0; k < 20; k++) physicians.push(await viewerFacts(db, await actorOf(db, 41 + k * 37)));
    const caseManager: ViewerFacts = { userId: randomUUID(), accountId: null, permissions: new Set(BUILT_IN_ROLES['Case Manager']), locationIds: new Set(), groupIds: new Set(), departmentPeerIds: new Set(), actingFor: physicians };
    const visible: StudyListScope = { kind: 'visible' };
    const prefixes = ['smi', 'mül', 'gar', 'dub', 'ros', 'now', 'jen', 'sil', 'kow', 'nov'];
    const show = (page: { total: number | null; totalCapped: boolean }) => `${page.total?.toLocaleString('en')}${page.totalCapped ? '+' : ''}`;
    for (const [label, viewer] of [['physician', physician], ['department member', departmentMember], ['case manager acting for 20 physicians', caseManager], ['admin', admin]] as const) {
      const first = await listStudies(db, viewer, visible, query());
      await time(`first page, every study I see: ${label} (total ${show(first)})`, () => listStudies(db, viewer, visible, query()));
    }
    const personal: StudyListScope = { kind: 'worklist', worklistId: 'wl-user-21', personalOwnerId: userId(21) };
    const own = await listStudies(db, physician, personal, query());
    await time(`first page of a physician's own worklist (total ${show(own)})`, () => listStudies(db, physician, personal, query()));
    await time('search as you type, 3-letter prefix (physician)', (run) => listStudies(db, physician, visible, query({ text: prefixes[Math.max(0, run) % prefixes.length] })));
    await time('search, 3 letters + a modality filter, by patient name', (run) => listStudies(db, physician, visible, query({ text: prefixes[Math.max(0, run) % prefixes.length], modalities: 'CT', sort: 'patientName', direction: 'asc' })));
    // 1,000 pages of 100 deep (or half the studies, on a smaller fill), for the case manager, who sees the most.
    const depth = Math.min(100_000, STUDIES / 4);
    const deep = await listStudies(db, caseManager, visible, query({ offset: String(depth - 100), withTotal: 'false' }));
    await time(`page ${(depth / 100).toLocaleString('en')} deep by cursor (newest first)`, () => listStudies(db, caseManager, visible, query({ after: deep.nextCursor!, withTotal: 'false' })));
    await time(`page ${(depth / 100).toLocaleString('en')} deep by offset (a scrollbar jump)`, () => listStudies(db, caseManager, visible, query({ offset: String(depth), withTotal: 'false' })));

    // Share creation through real HTTP: a radiologist shares studies of their site to physicians.
    const hub = buildHub({ db, blobDir: path.resolve('.bench', 'hub-scale-blobs'), publicUrl: 'https://hub.example.org' });
    const url = await hub.listen({ port: 0, host: '127.0.0.1' });
    try {
      const token = await createSession(db, userId(20), new Date());
      const seconds = 5;
      const until = Date.now() + seconds * 1000;
      let done = 0;
      let failed = 0;
      const latencies: number[] = [];
      await Promise.all(
        Array.from({ length: 16 }, async (_, client) => {
          for (let i = 0; Date.now() < until; i++) {
            const op = { id: randomUUID(), kind: 'share.create', shareId: randomUUID(), study: { id: studyId(((client * 7919 + i) * SITES) % STUDIES) }, target: { worklistId: `wl-user-${(client * 131 + i * 17) % USERS}` } };
            const started = performance.now();
            const response = await fetch(`${url}/api/operations`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ operations: [op] }) });
            await response.arrayBuffer();
            latencies.push(performance.now() - started);
            if (response.ok) done++;
            else failed++;
          }
        }),
      );
      console.log(`${'share creation over HTTP, 16 clients, one operation a request'.padEnd(58)} ${Math.round(done / seconds)} operations/s (${failed} failed); ${percentiles(latencies)}`);
    } finally {
      await hub.close();
    }
  } finally {
    await db.destroy();
  }
}
