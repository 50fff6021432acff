/**
 * better-sqlite3 for Kysely with prepared statements kept and reused. Kysely's SQLite driver
 * prepares every query anew, which on the hub's hot paths (a batch of 500 shares, a change feed
 * page) cost as much as running them. Statements are keyed by their SQL text; the oldest are
 * dropped past a bound, since `IN (?, ?, …)` lists make many distinct texts.
 */
import type Database from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

const LIMIT = 500;

export function withStatementCache(sqlite: Database.Database): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = sqlite.prepare(sql);
        if (cache.size >= LIMIT) cache.delete(cache.keys().next().value as string);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}
