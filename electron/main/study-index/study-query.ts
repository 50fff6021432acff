/**
 * Answers worklist queries: free text (FTS5, every word a prefix), modalities, a date range, any
 * sortable column in either direction, keyset paging (constant cost at any depth) or offsets
 * (for jumps), and the total. Every value reaches SQLite as a bound parameter.
 */
import type Database from 'better-sqlite3';
import type { StudyPage, StudyQuery, StudySortColumn } from '../../../shared/types/study';
import { prepared } from './statement-cache';
import { toStudySummary, type StudyRow } from './study-rows';

export class InvalidCursorError extends Error {
  readonly code = 'invalid-cursor';
  constructor() {
    super('The page cursor is not valid for this query; start again from the first page.');
    this.name = 'InvalidCursorError';
  }
}

const SORT_SQL: Readonly<Record<StudySortColumn, { column: string; numeric: boolean }>> = {
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

interface Filter {
  readonly where: string[];
  readonly params: (string | number)[];
}

function filterOf(query: StudyQuery): Filter {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const match = query.text === undefined ? null : ftsQuery(query.text);
  if (match !== null) {
    where.push('s.id IN (SELECT rowid FROM studies_fts WHERE studies_fts MATCH ?)');
    params.push(match);
  }
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
  if (query.modalities !== undefined && query.modalities.length > 0) {
    // The modality table carries the date too, so the range narrows the subquery's index walk.
    const placeholders = query.modalities.map(() => '?').join(', ');
    where.push(
      `s.id IN (SELECT study_ref FROM study_modalities WHERE modality IN (${placeholders})${dateWhere.map((w) => ` AND ${w}`).join('')})`,
    );
    params.push(...query.modalities, ...dateParams);
  }
  for (const clause of dateWhere) where.push(clause.replaceAll('study_date', 's.study_date'));
  params.push(...dateParams);
  return { where, params };
}

function countMatching(db: Database.Database, filter: Filter): number {
  if (filter.where.length === 0) {
    return (prepared(db, 'SELECT studies FROM study_totals WHERE singleton = 1').get() as { studies: number }).studies;
  }
  const row = prepared(db, `SELECT count(*) AS n FROM studies s WHERE ${filter.where.join(' AND ')}`).get(...filter.params) as {
    n: number;
  };
  return row.n;
}

export function queryStudies(db: Database.Database, query: StudyQuery): StudyPage {
  const sort = SORT_SQL[query.sort.column];
  const descending = query.sort.direction === 'desc';
  const filter = filterOf(query);
  const where = [...filter.where];
  const params = [...filter.params];
  let offset = query.offset;
  if (query.after !== undefined) {
    const cursor = decodeCursor(query.after, sort.numeric);
    where.push(`(s.${sort.column}, s.id) ${descending ? '<' : '>'} (?, ?)`);
    params.push(cursor.value, cursor.id);
    offset = 0;
  }
  const direction = descending ? 'DESC' : 'ASC';
  const sql = `SELECT ${STUDY_COLUMNS}, s.${sort.column} AS sort_value FROM studies s
    ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY s.${sort.column} ${direction}, s.id ${direction} LIMIT ? OFFSET ?`;
  // One row more than asked tells whether a next page exists without a second query.
  const rows = prepared(db, sql).all(...params, query.limit + 1, offset) as (StudyRow & { sort_value: string | number })[];
  const hasMore = rows.length > query.limit;
  const page = hasMore ? rows.slice(0, query.limit) : rows;
  const last = page.at(-1);
  return {
    rows: page.map(toStudySummary),
    total: query.withTotal ? countMatching(db, filter) : null,
    nextCursor: hasMore && last !== undefined ? encodeCursor({ value: last.sort_value, id: last.id }) : null,
  };
}
