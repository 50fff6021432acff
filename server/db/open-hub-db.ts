/**
 * Opens the hub's database, migrated before use: a SQLite file through better-sqlite3 (the
 * embedded hub, small sites), or PostgreSQL through `pg` when the target is a postgres:// or
 * postgresql:// URL (a site running several hub processes on one database).
 */
import { chmodSync, closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { hubMigrations } from './migrations';
import { withStatementCache } from './statement-cache';
import type { HubDatabase } from './schema';

/** Connections per hub process: enough for requests waiting on I/O, few enough that several processes fit PostgreSQL's default max_connections (100). */
const POOL_SIZE = 10;

export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/**
 * A PostgreSQL URL as it may be shown to a person or a log: host, port and database name only.
 * The user name and the password never appear (the URL is a secret as a whole).
 */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || '(default database)';
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}/${database}`;
  } catch {
    return '(an address that is not a valid URL)';
  }
}

/** Thrown when the database cannot be reached or used at start; its message names no credentials. */
export class HubDatabaseUnavailableError extends Error {
  override readonly name = 'HubDatabaseUnavailableError';
}

// pg hands 64-bit integers (count(*), sum(), bigint columns) and numerics back as strings, since
// they may exceed a JS number; the hub's are counts and sizes far below 2^53, and SQLite gives
// numbers: read them as numbers so the same code runs on both engines.
const parseNumber = (text: string): number => Number(text);
const NUMBER_AS_TEXT = new Set<number>([pg.types.builtins.INT8, pg.types.builtins.NUMERIC]);
const defaultParser = pg.types.getTypeParser.bind(pg.types) as (oid: number, format?: 'text' | 'binary') => (value: string) => unknown;
const hubPgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (NUMBER_AS_TEXT.has(oid) ? parseNumber : defaultParser(oid, format))) as typeof pg.types.getTypeParser,
};

const HUB_SESSION_OPTIONS = '-c jit=off -c max_parallel_workers_per_gather=0';

function openPostgres(url: string): Kysely<HubDatabase> {
  // The hub's queries are short and end in a LIMIT: for them PostgreSQL's JIT compiler and
  // parallel workers cost more than they save — at a million studies JIT spent 420 ms compiling a
  // case manager's 20 ms list, and starting two workers added 100 ms to a search (bench:hub
  // --scale, EXPLAIN ANALYZE). Off for the hub's own sessions only; the server's settings stay.
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, types: hubPgTypes, connectionTimeoutMillis: 10_000, options: HUB_SESSION_OPTIONS });
  // An idle connection that the server drops (restart, pg_terminate_backend) is reported on the
  // pool; without a listener Node would end the process. The pool replaces it on the next query.
  pool.on('error', () => undefined);
  return new Kysely<HubDatabase>({ dialect: new PostgresDialect({ pool }) });
}

function openSqlite(file: string): Kysely<HubDatabase> {
  // Owner-only: the file holds patient data. Made so before SQLite opens it (SQLite gives its
  // -wal and -shm files the database file's mode), and tightened on a file an older hub made 0644.
  if (file !== ':memory:') {
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
  }
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // What is deleted or cleared is overwritten, not left in free space: a sent mail's link
  // (registration, password reset) must not stay readable in a copy of the file.
  sqlite.pragma('secure_delete = ON');
  // Up to 256 MB of pages kept in the process (the default is 2 MB): at a million studies a
  // list's index walks and probes then read memory instead of copying pages from the OS cache,
  // which halved the first page of a department member's or a case manager's list (bench:hub
  // --scale). It is a ceiling, not an allocation: a small hub's file never fills it.
  sqlite.pragma('cache_size = -262144');
  return new Kysely<HubDatabase>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
}

/** `target`: a SQLite file path, or a postgres:// / postgresql:// URL. */
export async function openHubDatabase(target: string): Promise<Kysely<HubDatabase>> {
  const postgres = isPostgresUrl(target);
  const db = postgres ? openPostgres(target) : openSqlite(target);
  let result;
  try {
    // On PostgreSQL the Migrator runs each migration in its own transaction and holds an
    // advisory lock meanwhile, so hub processes starting together migrate once.
    result = await new Migrator({ db, provider: hubMigrations }).migrateToLatest();
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw unavailable(postgres, target, error);
  }
  if (result.error !== undefined) {
    await db.destroy().catch(() => undefined);
    if (postgres && isConnectionError(result.error)) throw unavailable(postgres, target, result.error);
    throw result.error instanceof Error ? result.error : new Error('the hub database could not be migrated');
  }
  return db;
}

function unavailable(postgres: boolean, target: string, error: unknown): Error {
  if (!postgres) return error instanceof Error ? error : new Error('the hub database could not be opened');
  const code = (error as { code?: unknown }).code;
  const reason = typeof code === 'string' ? ` (${code})` : '';
  return new HubDatabaseUnavailableError(`The hub database at ${describeDatabaseUrl(target)} could not be reached or opened${reason}; check that PostgreSQL runs there and that HUB_DATABASE_URL is right.`);
}

/** Seconds a client is asked to wait (Retry-After) while the database is away. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * Whether a failed request failed because the database is away for now (answer 503 and let the
 * client retry) rather than because of the request: PostgreSQL down, unreachable, restarting or
 * refusing connections; SQLite busy past its timeout, or its file gone or unreadable.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (isConnectionError(error)) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|NOTADB|PROTOCOL)/.test(code);
}

/** Connection-level failures: the server is down, unreachable, refusing us, or restarting. */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // Node's socket errors, and PostgreSQL's classes 08 (connection exception), 57P0x (admin
    // shutdown, crash shutdown, cannot connect now, database dropped), 53300 (too many connections),
    // 28xxx (authentication failed), 3D000 (no such database).
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN'].includes(code)) return true;
    if (/^08/.test(code) || /^57P0[1-4]$/.test(code) || code === '53300' || /^28/.test(code) || code === '3D000') return true;
  }
  const message = (error as { message?: unknown }).message;
  // 55000 with this wording: the database was closed to connections (ALTER DATABASE … ALLOW_CONNECTIONS false).
  if (code === '55000' && typeof message === 'string' && /not currently accepting connections/.test(message)) return true;
  // pg's own wording when a connection is lost mid-query or the pool cannot connect in time.
  return typeof message === 'string' && /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(message);
}
