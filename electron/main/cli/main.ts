/**
 * The studyshare command line: import folders into a study index and list its studies, with no
 * build step (`npm run --silent cli -- …`). Exit codes: 0 success (per-file import errors are in
 * the output), 2 bad usage, 1 failure. Errors go to stderr in plain words.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { openIndexDatabase } from '../db/connection';
import { importPaths } from '../dicom-import/import-service';
import { queryStudies } from '../study-index/study-query';
import { studyQuerySchema, type StudySummary } from '../../../shared/types/study';
import type { ImportSummary } from '../../../shared/types/import';
import { formatPersonName } from '../../../shared/dicom/person-name';

const USAGE = `Usage:
  studyshare import <folder-or-file>... --db <index.sqlite> [--copy <library-folder>] [--json]
  studyshare studies --db <index.sqlite> [--search <text>] [--modality <code>] [--json]`;

class UsageError extends Error {}
class CliFailure extends Error {}

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function requireDb(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new UsageError('--db <file> is required.');
  return path.resolve(value);
}

async function runImport(args: readonly string[]): Promise<void> {
  const { values, positionals } = parse(args, {
    db: { type: 'string' },
    copy: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (positionals.length === 0) throw new UsageError('Name at least one folder or file to import.');
  const dbFile = requireDb(values.db);
  for (const root of positionals) {
    if (!existsSync(root)) throw new CliFailure(`No such file or folder: ${root}`);
  }
  mkdirSync(path.dirname(dbFile), { recursive: true });
  const db = openIndexDatabase(dbFile);
  const controller = new AbortController();
  // Ctrl-C stops after the current file; what was imported stays, and a rerun resumes.
  process.once('SIGINT', () => controller.abort());
  let summary: ImportSummary;
  try {
    summary = await importPaths(db, {
      paths: positionals,
      copyTo: typeof values.copy === 'string' ? values.copy : undefined,
      signal: controller.signal,
      onProgress: process.stderr.isTTY && !values.json
        ? (p) => process.stderr.write(`\r${p.filesDone}/${p.filesTotal ?? '?'} files, ${p.imported} imported, ${p.errors} errors`)
        : undefined,
    });
  } finally {
    db.close();
  }
  if (values.json) {
    const { filesSeen, imported, duplicates, errors, studies, series, instances, seconds } = summary;
    process.stdout.write(
      `${JSON.stringify({
        filesSeen,
        imported,
        duplicates,
        errors: errors.map(({ path: filePath, reason }) => ({ path: filePath, reason })),
        studies,
        series,
        instances,
        seconds,
        unchanged: summary.unchanged,
        dicomdirs: summary.dicomdirs,
        cancelled: summary.cancelled,
      })}\n`,
    );
    return;
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  const lines = [
    `${summary.imported} instances imported from ${summary.filesSeen} files in ${summary.seconds} s` +
      ` (${summary.studies} studies, ${summary.series} series).`,
    `${summary.duplicates} duplicates, ${summary.unchanged} unchanged, ${summary.errors.length} errors.`,
    ...summary.errors.map((e) => `  ${e.path}: ${e.reason}`),
  ];
  if (summary.cancelled) lines.push('Cancelled: run the same import again to continue.');
  process.stdout.write(`${lines.join('\n')}\n`);
}

function runStudies(args: readonly string[]): void {
  const { values, positionals } = parse(args, {
    db: { type: 'string' },
    search: { type: 'string' },
    modality: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
  });
  if (positionals.length > 0) throw new UsageError(`Unexpected argument: ${positionals[0]}`);
  const dbFile = requireDb(values.db);
  if (!existsSync(dbFile)) throw new CliFailure(`No study index at ${dbFile}. Import a folder first.`);
  const parsed = studyQuerySchema.safeParse({
    text: values.search,
    modalities: (values.modality)?.map((m) => m.toUpperCase()),
    limit: 1000,
    withTotal: false,
  });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => issue.message).join('; '));
  const db = openIndexDatabase(dbFile);
  const studies: StudySummary[] = [];
  try {
    let query = parsed.data;
    for (;;) {
      const page = queryStudies(db, query);
      studies.push(...page.rows);
      if (page.nextCursor === null) break;
      query = { ...query, after: page.nextCursor };
    }
  } finally {
    db.close();
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(studies)}\n`);
    return;
  }
  for (const s of studies) {
    process.stdout.write(
      [s.studyDate ?? '----------', formatPersonName(s.patientName).padEnd(30), (s.patientId ?? '').padEnd(12), s.modalities.join('/').padEnd(8), s.studyDescription ?? ''].join('  ') + '\n',
    );
  }
  process.stdout.write(`${studies.length} studies\n`);
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'import') await runImport(rest);
    else if (command === 'studies') runStudies(rest);
    else if (command === undefined || command === '--help' || command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    } else throw new UsageError(`Unknown command: ${command}`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${USAGE}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`studyshare: ${message}\n`);
    if (process.env.STUDYSHARE_DEBUG) console.error(error);
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
