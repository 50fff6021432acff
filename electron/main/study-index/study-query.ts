/**
 * Answers worklist queries: free text (FTS5, every word a prefix), modalities, a date range, any
 * sortable column in either direction, keyset paging (constant cost at any depth) or offsets
 * (for jumps), and the total. Every value reaches SQLite as a bound parameter.
 */
import type Database from 'better-sqlite3';
import { STUDY_SORT_STORAGE, type StudyPage, type StudyQuery } from '../../../shared/types/study';
import { AppError } from '../api/app-error';
import { countHidden, hiddenStudyIds, nothingPublished, type IndexViewer } from './local-visibility';
import { prepared } from './statement-cache';
import { toStudySummary, type StudyRow } from './study-rows';

export class InvalidCursorError extends AppError {
  constructor() {
    super('invalid-cursor', 'The page cursor is not valid for this query; start again from the first page.');
    this.name = 'InvalidCursorError';
  }
}

/** Each sortable column's storage and index names: one map for the local index and the hub. */
const SORT_SQL = STUDY_SORT_STORAGE;

const STUDY_COLUMNS = `s.id, s.study_uid, s.patient_name, s.patient_id, s.patient_birth_date, s.patient_sex, s.study_date,
  s.study_time, s.accession_number, s.study_description, s.referring_physician_name, s.institution_name, s.modalities,
  s.series_count, s.instance_count`;

/**
 * Turns what a person typed into an FTS5 query: each word (letters and digits in any script)
 * becomes a quoted prefix term, so operators and quotes typed by the user mean nothing to FTS.
 */
export function ftsQuery(text: string): string | null {
  const words = text.normalize('NFKC').match(/[\p{L}\p{N}]+/gu);
  if (words === null) return null;
  return words.slice(0, 16).map((word) => `"${word}"*`).join(' ');
}

interface Cursor {
  readonly value: string | number;
  readonly id: number;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.value, cursor.id])).toString('base64url');
}

function decodeCursor(text: string, numeric: boolean): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === (numeric ? 'number' : 'string') &&
      Number.isSafeInteger(parsed[1])
    ) {
      return { value: parsed[0] as string | number, id: parsed[1] as number };
    }
  } catch {
    // fall through to the error below
  }
  throw new InvalidCursorError();
}

/** The filters of a query, before they become SQL for one plan or another. */
interface Filter {
  readonly match: string | null;
  readonly modalities: readonly string[];
  /** Date predicates on a bare `study_date` column, and their parameters. */
  readonly dateWhere: readonly string[];
  readonly dateParams: readonly string[];
}

function filterOf(query: StudyQuery): Filter {
  const dateWhere: string[] = [];
  const dateParams: string[] = [];
  if (query.dateFrom !== undefined) {
    dateWhere.push('study_date >= ?');
    dateParams.push(query.dateFrom);
  }
  if (query.dateTo !== undefined) {
    // '' (no date) sorts before every date, so an upper bound alone must exclude it.
    dateWhere.push("study_date <= ? AND study_date != ''");
    dateParams.push(query.dateTo);
  }
  return {
    match: query.text === undefined ? null : ftsQuery(query.text),
    modalities: query.modalities ?? [],
    dateWhere,
    dateParams,
  };
}

const isFiltered = (filter: Filter): boolean => filter.match !== null || filter.modalities.length > 0 || filter.dateWhere.length > 0;

function allStudies(db: Database.Database): number {
  return (prepared(db, 'SELECT studies FROM study_totals WHERE singleton = 1').get() as { studies: number }).studies;
}

/** Counts matches from the filters' id sets alone (the FTS table and indexes, never the rows), less the hidden ones. */
function countMatching(db: Database.Database, filter: Filter, hidden: Hidden | null): number {
  const sources: string[] = [];
  const params: (string | number)[] = [];
  if (filter.match !== null) {
    sources.push('SELECT rowid AS id FROM studies_fts WHERE studies_fts MATCH ?');
    params.push(filter.match);
  }
  const dateClause = filter.dateWhere.map((w) => ` AND ${w}`).join('');
  if (filter.modalities.length > 0) {
    // A study is in the modality table once per modality: only several modalities can repeat it.
    const distinct = filter.modalities.length > 1 && sources.length === 0 ? 'DISTINCT ' : '';
    sources.push(
      `SELECT ${distinct}study_ref AS id FROM study_modalities WHERE modality IN (${filter.modalities.map(() => '?').join(', ')})${dateClause}`,
    );
    params.push(...filter.modalities, ...filter.dateParams);
  } else if (filter.dateWhere.length > 0) {
    sources.push(`SELECT id FROM studies WHERE ${filter.dateWhere.join(' AND ')}`);
    params.push(...filter.dateParams);
  }
  if (sources.length === 0) return allStudies(db) - (hidden?.count ?? 0);
  // Compound selects associate to the left: (a INTERSECT b) EXCEPT hidden.
  const except = hidden === null ? '' : ` EXCEPT ${hidden.sql}`;
  return (prepared(db, `SELECT count(*) AS n FROM (${sources.join(' INTERSECT ')}${except})`).get(...params, ...(hidden?.params ?? [])) as { n: number }).n;
}

/** The studies the viewer may not see (local-visibility.ts): their subquery and how many. */
interface Hidden {
  readonly sql: string;
  readonly params: readonly (string | null)[];
  readonly count: number;
}

/**
 * Whose index this is: a viewer (the person signed in at the workstation, whose visibility rules
 * apply) or the whole index (the CLI and benchmarks, run by the file's owner).
 */
export type IndexScope = IndexViewer | 'whole-index';

function hiddenFor(db: Database.Database, scope: IndexScope): Hidden | null {
  // Nothing ever published (the usual local-only desktop): no condition, the fast paths stay.
  if (scope === 'whole-index' || nothingPublished(db)) return null;
  const count = countHidden(db, scope);
  return count === 0 ? null : { ...hiddenStudyIds(scope), count };
}

/**
 * How the page is found. SQLite cannot estimate FTS matches, so the count (needed for the total
 * anyway) decides:
 * - `fetch`: few matches (under 0.25 % of studies) — collect them and sort;
 * - `walk`: walk the sort column's index, keeping rows whose id is in each filter's id set;
 * - `probe`: dense matches (10 % or more) — walk the index and probe each row, which finds a
 *   page after a few hundred rows instead of first building the whole id set.
 */
type Plan = 'fetch' | 'walk' | 'probe';

export interface QueryTuning {
  /** Share of all studies below which matches are fetched and sorted. */
  readonly fetchBelow: number;
  /** Share of all studies from which rows are probed one by one. */
  readonly probeFrom: number;
}

export const DEFAULT_TUNING: QueryTuning = { fetchBelow: 0.0025, probeFrom: 0.1 };

function planFor(filter: Filter, matched: number, all: number, tuning: QueryTuning): Plan {
  if (!isFiltered(filter)) return 'walk';
  if (matched < tuning.fetchBelow * all) return 'fetch';
  return matched >= tuning.probeFrom * all ? 'probe' : 'walk';
}

/** The filters as predicates on `s2`, shaped for the plan. */
function predicatesFor(filter: Filter, plan: Plan): { where: string[]; params: (string | number)[] } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.match !== null) {
    where.push(
      plan === 'probe'
        ? 'EXISTS (SELECT 1 FROM studies_fts WHERE studies_fts MATCH ? AND rowid = s2.id)'
        : 's2.id IN (SELECT rowid FROM studies_fts WHERE studies_fts MATCH ?)',
    );
    params.push(filter.match);
  }
  if (filter.modalities.length > 0) {
    const placeholders = filter.modalities.map(() => '?').join(', ');
    if (plan === 'fetch') {
      where.push(`s2.id IN (SELECT study_ref FROM study_modalities WHERE modality IN (${placeholders})${filter.dateWhere.map((w) => ` AND ${w}`).join('')})`);
      params.push(...filter.modalities, ...filter.dateParams);
    } else {
      // One primary-key lookup per walked row.
      where.push(
        `EXISTS (SELECT 1 FROM study_modalities m WHERE m.modality IN (${placeholders}) AND m.study_date = s2.study_date AND m.study_ref = s2.id)`,
      );
      params.push(...filter.modalities);
    }
  }
  for (const clause of filter.dateWhere) where.push(clause.replaceAll('study_date', 's2.study_date'));
  params.push(...filter.dateParams);
  return { where, params };
}

export function queryStudies(db: Database.Database, query: StudyQuery, tuning: QueryTuning = DEFAULT_TUNING, scope: IndexScope = 'whole-index'): StudyPage {
  const sort = SORT_SQL[query.sort.column];
  const descending = query.sort.direction === 'desc';
  const filter = filterOf(query);
  const hidden = hiddenFor(db, scope);
  const all = allStudies(db);
  const matched = isFiltered(filter) || hidden !== null ? countMatching(db, filter, hidden) : all;
  const plan = planFor(filter, matched, all, tuning);
  const { where, params } = predicatesFor(filter, plan);
  if (hidden !== null) {
    // A condition of the query itself, so pages and totals agree with what the viewer may see.
    where.push(`s2.id NOT IN (${hidden.sql})`);
    params.push(...(hidden.params as (string | number)[]));
  }
  let offset = query.offset;
  if (query.after !== undefined) {
    const cursor = decodeCursor(query.after, sort.numeric);
    where.push(`(s2.${sort.column}, s2.id) ${descending ? '<' : '>'} (?, ?)`);
    params.push(cursor.value, cursor.id);
    offset = 0;
  }
  const direction = descending ? 'DESC' : 'ASC';
  const order = (alias: string) => `${alias}.${sort.column} ${direction}, ${alias}.id ${direction}`;
  // The inner query picks the page's ids from the covering (column, id) index, so skipped rows
  // (an offset) and non-matching rows are never read from the table; the outer one reads the page.
  const sql = `SELECT ${STUDY_COLUMNS}, s.${sort.column} AS sort_value FROM studies s WHERE s.id IN (
      SELECT s2.id FROM studies s2 ${plan === 'fetch' ? '' : `INDEXED BY studies_by_${sort.index}`}
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${order('s2')} LIMIT ? OFFSET ?)
    ORDER BY ${order('s')}`;
  // One row more than asked tells whether a next page exists without a second query.
  const rows = prepared(db, sql).all(...params, query.limit + 1, offset) as (StudyRow & { sort_value: string | number })[];
  const hasMore = rows.length > query.limit;
  const page = hasMore ? rows.slice(0, query.limit) : rows;
  const last = page.at(-1);
  return {
    rows: page.map(toStudySummary),
    total: query.withTotal ? matched : null,
    nextCursor: hasMore && last !== undefined ? encodeCursor({ value: last.sort_value, id: last.id }) : null,
  };
}
