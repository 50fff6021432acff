/**
 * The hub's study lists: a worklist's studies, or every study the viewer may see, with the local
 * worklist's search, filters, sort columns and paging (shared/hub-api/worklists.ts). Visibility
 * is a condition in the query (server/access/visibility-sql.ts), applied before the LIMIT, so a
 * page is never short because some of its rows were hidden afterwards.
 *
 * Two plans, chosen per query from cheap capped counts on indexes:
 * - `fetch`: some source of candidates is small (a worklist with few studies, a rare search
 *   word, an external user's shares): take those ids, keep the visible matching ones, sort them.
 * - `walk`: otherwise walk the sort column's (column, id) index and test each row, which finds a
 *   page after a few hundred rows when matches are dense (a site member's own site).
 * Totals: a fetched plan counts its matches (up to HUB_TOTAL_CAP); a walked plan says "at
 * least" the rows found so far, because an exact count would test every row of the sort order.
 */
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { z } from 'zod';
import { HUB_TOTAL_CAP, type HubStudyPage, type HubStudyQuery } from '../../shared/hub-api/worklists';
import type { ViewerFacts } from '../../shared/permissions/visibility';
import { prefixEnd, searchPrefixes } from '../../shared/study-search';
import { STUDY_SORT_COLUMNS, type StudySortColumn, type StudySummary } from '../../shared/types/study';
import { studyVisibleSql, visibleCandidatesSql } from '../access/visibility-sql';
import type { HubDatabase } from '../db/schema';
import { HttpError } from '../http-error';

/** Each sortable column and the studies column (with its (column, id) index) that serves it. */
const SORT_COLUMNS: Readonly<Record<StudySortColumn, { readonly column: string; readonly numeric: boolean }>> = {
  patientName: { column: 'patient_name_key', numeric: false },
  patientId: { column: 'patient_id', numeric: false },
  patientBirthDate: { column: 'patient_birth_date', numeric: false },
  studyDate: { column: 'study_date', numeric: false },
  modalities: { column: 'modalities', numeric: false },
  studyDescription: { column: 'study_description', numeric: false },
  accessionNumber: { column: 'accession_number', numeric: false },
  seriesCount: { column: 'series_count', numeric: true },
  instanceCount: { column: 'instance_count', numeric: true },
};

/** Below this many candidates, fetching and sorting them beats walking the sort order. */
const FETCH_BELOW = 5_000;

export type StudyListScope =
  | { readonly kind: 'visible' }
  /** A worklist's live shares; a personal worklist also holds the shares made to its owner in person. */
  | { readonly kind: 'worklist'; readonly worklistId: string; readonly personalOwnerId: string | null };

const cursorSchema = z.tuple([z.enum(STUDY_SORT_COLUMNS), z.enum(['asc', 'desc']), z.union([z.string().max(1000), z.number().int()]), z.string().min(1).max(100)]);

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

interface Row {
  id: string;
  private: number;
  summary: string;
  sort_value: string | number;
  shared_at: string | null;
}

export async function listStudies(db: Kysely<HubDatabase>, viewer: ViewerFacts, scope: StudyListScope, query: HubStudyQuery): Promise<HubStudyPage> {
  const sort = SORT_COLUMNS[query.sort];
  const column = sql.ref(`s.${sort.column}`);
  const where: RawBuilder<SqlBool>[] = [studyVisibleSql(viewer, 's')];
  // Candidate sources, each a list of study ids read from one index.
  const sources: RawBuilder<unknown>[] = [];

  let inWorklist: RawBuilder<SqlBool> | null = null;
  if (scope.kind === 'worklist') {
    inWorklist =
      scope.personalOwnerId === null
        ? sql<SqlBool>`(ws.worklist_id = ${scope.worklistId})`
        : sql<SqlBool>`(ws.worklist_id = ${scope.worklistId} OR ws.user_id = ${scope.personalOwnerId})`;
    where.push(sql<SqlBool>`EXISTS (SELECT 1 FROM shares ws WHERE ws.study_id = s.id AND ws.removed_at IS NULL AND ${inWorklist})`);
    sources.push(sql`SELECT ws.study_id AS id FROM shares ws WHERE ws.removed_at IS NULL AND ${inWorklist}`);
  }
  for (const prefix of searchPrefixes(query.text ?? '')) {
    const range = sql<SqlBool>`t.term >= ${prefix} AND t.term < ${prefixEnd(prefix)}`;
    where.push(sql<SqlBool>`EXISTS (SELECT 1 FROM study_terms t WHERE t.study_id = s.id AND ${range})`);
    sources.push(sql`SELECT t.study_id AS id FROM study_terms t WHERE ${range}`);
  }
  if (query.modalities !== undefined && query.modalities.length > 0) {
    const codes = sql.join(query.modalities);
    where.push(sql<SqlBool>`EXISTS (SELECT 1 FROM study_modalities m WHERE m.study_id = s.id AND m.modality IN (${codes}))`);
    sources.push(sql`SELECT m.study_id AS id FROM study_modalities m WHERE m.modality IN (${codes})`);
  }
  if (query.dateFrom !== undefined) where.push(sql<SqlBool>`s.study_date >= ${query.dateFrom}`);
  // '' (no date) sorts before every date, so an upper bound alone must exclude it.
  if (query.dateTo !== undefined) where.push(sql<SqlBool>`s.study_date <= ${query.dateTo} AND s.study_date <> ''`);
  const candidates = visibleCandidatesSql(viewer);
  if (candidates !== null) sources.push(candidates);

  // The smallest source, if one is small enough to fetch whole.
  let driver: RawBuilder<unknown> | null = null;
  let smallest = FETCH_BELOW;
  for (const source of sources) {
    const n = await countUpTo(db, source, smallest);
    if (n < smallest) {
      smallest = n;
      driver = source;
    }
  }
  // CROSS JOIN keeps SQLite from reordering (it would walk the sort index instead); PostgreSQL
  // plans the join as it sees fit either way.
  const from = driver === null ? sql`studies s` : sql`(SELECT DISTINCT d.id FROM (${driver}) d) c CROSS JOIN studies s`;
  if (driver !== null) where.push(sql<SqlBool>`s.id = c.id`);

  const filtered = all(where);
  const page = [...where];
  let offset = query.offset;
  if (query.after !== undefined) {
    const cursor = decodeCursor(query, query.after);
    page.push(query.direction === 'desc' ? sql<SqlBool>`(${column}, s.id) < (${cursor.value}, ${cursor.id})` : sql<SqlBool>`(${column}, s.id) > (${cursor.value}, ${cursor.id})`);
    offset = 0;
  }
  const direction = query.direction === 'desc' ? sql`DESC` : sql`ASC`;
  const sharedAt = inWorklist === null ? sql`NULL` : sql`(SELECT max(ws.created_at) FROM shares ws WHERE ws.study_id = s.id AND ws.removed_at IS NULL AND ${inWorklist})`;
  // One row more than asked says whether a next page exists.
  const { rows } = await sql<Row>`SELECT s.id, s.private, s.summary, ${column} AS sort_value, ${sharedAt} AS shared_at
    FROM ${from} WHERE ${all(page)}
    ORDER BY ${column} ${direction}, s.id ${direction} LIMIT ${query.limit + 1} OFFSET ${offset}`.execute(db);
  const more = rows.length > query.limit;
  const shown = more ? rows.slice(0, query.limit) : rows;
  const last = shown.at(-1);
  let total: number | null = null;
  let totalCapped = false;
  if (query.withTotal && driver === null) {
    // Walking: counting would test every row of the sort order (a million at scale, a second or
    // more), so the total says what is known — at least the rows up to this page — and
    // `totalCapped` says more follow; the table grows as pages arrive (measured: bench:hub --scale).
    total = offset + shown.length;
    totalCapped = more;
  } else if (query.withTotal) {
    const counted = await countUpTo(db, sql`SELECT 1 AS one FROM ${from} WHERE ${filtered}`, HUB_TOTAL_CAP + 1);
    total = Math.min(counted, HUB_TOTAL_CAP);
    totalCapped = counted > HUB_TOTAL_CAP;
  }
  return {
    studies: shown.map((row) => ({ studyId: row.id, private: Number(row.private) === 1, sharedAt: row.shared_at, summary: JSON.parse(row.summary) as StudySummary })),
    total,
    totalCapped,
    nextCursor: more && last !== undefined ? encodeCursor(query, sort.numeric ? Number(last.sort_value) : String(last.sort_value), last.id) : null,
  };
}
