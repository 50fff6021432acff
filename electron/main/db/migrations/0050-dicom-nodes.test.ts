import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../migrate';
import { MIGRATIONS } from './index';

describe('migration 0050: DICOM nodes', () => {
  it('adds nodes, the listener (off, STUDYSHARE on 11112) and transfers as strict tables with their checks', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.filter((m) => m.version <= 40));
    migrate(db, MIGRATIONS.filter((m) => m.version <= 50));
    const tables = db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name LIKE 'dicom_%'").all() as { name: string; sql: string }[];
    expect(tables.map((t) => t.name).sort()).toEqual(['dicom_listener', 'dicom_nodes', 'dicom_transfers']);
    for (const table of tables) expect(table.sql).toMatch(/STRICT/);
    expect(db.prepare('SELECT enabled, port, ae_title AS aeTitle, auto_publish AS autoPublish FROM dicom_listener').all()).toEqual([
      { enabled: 0, port: 11112, aeTitle: 'STUDYSHARE', autoPublish: 0 },
    ]);
    expect(() => db.prepare('INSERT INTO dicom_listener (id) VALUES (2)').run()).toThrow(/CHECK/);
    const node = db.prepare("INSERT INTO dicom_nodes (name, ae_title, host, port, created_at) VALUES ('PACS', 'ORTHANC', 'pacs', 4242, 'now')");
    node.run();
    expect(() => node.run()).toThrow(/UNIQUE/);
    expect(() => db.prepare("INSERT INTO dicom_nodes (name, ae_title, host, port, created_at) VALUES ('x', 'A_TITLE_LONGER_THAN_16', 'h', 104, 'now')").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO dicom_nodes (name, ae_title, host, port, created_at) VALUES ('x', 'B', 'h', 70000, 'now')").run()).toThrow(/CHECK/);
  });
});
