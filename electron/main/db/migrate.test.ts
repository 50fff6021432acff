import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/temp-dir';
import { openIndexDatabase } from './connection';
import { DatabaseFromFutureError, migrate, schemaVersion } from './migrate';
import { MIGRATIONS, type Migration } from './migrations/index';

describe('migrate', () => {
  it('numbers migrations in increasing steps of 10', () => {
    MIGRATIONS.forEach((migration, i) => expect(migration.version).toBe((i + 1) * 10));
  });

  it('brings a new database to the latest version and is a no-op the second time', () => {
    const db = new Database(':memory:');
    expect(migrate(db)).toBe(MIGRATIONS.at(-1)?.version);
    expect(migrate(db)).toBe(MIGRATIONS.at(-1)?.version);
    expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)?.version);
  });

  it('refuses a database written by a newer version, and leaves it untouched', () => {
    const file = path.join(tempDir(), 'future.sqlite');
    const db = new Database(file);
    db.pragma('user_version = 990');
    db.close();
    expect(() => openIndexDatabase(file)).toThrow(DatabaseFromFutureError);
    const again = new Database(file);
    expect(again.pragma('user_version', { simple: true })).toBe(990);
    again.close();
  });

  it('rolls every pending migration back when one fails', () => {
    const db = new Database(':memory:');
    const failing: Migration[] = [
      ...MIGRATIONS,
      { version: 990, name: 'broken', up: (d) => d.exec('CREATE TABLE half (x); SELECT * FROM no_such_table;') },
    ];
    expect(() => migrate(db, failing)).toThrow(/no_such_table/);
    expect(schemaVersion(db)).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name IN ('studies', 'half')").get()).toEqual({ n: 0 });
  });
});

describe('migration 0010: study index', () => {
  const db = new Database(':memory:');
  migrate(db, MIGRATIONS.filter((m) => m.version <= 10));

  it('creates strict tables for patients, studies, series, instances and files', () => {
    const tables = db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'studies_fts%'").all() as { name: string; sql: string }[];
    expect(tables.map((t) => t.name).sort()).toEqual(['files', 'instances', 'patients', 'series', 'studies', 'study_modalities', 'study_totals']);
    for (const table of tables) expect(table.sql).toMatch(/STRICT/);
  });

  it('keeps the full-text index and the study total in step with the studies table', () => {
    db.prepare("INSERT INTO patients (id, identity) VALUES (1, 'id:P1|')").run();
    const insert = db.prepare(
      "INSERT INTO studies (study_uid, patient_ref, patient_name, accession_number, created_at, updated_at) VALUES (?, 1, ?, ?, 'now', 'now')",
    );
    insert.run('1.2.3', 'Curie^Marie', 'ACC9');
    insert.run('1.2.4', 'Pasteur^Louis', 'ACC10');
    const total = () => (db.prepare('SELECT studies FROM study_totals').get() as { studies: number }).studies;
    const match = (q: string) => (db.prepare('SELECT count(*) AS n FROM studies_fts WHERE studies_fts MATCH ?').get(q) as { n: number }).n;
    expect(total()).toBe(2);
    expect(match('"curie"')).toBe(1);
    db.prepare("UPDATE studies SET patient_name = 'Sklodowska^Marie' WHERE study_uid = '1.2.3'").run();
    expect(match('"curie"')).toBe(0);
    expect(match('"sklodowska"')).toBe(1);
    db.prepare("DELETE FROM studies WHERE study_uid = '1.2.4'").run();
    expect(total()).toBe(1);
    expect(match('"pasteur"')).toBe(0);
  });

  it('rejects a value of the wrong type (STRICT)', () => {
    expect(() =>
      db.prepare("INSERT INTO studies (study_uid, patient_ref, series_count, created_at, updated_at) VALUES ('9', 1, 'many', 'x', 'x')").run(),
    ).toThrow(/cannot store TEXT value in INTEGER column/);
  });
});

describe('migration 0020: sync', () => {
  const db = new Database(':memory:');
  migrate(db, MIGRATIONS.filter((m) => m.version <= 20));

  it('adds the outbox, sync state, hub cache and uploads as strict tables', () => {
    const tables = db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name IN ('outbox', 'sync_state', 'hub_studies', 'uploads')").all() as { name: string; sql: string }[];
    expect(tables.map((t) => t.name).sort()).toEqual(['hub_studies', 'outbox', 'sync_state', 'uploads']);
    for (const table of tables) expect(table.sql).toMatch(/STRICT/);
  });

  it('keeps one row per operation id, so an operation is queued once', () => {
    const insert = db.prepare("INSERT INTO outbox (id, kind, payload, created_at) VALUES ('op-1', 'share.create', '{}', 'now')");
    insert.run();
    expect(() => insert.run()).toThrow(/UNIQUE/);
    expect(() => db.prepare("UPDATE outbox SET state = 'lost' WHERE id = 'op-1'").run()).toThrow(/CHECK/);
  });
});

describe('migration 0040: workstation', () => {
  it('adds local profiles, workstation settings and published studies as strict tables, and remembers what was already on the hub', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.filter((m) => m.version <= 30));
    db.prepare("INSERT INTO hub_studies (hub_study_id, study_uid, private, summary, actions, shares, seq) VALUES ('h-1', '1.2.1', 0, '{}', '[]', '[]', 1)").run();
    db.prepare(
      `INSERT INTO outbox (id, kind, payload, state, result, created_at, settled_at) VALUES
        ('op-1', 'study.publish', '{"kind":"study.publish","study":{"studyInstanceUid":"1.2.2"}}', 'applied', '{"status":"applied","value":{"studyId":"h-2"}}', 'a', 'b'),
        ('op-2', 'study.publish', '{"kind":"study.publish","study":{"studyInstanceUid":"1.2.3"}}', 'rejected', '{"status":"rejected"}', 'a', 'b')`,
    ).run();
    migrate(db, MIGRATIONS.filter((m) => m.version <= 40));
    const tables = db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name IN ('local_profiles', 'workstation_settings', 'published_studies')").all() as { name: string; sql: string }[];
    expect(tables.map((t) => t.name).sort()).toEqual(['local_profiles', 'published_studies', 'workstation_settings']);
    for (const table of tables) expect(table.sql).toMatch(/STRICT/);
    expect(db.prepare('SELECT study_uid AS uid, hub_study_id AS hub, uploader_id AS uploader FROM published_studies ORDER BY study_uid').all()).toEqual([
      { uid: '1.2.1', hub: 'h-1', uploader: null },
      { uid: '1.2.2', hub: 'h-2', uploader: null },
    ]);
    const insert = db.prepare("INSERT INTO local_profiles (name, name_key, password_hash, admin, created_at) VALUES ('Ada', 'ada', 'x', 1, 'now')");
    insert.run();
    expect(() => insert.run()).toThrow(/UNIQUE/);
  });
});
