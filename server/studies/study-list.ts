/**
 * The hub's study lists: a worklist's studies, or every study the viewer may see, with the local
 * worklist's search, filters, sort columns and paging (shared/hub-api/worklists.ts). Visibility
 * is a condition in the query (server/access/visibility-sql.ts), applied before the LIMIT, so a
 * page is never short because some of its rows were hidden afterwards.
 *
 * Three plans, chosen per query from cheap capped counts on indexes (as the local index does,
 * electron/main/study-index/study-query.ts), every one exact:
 * - `fetch`: some source of candidates is small (a worklist, a rare search word, an external
 *   user's shares: under FETCH_BELOW ids): take those ids, keep the visible matching ones, sort
 *   them. Cost: the candidates, whatever the hub's size.
 * - `parts`: the viewer sees whole sites and no source is small (a site member's list, a
 *   3-letter prefix that matches a tenth of the hub). The studies are split into disjoint parts —
 *   each whole site's non-private studies (and an admin's own site's private ones), and the rest —
 *   and each part gives its first page: a site part by walking its (account_id, private, column,
 *   id) index (migration 0110), already in sort order, testing search words and modalities per
 *   row with one primary-key probe each; the rest from the ids that reach the viewer otherwise
 *   (shares, uploads; few). The page is the first rows of their union. Cost: about a page per
 *   part divided by the match density, instead of walking one global sort order in which 19 of
 *   20 rows belong to other sites. A physicians scope (My cases, All doctors) is split the same
 *   way by its physicians' sites (their studies are all of their own site): each site's
 *   non-private studies walked in sort order with a link probe per row, its private ones from the
 *   viewer's own reach (privateReachSql) — whether or not the viewer sees a whole site.
 * - `walk`: a deep offset (a scrollbar jump past MAX_PARTS_OFFSET), where each part would have
 *   to read offset rows: walk the sort column's (column, id) index once and test each row.
 * Totals: a fetched plan counts its matches (up to HUB_TOTAL_CAP, in the page query itself); the
 * others say "at least" the rows found so far, because an exact count would test every row.
 */
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { z } from 'zod';
import { HUB_TOTAL_CAP, type HubStudyPage, type HubStudyQuery } from '../../shared/hub-api/worklists';
import { holdsAnywhere, studyAccess, viewerAtSite, type ViewerFacts } from '../../shared/permissions/visibility';
import { deidentifyKey, deidentifySummary, isSealedCursorValue, openCursorValue, sealCursorValue, studyKey } from '../deidentify/deidentify';
import { prefixEnd, searchPrefixes } from '../../shared/study-search';
import { STUDY_SORT_COLUMNS, STUDY_SORT_STORAGE, type StudySummary } from '../../shared/types/study';
import { studyFactsMany } from '../access/access-facts';
import { connectedSites, siteNames } from '../connections/connection-roles';
import { privateReachSql, reachedStudyIdsSql, studySeenSql, studyVisibleSql, visibleCandidatesSql, wholeSites } from '../access/visibility-sql';
import { isPostgres } from '../db/dialect';
import type { HubDatabase } from '../db/schema';
import { HttpError } from '../http-error';

/** Each sortable column's storage and index names: one map for the local index and the hub. */
const SORT_COLUMNS = STUDY_SORT_STORAGE;

/**
 * Below this many candidates, fetching and sorting them beats walking: each costs one visibility
 * test, a few microseconds, so 5,000 stay near 10–20 ms; above it, a prefix matches often enough
 * (over 0.5 % of a million) that a site part finds its page within a few thousand index rows.
 */
const FETCH_BELOW = 5_000;

/** Offsets up to this are served by the parts plan (each part reads offset + limit rows); deeper jumps walk once. */
const MAX_PARTS_OFFSET = 1_000;

/** The plan thresholds; tests set them to force each plan and check that all give the same rows. */
export interface StudyListTuning {
  readonly fetchBelow: number;
  readonly maxPartsOffset: number;
}

export const DEFAULT_STUDY_LIST_TUNING: StudyListTuning = { fetchBelow: FETCH_BELOW, maxPartsOffset: MAX_PARTS_OFFSET };

export type StudyListScope =
  | { readonly kind: 'visible' }
  /** A worklist's live shares; a personal worklist also holds the shares made to its owner in person. */
  | { readonly kind: 'worklist'; readonly worklistId: string; readonly personalOwnerId: string | null }
  /** A collection's studies (issue 13): its live entries, as far as the viewer may see them. */
  | { readonly kind: 'collection'; readonly collectionId: string }
  /** Studies any of these directory physicians is on (issue 14: My cases, a case manager's All doctors or one doctor). */
  | { readonly kind: 'physicians'; readonly physicianIds: readonly string[] };

const cursorSchema = z.tuple([z.enum(STUDY_SORT_COLUMNS), z.enum(['asc', 'desc']), z.union([z.string().max(1000), z.number().int()]), z.string().min(1).max(100)]);

/** The last row's sort value for the cursor: sealed when that row is seen de-identified (rule 14), so its name, ID or date stays on the hub. */
async function cursorValue(db: Kysely<HubDatabase>, numeric: boolean, value: string | number, deidentified: boolean): Promise<string | number> {
  if (numeric) return Number(value);
  return deidentified ? sealCursorValue(await deidentifyKey(db), String(value)) : String(value);
}

function encodeCursor(query: HubStudyQuery, value: string | number, id: string): string {
  return Buffer.from(JSON.stringify([query.sort, query.direction, value, id])).toString('base64url');
}

/** The cursor's sort value and id; a cursor from another sort, or not one of ours, is a 400. */
function decodeCursor(query: HubStudyQuery, text: string): { value: string | number; id: string } {
  let parsed: z.infer<typeof cursorSchema> | null = null;
  try {
    const result = cursorSchema.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    if (result.success) parsed = result.data;
  } catch {
    // not JSON: refused below
  }
  const numeric = SORT_COLUMNS[query.sort].numeric;
  if (parsed === null || parsed[0] !== query.sort || parsed[1] !== query.direction || typeof parsed[2] !== (numeric ? 'number' : 'string')) {
    throw new HttpError(400, 'invalid-cursor', 'The page cursor does not belong to this list and sort; start again from the first page.');
  }
  return { value: parsed[2], id: parsed[3] };
}

const all = (parts: readonly RawBuilder<SqlBool>[]) => sql<SqlBool>`${sql.join(parts, sql` AND `)}`;

async function countUpTo(db: Kysely<HubDatabase>, ids: RawBuilder<unknown>, cap: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM (${ids} LIMIT ${cap}) c`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** Each source's row count, capped, in one statement. */
async function countEachUpTo(db: Kysely<HubDatabase>, sources: readonly RawBuilder<unknown>[], cap: number): Promise<number[]> {
  const columns = sources.map((ids, k) => sql`(SELECT count(*) FROM (${ids} LIMIT ${cap}) ${sql.id(`c${k}`)}) AS ${sql.id(`n${k}`)}`);
  const { rows } = await sql<Record<string, number>>`SELECT ${sql.join(columns)}`.execute(db);
  return sources.map((_, k) => Number(rows[0]?.[`n${k}`] ?? 0));
}

interface Row {
  id: string;
  account_id: string;
  uploader_id: string;
  private: number;
  summary: string;
  sort_value: string | number;
  shared_at: string | null;
}

/**
 * The sites of a physicians scope's studies: a physician's studies are all of the physician's own
 * site (links are made to the study's site's directory only: physician-linking.ts, linkByHand's
 * getPhysician), so a physicians list is split by site like the visible list (parts, below).
 */
async function physicianSites(db: Kysely<HubDatabase>, physicianIds: readonly string[]): Promise<string[]> {
  if (physicianIds.length === 0) return [];
  const rows = await db.selectFrom('physicians').select('account_id').distinct().where('id', 'in', [...physicianIds]).execute();
  return rows.map((row) => row.account_id).sort();
}

/**
 * The physicians of a scope whose list the links plan serves (linked studies by date, from the
 * links' copy of the date: migration 0500), or null: a physicians scope of few links (under the
 * fetch limit: one doctor, a physician's own cases), sorted by date, neither searched nor
 * filtered by modality (those live on the study row), whose physicians are all the viewer's own
 * entry or ones they act for — then each non-private linked study is visible (rule 4), as the
 * parts plan's untested physicians walk relies on too; the property test checks it.
 */
function linkedByDate(viewer: ViewerFacts, scope: StudyListScope, query: HubStudyQuery, scopeCount: number | null, tuning: StudyListTuning): readonly string[] | null {
  if (scope.kind !== 'physicians' || scope.physicianIds.length === 0 || scopeCount === null || scopeCount >= tuning.fetchBelow) return null;
  // The Site filter is a condition on the study row, which this plan does not read for non-private links.
  if (query.site !== undefined) return null;
  if (query.sort !== 'studyDate' || searchPrefixes(query.text ?? '').length > 0 || (query.modalities?.length ?? 0) > 0) return null;
  const theirs = new Set([...(viewer.physicianIds ?? []), ...(viewer.delegatedPhysicianIds ?? [])]);
  // Every role the viewer holds must see (rule 15: a connection's role decides on its site's studies).
  const everyRoleSees = [viewer.permissions, ...[...(viewer.siteRoles?.values() ?? [])].map((role) => role.permissions)].every((keys) => keys.has('studies.view'));
  if (!everyRoleSees || !scope.physicianIds.every((id) => theirs.has(id))) return null;
  return scope.physicianIds;
}

export async function listStudies(db: Kysely<HubDatabase>, viewer: ViewerFacts, scope: StudyListScope, query: HubStudyQuery, tuning: StudyListTuning = DEFAULT_STUDY_LIST_TUNING): Promise<HubStudyPage> {
  const sort = SORT_COLUMNS[query.sort];
  const column = sql.ref(`s.${sort.column}`);
  // Tested in this order on each row (both engines keep the order of AND terms here): search
  // words and modalities (one primary-key probe each) and dates first, visibility last — its
  // share EXISTS is the dearest test, and most rows a walk meets fail a cheaper one first.
  const filters: RawBuilder<SqlBool>[] = [];
  const postgres = isPostgres(db);
  // PostgreSQL turns an EXISTS into a join and may then hash every study a search word matches
  // (97,000 for 'mül' at 1M, 100 ms) to keep the few hundred a part holds; `OFFSET 0` keeps it a
  // probe per row, as intended (and as SQLite does): a part's rows are few or walked in order.
  const perRow = postgres ? sql` OFFSET 0` : sql``;
  // Candidate sources, each a list of study ids read from one index.
  const sources: RawBuilder<unknown>[] = [];

  let inWorklist: RawBuilder<SqlBool> | null = null;
  if (scope.kind === 'worklist') {
    inWorklist =
      scope.personalOwnerId === null
        ? sql<SqlBool>`(ws.worklist_id = ${scope.worklistId})`
        : sql<SqlBool>`(ws.worklist_id = ${scope.worklistId} OR ws.user_id = ${scope.personalOwnerId})`;
    filters.push(sql<SqlBool>`EXISTS (SELECT 1 FROM shares ws WHERE ws.study_id = s.id AND ws.removed_at IS NULL AND ${inWorklist})`);
    sources.push(sql`SELECT ws.study_id AS id FROM shares ws WHERE ws.removed_at IS NULL AND ${inWorklist}`);
  }
  let scopeIds: RawBuilder<unknown> | null = inWorklist === null ? null : sql`SELECT ws.study_id AS id FROM shares ws WHERE ws.removed_at IS NULL AND ${inWorklist}`;
  if (scope.kind === 'collection') {
    filters.push(sql<SqlBool>`EXISTS (SELECT 1 FROM collection_studies sc WHERE sc.study_id = s.id AND sc.collection_id = ${scope.collectionId} AND sc.removed_at IS NULL)`);
    scopeIds = sql`SELECT sc.study_id AS id FROM collection_studies sc WHERE sc.collection_id = ${scope.collectionId} AND sc.removed_at IS NULL`;
    sources.push(scopeIds);
  }
  if (scope.kind === 'physicians') {
    // Read by the (physician_id, study_id) index; no physician at all lists nothing.
    const list = sql.join([...scope.physicianIds]);
    const none = scope.physicianIds.length === 0;
    // Per row, a probe of the study's own links by the primary key (study_id first); `|| ''`
    // keeps SQLite off the (physician_id, study_id) index, where it made one seek per physician
    // listed (50 a row for a case manager of 50: 93 ms for the first page at 1M, bench:hub --lists).
    filters.push(none ? sql<SqlBool>`1 = 0` : sql<SqlBool>`EXISTS (SELECT 1 FROM study_physicians sp WHERE sp.study_id = s.id AND (sp.physician_id || '') IN (${list}))`);
    scopeIds = none ? sql`SELECT id FROM studies WHERE 1 = 0` : sql`SELECT sp.study_id AS id FROM study_physicians sp WHERE sp.physician_id IN (${list})`;
    sources.push(scopeIds);
  }
  for (const prefix of searchPrefixes(query.text ?? '')) {
    const range = sql<SqlBool>`t.term >= ${prefix} AND t.term < ${prefixEnd(prefix)}`;
    filters.push(sql<SqlBool>`EXISTS (SELECT 1 FROM study_terms t WHERE t.study_id = s.id AND ${range}${perRow})`);
    sources.push(sql`SELECT t.study_id AS id FROM study_terms t WHERE ${range}`);
  }
  if (query.modalities !== undefined && query.modalities.length > 0) {
    const codes = sql.join(query.modalities);
    filters.push(sql<SqlBool>`EXISTS (SELECT 1 FROM study_modalities m WHERE m.study_id = s.id AND m.modality IN (${codes})${perRow})`);
    sources.push(sql`SELECT m.study_id AS id FROM study_modalities m WHERE m.modality IN (${codes})`);
  }
  // The Site filter (someone connected to several sites): on every row, and it drops other sites' parts below.
  if (query.site !== undefined) filters.push(sql<SqlBool>`s.account_id = ${query.site}`);
  const inSite = (site: string) => query.site === undefined || site === query.site;
  if (query.dateFrom !== undefined) filters.push(sql<SqlBool>`s.study_date >= ${query.dateFrom}`);
  // '' (no date) sorts before every date, so an upper bound alone must exclude it.
  if (query.dateTo !== undefined) filters.push(sql<SqlBool>`s.study_date <= ${query.dateTo} AND s.study_date <> ''`);
  // Every plan tests the viewer's visibility on each row, except in a whole site's part, whose
  // rows the rules let the viewer see by construction (wholeSites, visibility-sql.ts): there the
  // test would be true on every row, and at 20 sites its IN lists alone cost PostgreSQL 20 ms of
  // planning. The property test (visibility-sql.property.test.ts) checks every plan's rows
  // against the rules.
  // The list of every visible study also holds those seen de-identified (visibility rule 14),
  // unless it is searched or filtered by date: their real names, IDs and dates must find nothing
  // (server/deidentify/; their rows are de-identified below).
  const deidentifiedToo = scope.kind === 'visible' && searchPrefixes(query.text ?? '').length === 0 && query.dateFrom === undefined && query.dateTo === undefined;
  const checked = [...filters, deidentifiedToo ? studySeenSql(viewer, 's') : studyVisibleSql(viewer, 's')];
  const candidates = visibleCandidatesSql(viewer, { deidentifiedToo });
  if (candidates !== null) sources.push(candidates);

  // The smallest source, if one is small enough to fetch whole.
  let driver: RawBuilder<unknown> | null = null;
  let smallest = tuning.fetchBelow;
  // All sources counted in one statement: each count is a capped index read, and on a loaded
  // PostgreSQL every round trip waits for the server's turn on a core (tens of ms at load 13).
  // PostgreSQL: one source alone (a worklist, a collection, the viewer's reach with nothing
  // searched) is not counted apart — its capped count is the fetch statement's own guard (below),
  // which saves a round trip on the lists of issue 13 (participated, department, collections).
  // Not on SQLite, whose round trips stay in the process: there the guarded statement was slower
  // than the two (A/B interleaved in one process at 1M: department 33 vs 25 ms p50; PostgreSQL
  // 57 vs 60, participated 49 vs 59).
  const guarded = postgres && sources.length === 1 && scope.kind !== 'physicians' && smallest > 0;
  const counts = smallest <= 0 || sources.length === 0 || guarded ? [] : await countEachUpTo(db, sources, smallest);
  if (guarded) driver = sources[0];
  // The physicians scope's own count (its links, capped), for the links plan.
  const scopeCount = scope.kind === 'physicians' && counts.length > 0 ? counts[0] : null;
  for (const [k, n] of counts.entries()) {
    if (n < smallest) {
      smallest = n;
      driver = sources[k];
    }
  }

  let offset = query.offset;
  const cursorWhere: RawBuilder<SqlBool>[] = [];
  let after: { value: string | number; id: string } | null = null;
  if (query.after !== undefined) {
    const cursor = decodeCursor(query, query.after);
    after = cursor;
    // A page that ended on a de-identified row sealed its sort value (server/deidentify/sealed-cursor.ts).
    if (isSealedCursorValue(cursor.value)) {
      const opened = openCursorValue(await deidentifyKey(db), cursor.value);
      if (opened === null) throw new HttpError(400, 'invalid-cursor', 'The page cursor does not belong to this list and sort; start again from the first page.');
      cursor.value = opened;
    }
    cursorWhere.push(query.direction === 'desc' ? sql<SqlBool>`(${column}, s.id) < (${cursor.value}, ${cursor.id})` : sql<SqlBool>`(${column}, s.id) > (${cursor.value}, ${cursor.id})`);
    offset = 0;
  }
  const direction = query.direction === 'desc' ? sql`DESC` : sql`ASC`;
  const order = sql`${column} ${direction}, s.id ${direction}`;
  const sharedAt = inWorklist === null ? sql`NULL` : sql`(SELECT max(ws.created_at) FROM shares ws WHERE ws.study_id = s.id AND ws.removed_at IS NULL AND ${inWorklist})`;
  const select = sql`s.id, s.account_id, s.uploader_id, s.private, s.summary, ${column} AS sort_value, ${sharedAt} AS shared_at`;
  /** A page of (id, sort value[, total]) pairs joined back to its study rows, for their summaries. */
  const rowsOf = (page: RawBuilder<unknown>, withTotal: boolean, extra: RawBuilder<unknown> = sql``) =>
    sql`SELECT ${select}${withTotal ? sql`, p.total` : sql``}${extra} FROM (${page}) p CROSS JOIN studies s WHERE s.id = p.id`;
  // Parts of other sites than the Site filter's would walk their site's index to find nothing.
  const whole = wholeSites(viewer);
  const sites = whole.sites.filter(inSite);
  const privateToo = whole.privateToo !== null && inSite(whole.privateToo) ? whole.privateToo : null;
  // One row more than asked says whether a next page exists.
  const take = query.limit + 1;

  let rows: Row[] = [];
  let total: number | null = null;
  let totalCapped = false;
  const links = linkedByDate(viewer, scope, query, scopeCount, tuning);
  const linksPlan = links !== null && offset <= tuning.maxPartsOffset;

  /**
   * fetch. CROSS JOIN keeps SQLite from reordering (it would walk the sort index instead);
   * PostgreSQL plans the join as it sees fit either way. False when the guard (a lone source's
   * capped count, in the same statement: evaluated once, before any row) says the source is not
   * small after all; then another plan is taken.
   */
  const fetchPlan = async (source: RawBuilder<unknown>): Promise<boolean> => {
    const from = sql`(SELECT DISTINCT d.id FROM (${source}) d) c CROSS JOIN studies s`;
    // Guarded, the source is read once, capped, into a materialized CTE (src) that the guard, the
    // page and the sentinel row all read: written out three times, PostgreSQL computed it three
    // times (a department member's 1,905 ids: 1.4–2.5 ms each, bench:hub --lists --explain). A
    // source past the cap leaves src cut short, but then the guard is false and no row is taken.
    const guardedFrom = sql`(SELECT DISTINCT src.id FROM src) c CROSS JOIN studies s`;
    const guard = guarded ? [sql<SqlBool>`(SELECT count(*) FROM src) < ${tuning.fetchBelow}`] : [];
    const where = all([sql<SqlBool>`s.id = c.id`, ...checked]);
    // The total in the same pass (the window counts every match before the LIMIT): the
    // candidates are sorted whole anyway. After a cursor the page query sees only what follows
    // it, so the total is counted apart.
    const windowTotal = query.withTotal && cursorWhere.length === 0;
    // The candidates are tested, counted and sorted as (id, sort value) pairs; only the page's
    // rows are read again for their summaries (carrying every candidate's summary JSON through the
    // sort and the window about doubled this query for 850–1,900 candidates at 1M, bench:hub --lists).
    const page = sql`SELECT s.id, ${column} AS sort_value${windowTotal ? sql`, count(*) OVER () AS total` : sql``}
      FROM ${guarded ? guardedFrom : from} WHERE ${all([...guard, sql<SqlBool>`s.id = c.id`, ...checked, ...cursorWhere])}
      ORDER BY ${order} LIMIT ${take} OFFSET ${offset}`;
    // Guarded: one more row, all null but the guard's count, says whether the source was small.
    const statement = guarded
      ? sql`WITH src AS MATERIALIZED (SELECT d.id FROM (${source}) d LIMIT ${tuning.fetchBelow})
          SELECT * FROM (${rowsOf(page, windowTotal, sql`, NULL AS guard_n`)}
          UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL${windowTotal ? sql`, NULL` : sql``}, (SELECT count(*) FROM src)) r
          ORDER BY r.sort_value ${direction}, r.id ${direction}`
      : sql`${rowsOf(page, windowTotal)} ORDER BY ${order}`;
    const result = await sql<Row & { total?: number; guard_n?: number | null }>`${statement}`.execute(db);
    const counted = result.rows.find((row) => row.id === null);
    if (counted !== undefined && Number(counted.guard_n) >= tuning.fetchBelow) return false;
    const found = result.rows.filter((row) => row.id !== null);
    rows = found;
    if (query.withTotal) {
      // An offset past the end leaves no row to carry the window's count: count apart then too.
      const matches = windowTotal && found.length > 0 ? Number(found[0].total) : await countUpTo(db, sql`SELECT 1 AS one FROM ${from} WHERE ${where}`, HUB_TOTAL_CAP + 1);
      total = Math.min(matches, HUB_TOTAL_CAP);
      totalCapped = matches > HUB_TOTAL_CAP;
    }
    return true;
  };
  const fetched = !linksPlan && driver !== null && (await fetchPlan(driver));
  if (!linksPlan && !fetched) driver = null;
  // The sites of the physicians the viewer acts for (rule 4), for a list of every visible study not fetched whole.
  const delegatedSites = scope.kind === 'visible' && driver === null && holdsAnywhere(viewer, 'studies.view') ? (await physicianSites(db, [...(viewer.delegatedPhysicianIds ?? [])])).filter(inSite) : [];

  if (linksPlan) {
    // links: a few physicians' studies by date, from the links' own copy of the date and flag
    // (migration 0500). Their non-private studies are all visible to this viewer (their own
    // entry or ones they act for, rule 4), so they are read from the (physician_id,
    // study_private, study_date, study_id) index alone; the private ones (a few in a hundred) are
    // tested each. Only the page's study rows are read — the fetch plan read and sorted every
    // one of the doctor's ~370 studies, each a random row (300–600 ms cold at 1M).
    const list = sql.join(links);
    const range = [
      query.dateFrom === undefined ? null : sql<SqlBool>`sp.study_date >= ${query.dateFrom}`,
      query.dateTo === undefined ? null : sql<SqlBool>`sp.study_date <= ${query.dateTo} AND sp.study_date <> ''`,
    ].filter((part): part is RawBuilder<SqlBool> => part !== null);
    const open = sql`SELECT sp.study_id AS id, sp.study_date AS sort_value FROM study_physicians sp WHERE ${all([sql<SqlBool>`sp.physician_id IN (${list}) AND sp.study_private = 0`, ...range])}`;
    const closed = sql`SELECT s.id AS id, s.study_date AS sort_value FROM study_physicians sp CROSS JOIN studies s
      WHERE ${all([sql<SqlBool>`sp.physician_id IN (${list}) AND sp.study_private = 1 AND s.id = sp.study_id`, ...checked])}`;
    const unionRows = sql`SELECT u.id, u.sort_value FROM (${open} UNION ${closed}) u`;
    const afterWhere = after === null ? sql`` : query.direction === 'desc' ? sql` WHERE (v.sort_value, v.id) < (${after.value}, ${after.id})` : sql` WHERE (v.sort_value, v.id) > (${after.value}, ${after.id})`;
    const windowTotal = query.withTotal && after === null;
    const page = sql`SELECT v.id, v.sort_value${windowTotal ? sql`, count(*) OVER () AS total` : sql``} FROM (${unionRows}) v${afterWhere}
      ORDER BY v.sort_value ${direction}, v.id ${direction} LIMIT ${take} OFFSET ${offset}`;
    const result = await sql<Row & { total?: number }>`${rowsOf(page, windowTotal)} ORDER BY ${order}`.execute(db);
    rows = result.rows;
    if (query.withTotal) {
      const counted = windowTotal && rows.length > 0 ? Number(result.rows[0].total) : await countUpTo(db, unionRows, HUB_TOTAL_CAP + 1);
      total = Math.min(counted, HUB_TOTAL_CAP);
      totalCapped = counted > HUB_TOTAL_CAP;
    }
  } else if (fetched) {
    // fetch: done above (fetchPlan).
  } else if ((sites.length > 0 || scope.kind === 'physicians' || delegatedSites.length > 0) && offset <= tuning.maxPartsOffset) {
    // parts. Disjoint by construction (each site's non-private studies; an admin's own site's
    // private ones; everything else), so their union needs no de-duplication, and together they
    // cover every study: a whole site's part's rows are all visible (wholeSites), others are tested.
    // A physicians scope lies inside its physicians' sites: each of those (site, private) pairs
    // is a part of its own, walked in sort order and tested per row (an external rep's or a case
    // manager's "All doctors": a site index walk of a few hundred rows instead of fetching and
    // sorting 7,500–19,000 linked studies, or walking the global sort order: 1.1 s at 1M), and
    // nothing of the scope is left for the rest.
    const partLimit = offset + take;
    const siteParts: { site: string; private: 0 | 1; tested: boolean }[] = sites.map((site) => ({ site, private: 0 as const, tested: false }));
    if (privateToo !== null) siteParts.push({ site: privateToo, private: 1, tested: false });
    const scoped = scope.kind === 'physicians';
    // A scope site's private studies reach the viewer only as theirs in person (privateReachSql):
    // one part fetched from those few ids, not a walk testing each of the sites' private studies.
    const privateSites: string[] = [];
    if (scoped) {
      // When every physician of the scope is the viewer's own entry or one they act for, each
      // non-private study linked to them is visible (rule 4: the condition would be true on every
      // row, as for a whole site), so that part is not tested per row; the property test checks it.
      const theirs = new Set([...(viewer.physicianIds ?? []), ...(viewer.delegatedPhysicianIds ?? [])]);
      const linkedVisible = scope.physicianIds.every((id) => theirs.has(id));
      for (const site of (await physicianSites(db, scope.physicianIds)).filter(inSite)) {
        // Seeing is the role's at that site (rule 15: a connection's role may not see).
        const untested = linkedVisible && viewerAtSite(viewer, site).permissions.has('studies.view');
        if (!siteParts.some((part) => part.site === site && part.private === 0)) siteParts.push({ site, private: 0, tested: !untested });
        if (site !== privateToo) privateSites.push(site);
      }
    }
    // Every study the viewer sees: the non-private studies of the sites of the physicians they act
    // for are a tested part each (an external rep has no whole site, and their 7,500 linked
    // studies at 1M are past the fetch limit: the walk plan read the global date index, 750 ms);
    // the rest then leaves those links out.
    for (const site of delegatedSites) if (!siteParts.some((part) => part.site === site && part.private === 0)) siteParts.push({ site, private: 0, tested: true });
    const inSiteParts = sql.join(siteParts.map((part) => sql`(s.account_id = ${part.site} AND s.private = ${part.private})`), sql` OR `);
    const parts = siteParts.map((part) => {
      // SQLite: INDEXED BY pins the walk to the part's sort order (it would otherwise drive from
      // a search word's or a modality's index and sort 100,000 matches when they are many — the
      // count above says they are); it also fails loudly should the index ever be missing.
      // PostgreSQL picks this index itself (equality on its first two columns, ORDER BY the rest).
      const from = postgres ? sql`studies s` : sql`studies s INDEXED BY ${sql.id(`studies_by_site_${sort.index}`)}`;
      return sql`SELECT * FROM (SELECT s.id, ${column} AS sort_value FROM ${from} WHERE ${all([sql<SqlBool>`s.account_id = ${part.site} AND s.private = ${part.private}`, ...(part.tested ? checked : filters), ...cursorWhere])}
        ORDER BY ${order} LIMIT ${partLimit}) ${sql.id(`part_${part.site}_${part.private}`.replace(/[^A-Za-z0-9_]/g, '_'))}`;
    });
    // The rest: what reaches the viewer through shares and uploads (few), outside the site parts.
    if (!scoped && siteParts.length > 0) {
      const reached = scopeIds ?? reachedStudyIdsSql(viewer, { outsideWholeSites: true, deidentifiedToo, withoutDelegatedLinks: delegatedSites.length > 0 });
      parts.push(sql`SELECT * FROM (SELECT s.id, ${column} AS sort_value FROM (SELECT DISTINCT r.id FROM (${reached}) r) c CROSS JOIN studies s
      WHERE ${all([sql<SqlBool>`s.id = c.id AND NOT (${inSiteParts})`, ...checked, ...cursorWhere])} ORDER BY ${order} LIMIT ${partLimit}) rest`);
    }
    if (privateSites.length > 0) {
      parts.push(sql`SELECT * FROM (SELECT s.id, ${column} AS sort_value FROM (SELECT DISTINCT r.id FROM (${privateReachSql(viewer)}) r) c CROSS JOIN studies s
      WHERE ${all([sql<SqlBool>`s.id = c.id AND s.private = 1 AND s.account_id IN (${sql.join(privateSites)})`, ...checked, ...cursorWhere])} ORDER BY ${order} LIMIT ${partLimit}) private_rest`);
    }
    if (parts.length === 0) parts.push(sql`SELECT s.id, ${column} AS sort_value FROM studies s WHERE 1 = 0`);
    const union = sql.join(parts, sql` UNION ALL `);
    // The page is cut from the parts' (id, sort value) pairs before any study row is read: only
    // its own rows are then fetched for their summaries, not every part's (20 × 101 at 20 sites).
    const page = sql`SELECT u.id FROM (${union}) u ORDER BY u.sort_value ${direction}, u.id ${direction} LIMIT ${take} OFFSET ${offset}`;
    rows = (await sql<Row>`${rowsOf(page, false)} ORDER BY ${order}`.execute(db)).rows;
  } else {
    // walk: one pass down the sort column's (column, id) index, each row tested.
    rows = (await sql<Row>`SELECT ${select} FROM studies s WHERE ${all([...checked, ...cursorWhere])} ORDER BY ${order} LIMIT ${take} OFFSET ${offset}`.execute(db)).rows;
  }
  const more = rows.length > query.limit;
  const shown = more ? rows.slice(0, query.limit) : rows;
  const last = shown.at(-1);
  if (query.withTotal && driver === null) {
    // Walking: counting would test every row of the sort order (a million at scale, a second or
    // more), so the total says what is known — at least the rows up to this page — and
    // `totalCapped` says more follow; the table grows as pages arrive (measured: bench:hub --scale).
    total = offset + shown.length;
    totalCapped = more;
  }
  // Why each row is visible ("Department", "Collection" badges): the pure rules on the page's
  // own rows only (a page is at most a few hundred), so the list's SQL stays one predicate.
  const facts = await studyFactsMany(db, shown.map((row) => ({ id: row.id, account_id: row.account_id, uploader_id: row.uploader_id, private: Number(row.private) })));
  const studies: HubStudyPage['studies'] = [];
  // Someone of no site may see several sites' studies (connections, shares): each row names its site.
  const names = viewer.accountId === null ? await siteNames(db, shown.map((row) => row.account_id)) : null;
  for (const row of shown) {
    const reason = studyAccess(facts.get(row.id)!, viewer).reason;
    const summary = JSON.parse(row.summary) as StudySummary;
    // Seen de-identified (rule 14): the row says nothing of the patient (server/deidentify/).
    const shownSummary = reason === 'department-deidentified' ? deidentifySummary(await studyKey(db, { id: row.id, account_id: row.account_id }), summary) : summary;
    const site = names === null ? undefined : { id: row.account_id, name: names.get(row.account_id) ?? '' };
    studies.push({ studyId: row.id, private: Number(row.private) === 1, sharedAt: row.shared_at, summary: shownSummary, reason, ...(site === undefined ? {} : { site }) });
  }
  return {
    studies,
    ...(viewer.accountId === null ? { sites: await connectedSites(db, viewer.userId) } : {}),
    total,
    totalCapped,
    nextCursor: more && last !== undefined ? encodeCursor(query, await cursorValue(db, sort.numeric, last.sort_value, studies.at(-1)?.reason === 'department-deidentified'), last.id) : null,
  };
}
