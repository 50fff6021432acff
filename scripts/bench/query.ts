/**
 * bench:query — fills an index with 1,000,000 generated studies (kept under .bench/ and reused),
 * then times typical worklist queries and prints p50/p95 for each:
 * name prefix, modality + date range sorted by date, deep pages (keyset and offset), and more.
 *
 *   npm run bench:query [-- --studies 1000000 --iterations 200]
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { studyQuerySchema, type StudyQueryInput } from '../../shared/types/study';
import { openIndexDatabase, type IndexDatabase } from '../../electron/main/db/connection';
import { queryStudies } from '../../electron/main/study-index/study-query';
import { FAMILY_NAMES, GIVEN_NAMES } from '../../electron/main/dicom-write/sample-names';
import { DAY_MS, DAYS, FIRST_DAY, fillIndex, isoDay, rng } from './fill-index';

const { values } = parseArgs({
  options: { studies: { type: 'string', default: '1000000' }, iterations: { type: 'string', default: '200' } },
});
const total = Number(values.studies);
const iterations = Number(values.iterations);

function openFilled(): IndexDatabase {
  const dir = path.resolve('.bench/query');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `index-${total}.sqlite`);
  if (!existsSync(file)) {
    const building = `${file}.building`;
    for (const suffix of ['', '-wal', '-shm']) rmSync(building + suffix, { force: true });
    const db = openIndexDatabase(building);
    fillIndex(db, total);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    renameSync(building, file);
  }
  return openIndexDatabase(file);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function measure(db: IndexDatabase, label: string, make: (i: number) => StudyQueryInput): void {
  const times: number[] = [];
  let rows = 0;
  let matched = 0;
  // Two untimed runs warm the statement cache and the pages the query touches.
  for (let i = 0; i < 2; i++) queryStudies(db, studyQuerySchema.parse(make(i)));
  for (let i = 0; i < iterations; i++) {
    const query = studyQuerySchema.parse(make(i + 2));
    const t0 = performance.now();
    const page = queryStudies(db, query);
    times.push(performance.now() - t0);
    rows += page.rows.length;
    matched += page.total ?? 0;
  }
  times.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(58)} p50 ${percentile(times, 50).toFixed(2).padStart(6)} ms   p95 ${percentile(times, 95).toFixed(2).padStart(6)} ms` +
      `   (avg ${Math.round(rows / iterations)} rows, avg total ${Math.round(matched / iterations)})`,
  );
}

function main(): void {
  const db = openFilled();
  const random = rng(7);
  const prefixes = FAMILY_NAMES.map((name) => name.slice(0, 3).toLowerCase());
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const modalities = ['CT', 'MR', 'CR', 'US', 'DX', 'MG', 'NM', 'PT'];
  const rangeStart = () => FIRST_DAY + Math.floor(random() * (DAYS - 30)) * DAY_MS;
  // Cursors for deep pages come from the rows at deep offsets (fetched before the timing).
  const deepCursor = (offset: number): string => {
    const page = queryStudies(db, studyQuerySchema.parse({ limit: 1, offset, withTotal: false }));
    return page.nextCursor ?? '';
  };
  const deepCursors = Array.from({ length: 16 }, () => deepCursor(Math.floor(total * (0.5 + random() * 0.49))));

  console.log(`bench:query on ${total.toLocaleString('en')} studies, ${iterations} queries each, pages of 100 with totals`);
  measure(db, 'name prefix (3 letters), newest first', () => ({ text: pick(prefixes) }));
  measure(db, 'name prefix + given name ("smi jo"), newest first', () => ({ text: `${pick(prefixes)} ${pick(GIVEN_NAMES).slice(0, 2)}` }));
  measure(db, 'modality + 30-day range, newest first', () => {
    const from = rangeStart();
    return { modalities: [pick(modalities)], dateFrom: isoDay(from), dateTo: isoDay(from + 30 * DAY_MS) };
  });
  measure(db, 'modality + 1-year range, newest first', () => {
    const from = FIRST_DAY + Math.floor(random() * (DAYS - 365)) * DAY_MS;
    return { modalities: [pick(modalities)], dateFrom: isoDay(from), dateTo: isoDay(from + 365 * DAY_MS) };
  });
  measure(db, 'deep page by cursor (rows 500k–990k), newest first', (i) => ({ after: deepCursors[i % deepCursors.length] }));
  measure(db, 'deep page by offset (rows 500k–990k), newest first', () => ({ offset: Math.floor(total * (0.5 + random() * 0.49)) }));
  measure(db, 'first page sorted by patient name', () => ({ sort: { column: 'patientName', direction: 'asc' } }));
  measure(db, 'accession number lookup', () => ({ text: `ACC${String(1 + Math.floor(random() * total)).padStart(9, '0')}` }));
  db.close();
}

main();
