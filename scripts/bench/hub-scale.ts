/**
 * bench:hub --scale — the hub's lists at a million studies, on SQLite and on PostgreSQL: 20 sites,
 * 10,000 users, 500 groups (half of them departments), 1,000,000 studies with their search words
 * (study_terms) and modalities, 2,000,000 shares (a tenth removed). Then p50/p95 of: the first
 * page of "every study I can see" for a physician, a department member, a case manager acting
 * for 20 physicians and an admin; of a physician's personal worklist; search as you type (a
 * 3-letter prefix) for three kinds of viewer, and with a modality filter; a page 1,000 pages
 * deep by cursor and by offset; share creation through real HTTP (operations/s); the fill time.
 * Target: p95 ≤ 50 ms.
 *
 *   npm run bench:hub -- --scale [--engine sqlite|postgres|both] [--studies 1000000] [--runs 40]
 *                        [--database postgres://…] [--fill-only] [--physicians-only] [--lists [--trace] [--explain] [--only words]]
 *
 * Physicians (issue 14): 200 directory physicians per site (names and keys), every study referred
 * by one of its site's physicians and half of them read by another (study_physicians and the
 * DICOM names kept in study_physician_names: 1.5M links at 1M), and a case manager acting for 50
 * physicians of their site — added to an existing fill when missing. Printed: "All doctors" first
 * page p95 for that case manager and one doctor's; and the seconds the background relinker takes
 * to link 100,000 existing studies to newly added directory physicians (one in each of two sites,
 * 50,000 studies each: a site holds 50,000 here), removed again after. --physicians-only measures
 * just that.
 *
 * SQLite: the file is filled once and kept in .bench/ (written as *.partial and renamed when
 * complete, so a fill cut short is never reused). PostgreSQL: --database (or HUB_DATABASE_URL)
 * names a server whose database `hub_scale_<studies>` is reused when its row counts are right
 * and built otherwise; without one a cluster kept in the temporary folder (kept-cluster.ts, keyed
 * by the scale and FILL_VERSION) is started and stopped again, so its fill is made once too.
 *
 * --lists prints only the list figures of issues 13 and 14 (hub-lists.ts and measurePhysicians
 * below), each with its engine, rows and the machine's load average.
 *
 * The fill is a bulk load: secondary indexes are dropped first and built after (building an
 * index from sorted input is far cheaper than keeping it up to date row by row), rows go in as
 * big multi-row INSERTs, one transaction per chunk, with foreign-key checks and synchronous
 * commit off for the load only (the data are generated consistent); ANALYZE after.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { hubStudyQuerySchema, type HubStudyQuery } from '../../shared/hub-api/worklists';
import { BUILT_IN_ROLES, type PermissionKey } from '../../shared/permissions/catalogue';
import type { ViewerFacts } from '../../shared/permissions/visibility';
import { nameSortKey, studyTerms } from '../../shared/study-search';
import { viewerFacts } from '../../server/access/access-facts';
import { buildHub } from '../../server/app';
import { createSession, type Actor } from '../../server/auth/sessions';
import { isPostgres } from '../../server/db/dialect';
import { openHubDatabase } from '../../server/db/open-hub-db';
import type { HubDatabase } from '../../server/db/schema';
import { listStudies, type StudyListScope } from '../../server/studies/study-list';
import { startKeptCluster, type KeptCluster } from './kept-cluster';
import { migrateKeptFill } from './kept-fill-migrate';
import { StatementTrace } from './statement-trace';

const { values } = parseArgs({
  options: {
    scale: { type: 'boolean' },
    engine: { type: 'string', default: 'both' },
    database: { type: 'string' },
    studies: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '40' },
    'fill-only': { type: 'boolean' },
    'physicians-only': { type: 'boolean' },
    lists: { type: 'boolean' },
    trace: { type: 'boolean' },
    explain: { type: 'boolean' },
    only: { type: 'string' },
  },
});
/** --trace (with --lists): each figure's first request, statement by statement (statement-trace.ts); --explain: and its slowest statement's plan. */
const tracer = values.trace === true || values.explain === true ? new StatementTrace() : null;
const STUDIES = Number(values.studies);
const SITES = 20;
const USERS = 10_000;
const GROUPS = 500;
const SHARES = STUDIES * 2;
const RUNS = Number(values.runs);
/** The generated data's format: bump it when fill() or ensurePhysicians() change what they write (kept PostgreSQL fills are keyed by it). */
const FILL_VERSION = 1;

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

// Ids are UUIDs (the API validates them) that sort in insertion order, so every primary key is
// appended to rather than split at random places during the load.
const uuid = (prefix: number, n: number) => `${String(prefix).padStart(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;
const userId = (n: number) => uuid(0, n);
const studyId = (n: number) => uuid(10000000, n);
const shareId = (n: number) => uuid(20000000, n);
const personalWorklistId = (user: number) => uuid(30000000, user);
const groupWorklistId = (group: number) => uuid(40000000, group);
const siteOf = (user: number) => user % SITES;
/** In each site: user 0 is its admin, every tenth a radiologist, a few case managers, the rest physicians. */
const roleOf = (user: number) => (user < SITES ? 'Admin' : user % 10 === 0 ? 'Radiologist' : user % 97 === 0 ? 'Case Manager' : 'Physician');

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

async function insertMany(db: Kysely<HubDatabase>, table: keyof HubDatabase, rows: readonly Record<string, unknown>[]): Promise<void> {
  // Multi-row inserts; PostgreSQL takes at most 65,535 parameters a statement, SQLite 32,766.
  const perStatement = Math.max(1, Math.floor(30_000 / Object.keys(rows[0] ?? { a: 1 }).length));
  for (let start = 0; start < rows.length; start += perStatement) {
    await db.insertInto(table).values(rows.slice(start, start + perStatement)).execute();
  }
}

/** One chunk of the load in one transaction, with the load's settings. */
async function chunk(db: Kysely<HubDatabase>, work: (t: Kysely<HubDatabase>) => Promise<void>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (isPostgres(trx)) {
      // For this transaction only: no wait for the WAL flush, and no foreign-key triggers (the
      // generated rows are consistent; needs a superuser, as the throwaway cluster's is).
      await sql`SET LOCAL synchronous_commit = off`.execute(trx);
      await sql`SET LOCAL session_replication_role = replica`.execute(trx).catch(() => undefined);
    }
    await work(trx);
  });
}

const LOADED_TABLES = ['studies', 'study_terms', 'study_modalities', 'shares', 'users', 'group_members', 'worklists'];

/** Drops the loaded tables' secondary indexes (not those behind constraints) and returns the statements that rebuild them. */
async function dropSecondaryIndexes(db: Kysely<HubDatabase>): Promise<string[]> {
  const tables = sql.join(LOADED_TABLES);
  const indexes = isPostgres(db)
    ? (await sql<{ name: string; definition: string }>`SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN (${tables})
        AND indexname NOT IN (SELECT conname FROM pg_constraint)`.execute(db)).rows
    : // Indexes SQLite made for a constraint have no SQL of their own.
      (await sql<{ name: string; definition: string }>`SELECT name, sql AS definition FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${tables})`.execute(db)).rows;
  for (const index of indexes) await sql`DROP INDEX ${sql.id(index.name)}`.execute(db);
  return indexes.map((index) => index.definition);
}

async function fill(db: Kysely<HubDatabase>): Promise<void> {
  const at = '2025-01-01T00:00:00.000Z';
  const started = performance.now();
  if (!isPostgres(db)) {
    // The load only: a crash leaves a *.partial file that is thrown away, so nothing is lost.
    await sql`PRAGMA synchronous = OFF`.execute(db);
    await sql`PRAGMA foreign_keys = OFF`.execute(db);
    await sql`PRAGMA cache_size = -1000000`.execute(db);
  }
  const rebuild = await dropSecondaryIndexes(db);
  await chunk(db, async (t) => {
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
      ...Array.from({ length: USERS }, (_, u) => ({ id: personalWorklistId(u), kind: 'personal', owner_id: userId(u), account_id: `site-${siteOf(u)}`, name: 'My worklist', share_code: `U${u}` })),
      ...Array.from({ length: GROUPS }, (_, g) => ({ id: groupWorklistId(g), kind: 'group', owner_id: `group-${g}`, account_id: `site-${g % SITES}`, name: `Group ${g}`, share_code: `G${g}` })),
    ]);
  });
  console.log(`  sites, users, groups: ${seconds(started)}`);
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
    await chunk(db, async (t) => {
      await insertMany(t, 'studies', studies);
      await insertMany(t, 'study_terms', terms);
      await insertMany(t, 'study_modalities', modalities);
    });
    process.stdout.write(`\r  studies: ${Math.min(STUDIES, start + BATCH).toLocaleString('en')} (${seconds(started)})`);
  }
  console.log();
  // At most one live share per study and target (the database's rule, migration 0170): a
  // repeated pair is generated as one that was removed.
  const live = new Set<string>();
  for (let start = 0; start < SHARES; start += BATCH) {
    const shares: Record<string, unknown>[] = [];
    for (let k = start; k < Math.min(SHARES, start + BATCH); k++) {
      const study = int(STUDIES);
      // Mostly to a physician of another site, sometimes to a group's worklist.
      const toGroup = int(5) === 0;
      const by = (study % SITES) + SITES * 10 * int(USERS / SITES / 10);
      const worklist = toGroup ? groupWorklistId(int(GROUPS)) : personalWorklistId(int(USERS));
      let removed = int(10) === 0;
      if (!removed) {
        const key = `${study}|${worklist}`;
        removed = live.has(key);
        live.add(key);
      }
      shares.push({ id: shareId(k), study_id: studyId(study), worklist_id: worklist, user_id: null, shared_by: userId(by), created_at: at, removed_at: removed ? at : null, removed_by: null, external: 0, study_account_id: `site-${study % SITES}` });
    }
    await chunk(db, (t) => insertMany(t, 'shares', shares));
    process.stdout.write(`\r  shares: ${Math.min(SHARES, start + BATCH).toLocaleString('en')} (${seconds(started)})`);
  }
  console.log();
  const indexing = performance.now();
  for (const statement of rebuild) await sql.raw(statement).execute(db);
  console.log(`  ${rebuild.length} secondary indexes built: ${seconds(indexing)}`);
  const analyzing = performance.now();
  // VACUUM too on PostgreSQL: it sets the visibility map that index-only scans rely on (autovacuum
  // would, on a live hub, a while after a load).
  await (isPostgres(db) ? sql`VACUUM ANALYZE` : sql`ANALYZE`).execute(db);
  console.log(`  ${isPostgres(db) ? 'VACUUM ANALYZE' : 'ANALYZE'}: ${seconds(analyzing)}`);
  if (!isPostgres(db)) {
    await sql`PRAGMA foreign_keys = ON`.execute(db);
    await sql`PRAGMA synchronous = NORMAL`.execute(db);
  }
  console.log(`  fill time: ${seconds(started)}`);
}

/** Row counts a complete fill has (shares grow by what the share bench adds, users by the external rep hub-external.ts adds). */
async function isFilled(db: Kysely<HubDatabase>): Promise<boolean> {
  const count = async (table: string) => Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(db)).rows[0].n);
  return (await count('studies')) === STUDIES && (await count('users')) >= USERS && (await count('study_modalities')) === STUDIES && (await count('shares')) >= SHARES;
}

function percentiles(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  const p95 = at(0.95);
  return `p50 ${at(0.5).toFixed(1).padStart(6)} ms   p95 ${p95.toFixed(1).padStart(6)} ms ${p95 <= 50 ? '' : '  (over the 50 ms target)'}`;
}

/** --only <words>: only the figures whose label holds them (the relink figure's is "relink"). */
const wanted = (label: string) => values.only === undefined || label.toLowerCase().includes(values.only.toLowerCase());

async function time(label: string, work: (run: number) => Promise<unknown>): Promise<void> {
  if (!wanted(label)) return;
  await work(-1); // warm the cache and the statement cache once
  if (tracer !== null && traced !== null) {
    tracer.start();
    await work(-1);
    const lines = tracer.stop(traced as unknown as Kysely<never>);
    console.log(`  ${label}: ${lines.length} statements\n${lines.join('\n')}`);
    if (values.explain === true) console.log(`    the slowest one's plan:\n${(await tracer.explainSlowest(traced as unknown as Kysely<never>, isPostgres(traced))).join('\n')}`);
  }
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    await work(run);
    times.push(performance.now() - started);
  }
  console.log(`${label.padEnd(70)} ${percentiles(times)}`);
}

async function actorOf(db: Kysely<HubDatabase>, user: number): Promise<Actor> {
  const row = await db.selectFrom('users').innerJoin('roles', 'roles.id', 'users.role_id').select(['users.id', 'users.account_id', 'roles.permissions', 'roles.name']).where('users.id', '=', userId(user)).executeTakeFirstOrThrow();
  return { userId: row.id, accountId: row.account_id, name: '', email: '', role: row.name, permissions: new Set(JSON.parse(row.permissions) as PermissionKey[]) };
}

/** The SQLite file, filled once: built as *.partial and renamed when complete. */
async function openSqlite(): Promise<Kysely<HubDatabase>> {
  const file = path.resolve('.bench', `hub-scale-${STUDIES}.sqlite`);
  mkdirSync(path.dirname(file), { recursive: true });
  if (!existsSync(file)) {
    const partial = `${file}.partial`;
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${partial}${suffix}`, { force: true });
    const db = await openHubDatabase(partial);
    console.log(`Filling ${file} with ${STUDIES.toLocaleString('en')} studies (once; kept for the next run)…`);
    try {
      await fill(db);
      await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
    } finally {
      await db.destroy();
    }
    renameSync(partial, file);
    for (const suffix of ['-wal', '-shm']) rmSync(`${partial}${suffix}`, { force: true });
  }
  await migrateKeptFill(file);
  return openHubDatabase(file);
}

/** A PostgreSQL database `hub_scale_<studies>` on `server` (a URL without database), reused when complete. */
async function openPostgres(server: string, ours: boolean): Promise<Kysely<HubDatabase>> {
  const name = `hub_scale_${STUDIES}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
    const url = new URL(server);
    url.pathname = `/${name}`;
    if (exists) {
      await migrateKeptFill(url.toString());
      const db = await openHubDatabase(url.toString());
      if (await isFilled(db)) return db;
      await db.destroy();
      // Only a database this bench made is dropped; someone else's is left alone.
      if (!ours) throw new Error(`The database ${name} exists but is not a complete ${STUDIES.toLocaleString('en')}-study fill; drop it (or name another server) and run again.`);
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    }
    await admin.query(`CREATE DATABASE ${name}`);
    const db = await openHubDatabase(url.toString());
    console.log(`Filling PostgreSQL database ${name} with ${STUDIES.toLocaleString('en')} studies…`);
    await fill(db);
    return db;
  } finally {
    await admin.end();
  }
}

async function measure(db: Kysely<HubDatabase>, engine: string): Promise<void> {
  console.log(`bench:hub --scale on ${engine}: ${STUDIES.toLocaleString('en')} studies, ${SHARES.toLocaleString('en')} shares, ${USERS.toLocaleString('en')} users, ${GROUPS} groups; ${RUNS} runs each`);
  const query = (input: Record<string, string> = {}): HubStudyQuery => hubStudyQuerySchema.parse({ limit: '100', ...input });
  const physician = await viewerFacts(db, await actorOf(db, 21));
  const departmentMember = await viewerFacts(db, await actorOf(db, Number((await db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.owner_id').select('user_id').where('groups.department', '=', 1).executeTakeFirstOrThrow()).user_id.slice(-12))));
  const admin = await viewerFacts(db, await actorOf(db, 3));
  // A case manager from outside any site, acting for 20 physicians of several sites (the hub does not
  // record delegations yet: their facts are given, as the list takes them).
  const physicians: ViewerFacts[] = [];
  for (let k = 0; k < 20; k++) physicians.push(await viewerFacts(db, await actorOf(db, 41 + k * 37)));
  const caseManager: ViewerFacts = { userId: randomUUID(), accountId: null, permissions: new Set(BUILT_IN_ROLES['Case Manager']), locationIds: new Set(), groupIds: new Set(), departmentPeerIds: new Set(), siteView: 'participated', collectionIds: new Set(), actingFor: physicians };
  const visible: StudyListScope = { kind: 'visible' };
  const prefixes = ['smi', 'mül', 'gar', 'dub', 'ros', 'now', 'jen', 'sil', 'kow', 'nov'];
  const show = (page: { total: number | null; totalCapped: boolean }) => `${page.total?.toLocaleString('en')}${page.totalCapped ? '+' : ''}`;
  const viewers = [['physician', physician], ['department member', departmentMember], ['case manager acting for 20 physicians', caseManager], ['admin', admin]] as const;
  for (const [label, viewer] of viewers) {
    const first = await listStudies(db, viewer, visible, query());
    await time(`first page, every study I see: ${label} (total ${show(first)})`, () => listStudies(db, viewer, visible, query()));
  }
  const personal: StudyListScope = { kind: 'worklist', worklistId: personalWorklistId(21), personalOwnerId: userId(21) };
  const own = await listStudies(db, physician, personal, query());
  await time(`first page of a physician's own worklist (total ${show(own)})`, () => listStudies(db, physician, personal, query()));
  const prefix = (run: number) => prefixes[Math.max(0, run) % prefixes.length];
  for (const [label, viewer] of viewers.filter(([label]) => label !== 'case manager acting for 20 physicians')) {
    const first = await listStudies(db, viewer, visible, query({ text: prefixes[0] }));
    await time(`search as you type, 3-letter prefix: ${label} ('${prefixes[0]}': ${show(first)})`, (run) => listStudies(db, viewer, visible, query({ text: prefix(run) })));
  }
  for (const [label, viewer] of [['physician', physician], ['admin', admin]] as const) {
    await time(`search, 3 letters + CT, by patient name: ${label}`, (run) => listStudies(db, viewer, visible, query({ text: prefix(run), modalities: 'CT', sort: 'patientName', direction: 'asc' })));
  }
  await time('search, a rare word (an accession number): physician', (run) => listStudies(db, physician, visible, query({ text: `A${(Math.max(0, run) * 7919 * SITES + 1) % STUDIES}` })));
  // 1,000 pages of 100 deep (or a quarter of the studies, on a smaller fill), for the case manager, who sees the most.
  const depth = Math.min(100_000, STUDIES / 4);
  const deep = await listStudies(db, caseManager, visible, query({ offset: String(depth - 100), withTotal: 'false' }));
  await time(`page ${(depth / 100).toLocaleString('en')} deep by cursor (newest first)`, () => listStudies(db, caseManager, visible, query({ after: deep.nextCursor!, withTotal: 'false' })));
  await time(`page ${(depth / 100).toLocaleString('en')} deep by offset (a scrollbar jump)`, () => listStudies(db, caseManager, visible, query({ offset: String(depth), withTotal: 'false' })));
  await shareCreation(db);
  await measurePhysicians(db);
}

const PHYSICIANS_PER_SITE = 200;
const physicianId = (site: number, k: number) => uuid(50000000, site * PHYSICIANS_PER_SITE + k);
const physicianName = (site: number, k: number) => ({ family: `${familyName(site * PHYSICIANS_PER_SITE + k + 7)}`, given: `Doc${site}x${k}` });
/** The first case manager of the fill (the roles are spread by user number), and their site. */
const CASE_MANAGER = Array.from({ length: USERS }, (_, u) => u).find((u) => roleOf(u) === 'Case Manager')!;

/** The directory, links and a case manager's 50 physicians, added once to a fill that lacks them. */
async function ensurePhysicians(db: Kysely<HubDatabase>): Promise<void> {
  const have = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM physicians`.execute(db)).rows[0].n);
  if (have >= SITES * PHYSICIANS_PER_SITE) return;
  const started = performance.now();
  console.log(`Adding the physician directory and ${Math.round(STUDIES * 1.5).toLocaleString('en')} study links…`);
  const at = '2025-01-01T00:00:00.000Z';
  const { personNameKey } = await import('../../shared/physicians/name-key');
  await chunk(db, async (t) => {
    const rows = Array.from({ length: SITES }, (_, site) =>
      Array.from({ length: PHYSICIANS_PER_SITE }, (_, k) => {
        const { family, given } = physicianName(site, k);
        return { id: physicianId(site, k), account_id: `site-${site}`, display_name: `${given} ${family}`, family_name: family, given_names: given, name_key: personNameKey(`${family}^${given}`), aliases: '[]', identifier: null, specialty: null, user_id: null, active: 1, created_at: at, updated_at: at };
      }),
    ).flat();
    await insertMany(t, 'physicians', rows);
    await insertMany(t, 'physician_names', rows.map((row) => ({ account_id: row.account_id, name_key: row.name_key, physician_id: row.id })));
    const site = siteOf(CASE_MANAGER);
    await insertMany(t, 'physician_delegates', Array.from({ length: 50 }, (_, k) => ({ user_id: userId(CASE_MANAGER), physician_id: physicianId(site, k), account_id: `site-${site}`, kind: 'case-manager', assigned_by: userId(site), assigned_at: at })));
  });
  const BATCH = 50_000;
  for (let start = 0; start < STUDIES; start += BATCH) {
    const links: Record<string, unknown>[] = [];
    const names: Record<string, unknown>[] = [];
    for (let n = start; n < Math.min(STUDIES, start + BATCH); n++) {
      const site = n % SITES;
      const referring = int(PHYSICIANS_PER_SITE);
      const reading = int(2) === 0 ? (referring + 1 + int(PHYSICIANS_PER_SITE - 1)) % PHYSICIANS_PER_SITE : null;
      for (const [relation, k] of [['referring', referring], ['reading', reading]] as const) {
        if (k === null) continue;
        const { family, given } = physicianName(site, k);
        links.push({ study_id: studyId(n), physician_id: physicianId(site, k), relation, source: 'dicom', created_at: at, created_by: null, on_behalf_of: null });
        names.push({ study_id: studyId(n), relation, name_key: personNameKey(`${family}^${given}`), dicom_name: `${family}^${given}`, account_id: `site-${site}` });
      }
      // The name of a physician not in the directory yet, on every study of sites 0 and 1 (the relink figure).
      if (site < 2) names.push({ study_id: studyId(n), relation: 'reading', name_key: personNameKey('Newcomer^Nora'), dicom_name: 'NEWCOMER^NORA', account_id: `site-${site}` });
    }
    await chunk(db, async (t) => {
      await insertMany(t, 'study_physicians', links);
      await insertMany(t, 'study_physician_names', names);
    });
    process.stdout.write(`\r  study links: ${Math.min(STUDIES, start + BATCH).toLocaleString('en')} studies (${seconds(started)})`);
  }
  console.log();
  await (isPostgres(db) ? sql`VACUUM ANALYZE` : sql`ANALYZE`).execute(db);
  console.log(`  physicians added: ${seconds(started)}`);
}

async function measurePhysicians(db: Kysely<HubDatabase>): Promise<void> {
  await ensurePhysicians(db);
  const query = (input: Record<string, string> = {}): HubStudyQuery => hubStudyQuerySchema.parse({ limit: '100', ...input });
  const caseManager = await viewerFacts(db, await actorOf(db, CASE_MANAGER));
  const doctors = [...(caseManager.delegatedPhysicianIds ?? [])];
  const all: StudyListScope = { kind: 'physicians', physicianIds: doctors };
  const first = await listStudies(db, caseManager, all, query());
  await time(`"All doctors" first page: case manager acting for ${doctors.length} physicians (total ${first.total?.toLocaleString('en')}${first.totalCapped ? '+' : ''})`, () => listStudies(db, caseManager, all, query()));
  await time('"All doctors", sorted by patient name', () => listStudies(db, caseManager, all, query({ sort: 'patientName', direction: 'asc' })));
  await time('one doctor: first page', (run) => listStudies(db, caseManager, { kind: 'physicians', physicianIds: [doctors[Math.max(0, run) % doctors.length]] }, query()));
  // Issue 14 part 3 (H14b): an external rep assigned 20 physicians of the case manager's site.
  const { measureExternalRep } = await import('./hub-external');
  await measureExternalRep(db, { accountId: `site-${siteOf(CASE_MANAGER)}`, physicianIds: Array.from({ length: 20 }, (_, k) => physicianId(siteOf(CASE_MANAGER), 100 + k)) }, time);

  // Linking existing studies to newly added physicians, by the background relinker (bounded batches).
  if (!wanted('relink')) return;
  const { requestRelink } = await import('../../server/physicians/physicians-repository');
  const { runRelinks, DEFAULT_RELINK_TUNING } = await import('../../server/physicians/physician-linking');
  const { personNameKey } = await import('../../shared/physicians/name-key');
  const newcomers = [0, 1].map((site) => ({ id: uuid(60000000, site), account: `site-${site}` }));
  const ids = newcomers.map((n) => n.id);
  const cleanUp = async () => {
    for (const id of ids) {
      await db.deleteFrom('study_physicians').where('physician_id', '=', id).execute();
      await db.deleteFrom('physician_relinks').where('physician_id', '=', id).execute();
      await db.deleteFrom('physician_names').where('physician_id', '=', id).execute();
      await db.deleteFrom('physicians').where('id', '=', id).execute();
    }
  };
  await cleanUp();
  const at = new Date().toISOString();
  await db.transaction().execute(async (trx) => {
    for (const { id, account } of newcomers) {
      await trx.insertInto('physicians').values({ id, account_id: account, display_name: 'Nora Newcomer', family_name: 'Newcomer', given_names: 'Nora', name_key: personNameKey('Nora Newcomer'), aliases: '[]', identifier: null, specialty: null, user_id: null, active: 1, created_at: at, updated_at: at }).execute();
      await trx.insertInto('physician_names').values({ account_id: account, name_key: personNameKey('Newcomer^Nora'), physician_id: id }).execute();
      await requestRelink(trx, account, id, at);
    }
  });
  const started = performance.now();
  const steps = await runRelinks(db, () => new Date());
  const elapsed = (performance.now() - started) / 1000;
  const linked = Number((await db.selectFrom('study_physicians').select((eb) => eb.fn.countAll<number>().as('n')).where('physician_id', 'in', ids).executeTakeFirstOrThrow()).n);
  console.log(`${`relink: ${linked.toLocaleString('en')} existing studies linked to 2 new directory physicians (${steps} batches of ${DEFAULT_RELINK_TUNING.batchSize})`.padEnd(70)} ${elapsed.toFixed(1)} s`);
  await cleanUp();
}

/** The database the figures run on under --trace (the plain one with the tracer plugged in). */
let traced: Kysely<HubDatabase> | null = null;

/** --lists: the list figures of issues 13 and 14 (hub-lists.ts, measurePhysicians), with the engine and the machine's load. */
async function measureLists(plain: Kysely<HubDatabase>, engine: string): Promise<void> {
  const db = tracer === null ? plain : plain.withPlugin(tracer);
  traced = tracer === null ? null : db;
  const studies = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM studies`.execute(db)).rows[0].n);
  console.log(`bench:hub --scale --lists on ${engine}: ${studies.toLocaleString('en')} studies; ${RUNS} runs each; load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
  const { measureCollaborationLists } = await import('./hub-lists');
  await measureCollaborationLists(db, time);
  await measurePhysicians(db);
  console.log(`  (${engine} done; load average ${loadavg().map((n) => n.toFixed(2)).join(' ')})`);
}

/** Share creation through real HTTP: a radiologist of site 0 shares its studies to colleagues' personal worklists. */
async function shareCreation(db: Kysely<HubDatabase>): Promise<void> {
  const hub = buildHub({ db, blobDir: path.resolve('.bench', 'hub-scale-blobs'), publicUrl: 'https://hub.example.org' });
  const url = await hub.listen({ port: 0, host: '127.0.0.1' });
  try {
    const sharer = 20; // a radiologist of site 0 (20 % SITES = 0)
    const token = await createSession(db, userId(sharer), new Date());
    const duration = 5;
    const until = Date.now() + duration * 1000;
    let applied = 0;
    let failed = 0;
    const failures = new Map<string, number>();
    const latencies: number[] = [];
    const run = Date.now(); // a different study/target mix each run, so few are "already shared"
    await Promise.all(
      Array.from({ length: 16 }, async (_, client) => {
        for (let i = 0; Date.now() < until && i < 1_000_000; i++) {
          // A study of site 0 (n % SITES = 0) to another member of site 0 (their personal worklist).
          const study = studyId(((run + client * 7919 + i * 16) * SITES) % STUDIES);
          const target = personalWorklistId(SITES * (1 + ((run + client * 131 + i * 17) % (USERS / SITES - 1))));
          const op = { id: randomUUID(), kind: 'share.create', shareId: randomUUID(), study: { id: study }, target: { worklistId: target } };
          const started = performance.now();
          const response = await fetch(`${url}/api/operations`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ operations: [op] }) });
          const body = (await response.json()) as { results?: { status: string; error?: { code: string } }[]; error?: { code: string } };
          latencies.push(performance.now() - started);
          const result = body.results?.[0];
          if (response.ok && result?.status === 'applied') applied++;
          else {
            failed++;
            // Why, by code: a private study of the site the sharer may not see is refused, as it should be.
            const code = `${response.status} ${result?.error?.code ?? body.error?.code ?? result?.status ?? '?'}`;
            failures.set(code, (failures.get(code) ?? 0) + 1);
          }
        }
      }),
    );
    const why = [...failures].map(([code, n]) => `${n} × ${code}`).join(', ');
    console.log(`${'share creation over HTTP, 16 clients, one operation a request'.padEnd(70)} ${Math.round(applied / duration)} operations/s (${failed} not applied${why === '' ? '' : `: ${why}`}); ${percentiles(latencies)}`);
  } finally {
    await hub.close();
  }
}

export async function runScaleBench(): Promise<void> {
  const engines = values.engine === 'both' ? ['sqlite', 'postgres'] : [values.engine];
  for (const engine of engines) {
    if (engine === 'sqlite') {
      const db = await openSqlite();
      try {
        if (values['physicians-only'] === true) await measurePhysicians(db);
        else if (values.lists === true) await measureLists(db, 'SQLite');
        else if (values['fill-only'] === true) await ensurePhysicians(db);
        else await measure(db, 'SQLite');
      } finally {
        await db.destroy();
      }
    } else if (engine === 'postgres') {
      const given = values.database ?? process.env.HUB_DATABASE_URL;
      let cluster: KeptCluster | null = null;
      let server = given;
      if (server === undefined) {
        // Kept between runs in the temporary folder, keyed by scale and fill format (kept-cluster.ts).
        cluster = await startKeptCluster(`${STUDIES}-v${FILL_VERSION}`);
        server = `${cluster.url}/postgres`;
      }
      try {
        const db = await openPostgres(server, cluster !== null);
        try {
          if (values['physicians-only'] === true) await measurePhysicians(db);
          else if (values.lists === true) await measureLists(db, 'PostgreSQL');
          else if (values['fill-only'] === true) await ensurePhysicians(db);
          else await measure(db, 'PostgreSQL');
        } finally {
          await db.destroy();
        }
      } finally {
        cluster?.stop();
      }
    } else {
      throw new Error(`--engine is sqlite, postgres or both, not ${values.engine}`);
    }
  }
}
