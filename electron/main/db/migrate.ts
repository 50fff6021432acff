/**
 * Runs the numbered migrations in one transaction and records the schema version in
 * `user_version`. A database written by a newer Studyshare is refused, not downgraded.
 */
import type Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations/index';

export class DatabaseFromFutureError extends Error {
  constructor(readonly found: number, readonly known: number) {
    super(
      `This study index was written by a newer version of Studyshare (schema ${found}, this version knows up to ${known}). Update Studyshare to open it.`,
    );
    this.name = 'DatabaseFromFutureError';
  }
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const latest = migrations.at(-1)?.version ?? 0;
  const current = schemaVersion(db);
  if (current > latest) throw new DatabaseFromFutureError(current, latest);
  const pending = migrations.filter((migration) => migration.version > current);
  if (pending.length === 0) return current;
  db.transaction(() => {
    for (const migration of pending) {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }
  }).immediate();
  return latest;
}
