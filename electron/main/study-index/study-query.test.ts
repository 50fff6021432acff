import { beforeEach, describe, expect, it } from 'vitest';
import { STUDY_SORT_COLUMNS, studyQuerySchema, type StudyQueryInput, type StudySummary } from '../../../shared/types/study';
import { openIndexDatabase, type IndexDatabase } from '../db/connection';
import type { InstanceHeader } from '../dicom-import/instance-header';
import { testUid } from '../dicom-write/synthetic-study';
import { IndexWriteSession } from './study-index-writer';
import { DEFAULT_TUNING, InvalidCursorError, ftsQuery, queryStudies, type QueryTuning } from './study-query';

interface Seed {
  name: string | null;
  id: string;
  birth: string | null;
  date: string | null;
  accession: string | null;
  description: string | null;
  modalities: string[];
  instances: number;
}

const SEEDS: Seed[] = [
  { name: 'Smith^John', id: 'P001', birth: '1950-01-02', date: '2024-03-01', accession: 'A100', description: 'CT Chest', modalities: ['CT'], instances: 3 },
  { name: 'Smithers^Waylon', id: 'P002', birth: '1961-05-06', date: '2024-03-15', accession: 'A101', description: 'MR Brain', modalities: ['MR'], instances: 5 },
  { name: 'Jones^Mary', id: 'P003', birth: '1972-07-08', date: '2024-02-10', accession: 'A102', description: 'CT Abdomen Pelvis', modalities: ['CT', 'SR'], instances: 2 },
  { name: 'Müller^Jürgen', id: 'P004', birth: '1980-09-10', date: '2023-12-31', accession: 'B200', description: 'Knee MR', modalities: ['MR'], instances: 7 },
  { name: 'Yamada^Tarou=山田^太郎=やまだ^たろう', id: 'P005', birth: null, date: '2024-01-20', accession: 'B201', description: 'Chest X-ray', modalities: ['CR'], instances: 1 },
  { name: 'de Vries^Anna', id: 'P006', birth: '1990-11-12', date: null, accession: null, description: null, modalities: ['US'], instances: 4 },
  { name: null, id: 'P007', birth: null, date: '2024-04-01', accession: 'C300', description: 'PET CT whole body', modalities: ['CT', 'PT'], instances: 9 },
  { name: 'Smith^Jane', id: 'P008', birth: '1950-01-02', date: '2024-03-01', accession: 'A103', description: 'CT Head', modalities: ['CT'], instances: 6 },
];

function seed(db: IndexDatabase): void {
  const session = new IndexWriteSession(db);
  db.transaction(() => {
    SEEDS.forEach((s, studyIndex) => {
      s.modalities.forEach((modality, seriesIndex) => {
        const count = seriesIndex === 0 ? s.instances - (s.modalities.length - 1) : 1;
        for (let i = 0; i < count; i++) {
          const header: InstanceHeader = {
            transferSyntaxUid: null,
            specificCharacterSet: null,
            patient: { name: s.name, id: s.id, issuer: null, birthDate: s.birth, sex: null },
            study: { uid: testUid(studyIndex + 1), date: s.date, time: null, accessionNumber: s.accession, description: s.description, referringPhysicianName: null, institutionName: null, studyId: null },
            series: { uid: testUid(studyIndex + 1, seriesIndex + 1), modality, number: seriesIndex + 1, description: null, bodyPart: null },
            instance: { sopInstanceUid: testUid(studyIndex + 1, seriesIndex + 1, i + 1), sopClassUid: null, number: i + 1, rows: null, columns: null, frames: null },
          };
          const file = `/virtual/${studyIndex}/${seriesIndex}/${i}.dcm`;
          session.recordInstance(header, { sourcePath: file, storedPath: file, size: 1, mtimeMs: 1, managed: false });
        }
      });
    });
    session.refreshAggregates();
  })();
}

function openSeeded(): IndexDatabase {
  const db = openIndexDatabase(':memory:');
  seed(db);
  return db;
}

// Every test runs under both query plans: walking the sort index, and fetching matches to sort.
const PLANS: ReadonlyArray<readonly [string, QueryTuning]> = [
  ['fetch and sort matches', { fetchBelow: 2, probeFrom: 2 }],
  ['walk the sort index with id sets', { fetchBelow: 0, probeFrom: 2 }],
  ['walk the sort index and probe each row', { fetchBelow: 0, probeFrom: 0 }],
];
let tuning: QueryTuning = DEFAULT_TUNING;
const query = (db: IndexDatabase, input: StudyQueryInput) => queryStudies(db, studyQuerySchema.parse(input), tuning);
const ids = (rows: readonly StudySummary[]) => rows.map((r) => r.patientId);

describe.each(PLANS)('queryStudies: filters (%s)', (_plan, planTuning) => {
  const db = openSeeded();
  beforeEach(() => {
    tuning = planTuning;
  });

  it.each([
    ['smi', ['P001', 'P002', 'P008']],
    ['smith', ['P001', 'P002', 'P008']],
    ['smith jo', ['P001']],
    ['JOHN SMITH', ['P001']],
    ['muller', ['P004']],
    ['jürg', ['P004']],
    ['山田', ['P005']],
    ['やまだ', ['P005']],
    ['P00', ['P001', 'P002', 'P003', 'P004', 'P005', 'P006', 'P007', 'P008']],
    ['p003', ['P003']],
    ['A10', ['P001', 'P002', 'P003', 'P008']],
    ['b201', ['P005']],
    ['chest', ['P001', 'P005']],
    ['whole body', ['P007']],
    ['vries', ['P006']],
    // FTS syntax typed by a user is just words: no operators, no syntax errors.
    ['"smith*', ['P001', 'P002', 'P008']],
    ['(smith) -jane', ['P008']],
    ['smith NEAR/2', []],
    ['nobody', []],
  ])('text %j finds %j', (text, expected) => {
    const page = query(db, { text, limit: 100, sort: { column: 'patientId', direction: 'asc' } });
    expect(ids(page.rows)).toEqual(expected);
    expect(page.total).toBe(expected.length);
  });

  it('ignores text with no words in it', () => {
    expect(query(db, { text: ' -- ** ' }).total).toBe(SEEDS.length);
  });

  it.each([
    [['CT'], ['P001', 'P003', 'P007', 'P008']],
    [['MR'], ['P002', 'P004']],
    [['MR', 'CR'], ['P002', 'P004', 'P005']],
    [['SR'], ['P003']],
    [['NM'], []],
  ])('modalities %j find %j', (modalities, expected) => {
    const page = query(db, { modalities, limit: 100, sort: { column: 'patientId', direction: 'asc' } });
    expect(ids(page.rows)).toEqual(expected);
    expect(page.total).toBe(expected.length);
  });

  it.each([
    [{ dateFrom: '2024-03-01' }, ['P001', 'P002', 'P007', 'P008']],
    [{ dateTo: '2024-01-31' }, ['P004', 'P005']],
    [{ dateFrom: '2024-02-01', dateTo: '2024-03-01' }, ['P001', 'P003', 'P008']],
    [{ dateFrom: '2024-03-01', dateTo: '2024-03-31', modalities: ['CT'] }, ['P001', 'P008']],
    [{ dateFrom: '2024-01-01', text: 'chest', modalities: ['CR'] }, ['P005']],
  ])('%j finds %j (undated studies never match a range)', (filters, expected) => {
    const page = query(db, { ...filters, limit: 100, sort: { column: 'patientId', direction: 'asc' } });
    expect(ids(page.rows)).toEqual(expected);
    expect(page.total).toBe(expected.length);
  });
});

describe.each(PLANS)('queryStudies: sorting and paging (%s)', (_plan, planTuning) => {
  const db = openSeeded();
  beforeEach(() => {
    tuning = planTuning;
  });
  const all = query(db, { limit: 100, sort: { column: 'patientId', direction: 'asc' } }).rows;

  const keyOf = (row: StudySummary, column: (typeof STUDY_SORT_COLUMNS)[number]): string | number => {
    switch (column) {
      case 'patientName':
        return (row.patientName ?? '').normalize('NFKD').replace(/\p{M}/gu, '').toUpperCase().replaceAll('^', '\u0001').replaceAll('=', '\u0002');
      case 'modalities':
        return row.modalities.join('\\');
      case 'seriesCount':
      case 'instanceCount':
        return row[column];
      default:
        return row[column] ?? '';
    }
  };

  it.each(STUDY_SORT_COLUMNS.flatMap((column) => (['asc', 'desc'] as const).map((direction) => [column, direction] as const)))(
    'sorts by %s %s, absent values first ascending and last descending, and pages by cursor through every row once',
    (column, direction) => {
      const expected = [...all].sort((a, b) => {
        const [ka, kb] = [keyOf(a, column), keyOf(b, column)];
        const order = ka < kb ? -1 : ka > kb ? 1 : 0;
        return direction === 'asc' ? order : -order;
      });
      const full = query(db, { limit: 100, sort: { column, direction } }).rows;
      expect(full.map((r) => keyOf(r, column))).toEqual(expected.map((r) => keyOf(r, column)));

      const paged: StudySummary[] = [];
      let after: string | undefined;
      for (let guard = 0; guard < 10; guard++) {
        const page = query(db, { limit: 3, sort: { column, direction }, after });
        paged.push(...page.rows);
        if (page.nextCursor === null) break;
        after = page.nextCursor;
      }
      expect(paged.map((r) => r.studyInstanceUid)).toEqual(full.map((r) => r.studyInstanceUid));
    },
  );

  it('sorts a family name before longer family names that start with it', () => {
    const names = query(db, { limit: 100, sort: { column: 'patientName', direction: 'asc' } }).rows.map((r) => r.patientName);
    expect(names.indexOf('Smith^John')).toBeLessThan(names.indexOf('Smithers^Waylon'));
    expect(names.indexOf('Smith^Jane')).toBeLessThan(names.indexOf('Smith^John'));
  });

  it('gives the same rows by offset as by cursor', () => {
    const sort = { column: 'studyDate', direction: 'desc' } as const;
    const first = query(db, { limit: 3, sort });
    const byCursor = query(db, { limit: 3, sort, after: first.nextCursor ?? undefined });
    const byOffset = query(db, { limit: 3, sort, offset: 3 });
    expect(byOffset.rows).toEqual(byCursor.rows);
    expect(byOffset.total).toBe(SEEDS.length);
  });

  it('pages a filtered query and keeps the filtered total', () => {
    const first = query(db, { modalities: ['CT'], limit: 2 });
    expect(first.total).toBe(4);
    const second = query(db, { modalities: ['CT'], limit: 2, after: first.nextCursor ?? undefined });
    expect(second.nextCursor).toBeNull();
    expect(new Set([...ids(first.rows), ...ids(second.rows)])).toEqual(new Set(['P001', 'P003', 'P007', 'P008']));
  });

  it('leaves the total out when asked to', () => {
    expect(query(db, { withTotal: false }).total).toBeNull();
  });

  it('refuses a cursor that was tampered with or belongs to another sort', () => {
    const page = query(db, { limit: 2, sort: { column: 'patientName', direction: 'asc' } });
    expect(() => query(db, { after: 'not-a-cursor' })).toThrow(InvalidCursorError);
    expect(() => query(db, { sort: { column: 'seriesCount', direction: 'asc' }, after: page.nextCursor ?? '' })).toThrow(InvalidCursorError);
  });

  it('maps study rows to the shared shape with nulls for absent values', () => {
    const [undated] = query(db, { text: 'P006' }).rows;
    expect(undated).toEqual({
      studyInstanceUid: testUid(6),
      patientName: 'de Vries^Anna',
      patientId: 'P006',
      patientBirthDate: '1990-11-12',
      studyDate: null,
      studyTime: null,
      patientSex: null,
      accessionNumber: null,
      studyDescription: null,
      referringPhysicianName: null,
      institutionName: null,
      modalities: ['US'],
      seriesCount: 1,
      instanceCount: 4,
    });
  });
});

describe('studyQuerySchema', () => {
  it.each([
    [{ dateFrom: '2024-1-1' }],
    [{ modalities: ['ct; DROP TABLE studies'] }],
    [{ limit: 0 }],
    [{ limit: 5000 }],
    [{ sort: { column: 'patient_name', direction: 'asc' } }],
    [{ unknown: true }],
  ])('refuses %j', (input) => {
    expect(studyQuerySchema.safeParse(input).success).toBe(false);
  });
});

describe('ftsQuery', () => {
  it.each([
    ['smith jo', '"smith"* "jo"*'],
    ['o\'brien', '"o"* "brien"*'],
    ['"x" OR y*', '"x"* "OR"* "y"*'],
    ['  ', null],
  ])('%j → %j', (text, expected) => expect(ftsQuery(text)).toBe(expected));
});
