/**
 * Name of Physician(s) Reading Study (0008,1060) from real files to the hub's links (issue 14,
 * part 1): DCMTK writes files whose 0008,1060 holds several names (ISO_IR 100, accents); the
 * desktop's import keeps every value in the index (local migration 0080); the `study.publish`
 * the desktop builds from the index carries them; and the hub links each name it knows as a
 * *reading* physician of the study, on both engines.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationSchema } from '../../../shared/hub-contract';
import { HUB_ENGINES } from '../../../server/test-support/test-database';
import { startTwoSiteHub, type TwoSiteHub } from '../../../server/test-support/two-site-hub';
import { migrate } from '../db/migrate';
import { MIGRATIONS } from '../db/migrations/index';
import { openIndexDatabase } from '../db/connection';
import { testUid } from '../dicom-write/synthetic-study';
import { findStudy } from '../study-index/study-lookup';
import { tempDir } from '../test-support/temp-dir';
import { parseInstanceHeader } from './instance-header';
import { importPaths } from './import-service';
import { dcmtkAvailable } from '../test-support/dcmtk-available';

const available = dcmtkAvailable('dump2dcm');

/** A one-instance study written by DCMTK, with `reading` as the raw 0008,1060 value (or none). */
function writeStudy(folder: string, study: number, reading: string | null, referring = 'Referrer^Rolf'): string {
  mkdirSync(folder, { recursive: true });
  const dump = `
(0008,0005) CS [ISO_IR 100]
(0008,0016) UI [1.2.840.10008.5.1.4.1.1.7]
(0008,0018) UI [${testUid(study, 1, 1)}]
(0008,0020) DA [20240501]
(0008,0060) CS [OT]
(0008,0090) PN [${referring}]
${reading === null ? '' : `(0008,1060) PN [${reading}]`}
(0010,0010) PN [Patient^${study}]
(0010,0020) LO [P-${study}]
(0020,000d) UI [${testUid(study)}]
(0020,000e) UI [${testUid(study, 1)}]
(0028,0002) US 1
(0028,0004) CS [MONOCHROME2]
(0028,0010) US 2
(0028,0011) US 2
(0028,0100) US 8
(0028,0101) US 8
(0028,0102) US 7
(0028,0103) US 0
(7fe0,0010) OB 01\\02\\03\\04
`;
  // The dump beside the folder, not in it: the import reads every file of the folder.
  const dumpFile = `${folder}-study-${study}.dump`;
  writeFileSync(dumpFile, Buffer.from(dump, 'latin1'));
  const file = path.join(folder, `study-${study}.dcm`);
  execFileSync('dump2dcm', ['+te', dumpFile, file]);
  return file;
}

describe('migration 0080: reading physicians', () => {
  it('adds a nullable reading_physician_names to studies, keeping the rows there', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.filter((m) => m.version <= 70));
    const patient = db.prepare("INSERT INTO patients (identity) VALUES ('P') RETURNING id").get() as { id: number };
    db.prepare("INSERT INTO studies (study_uid, patient_ref, created_at, updated_at) VALUES ('1.2.3', ?, 'now', 'now')").run(patient.id);
    migrate(db, MIGRATIONS.filter((m) => m.version <= 80));
    expect(db.prepare('SELECT study_uid, reading_physician_names FROM studies').all()).toEqual([{ study_uid: '1.2.3', reading_physician_names: null }]);
    db.close();
  });
});

describe.skipIf(!available)('0008,1060 from files written by DCMTK', () => {
  it('reads every value of a multi-valued 0008,1060, decoded, and none when the file has none or only blanks', () => {
    const dir = tempDir();
    const many = parseInstanceHeader(new Uint8Array(readFileSync(writeStudy(dir, 1, 'Ölund^Örjan\\READER^RITA^^DR\\Núñez^Óscar'))));
    expect(many?.kind === 'instance' && many.header.study.readingPhysicianNames).toBe('Ölund^Örjan\\READER^RITA^^DR\\Núñez^Óscar');
    const none = parseInstanceHeader(new Uint8Array(readFileSync(writeStudy(dir, 2, null))));
    expect(none?.kind === 'instance' && none.header.study.readingPhysicianNames).toBeNull();
    const blanks = parseInstanceHeader(new Uint8Array(readFileSync(writeStudy(dir, 3, ' \\ '))));
    expect(blanks?.kind === 'instance' && blanks.header.study.readingPhysicianNames).toBeNull();
  });

  it('keeps whole names only when the values run past what the hub takes (1000 characters)', () => {
    const dir = tempDir();
    const long = Array.from({ length: 40 }, (_, n) => `Reader${n}^${'X'.repeat(20)}`).join('\\');
    const parsed = parseInstanceHeader(new Uint8Array(readFileSync(writeStudy(dir, 4, long))));
    const kept = parsed?.kind === 'instance' ? parsed.header.study.readingPhysicianNames : null;
    expect(kept!.length).toBeLessThanOrEqual(1000);
    expect(kept!.split('\\').every((name) => /^Reader\d+\^X{20}$/.test(name))).toBe(true);
    const names = long.split('\\');
    const count = kept!.split('\\').length;
    expect(kept).toBe(names.slice(0, count).join('\\'));
    expect(`${kept}\\${names[count]}`.length).toBeGreaterThan(1000);
  });

  describe.each(HUB_ENGINES)('imported, published, linked (%s)', (engine) => {
    let fixture: TwoSiteHub;
    const clock = new Date('2031-05-01T08:00:00Z');
    beforeAll(async () => {
      fixture = await startTwoSiteHub(engine, { now: () => clock });
      await fixture.addPerson('rad', fixture.siteA, 'Radiologist', 'Rad');
    });
    afterAll(async () => {
      await fixture.close();
    });

    it('imports the names into the index and the hub links each known one as reading', async () => {
      const dir = tempDir();
      writeStudy(path.join(dir, 'in'), 11, 'Ölund^Örjan\\Unknown^Person\\READER^RITA^^DR');
      const db = openIndexDatabase(path.join(dir, 'index.sqlite'));
      const summary = await importPaths(db, { paths: [path.join(dir, 'in')] });
      expect(summary.errors).toEqual([]);
      const study = findStudy(db, testUid(11))!;
      db.close();
      expect(study.readingPhysicianNames).toBe('Ölund^Örjan\\Unknown^Person\\READER^RITA^^DR');
      expect(study.referringPhysicianName).toBe('Referrer^Rolf');

      for (const body of [
        { displayName: 'Örjan Ölund', familyName: 'Ölund', givenNames: 'Örjan' },
        { displayName: 'Rita Reader', familyName: 'Reader', givenNames: 'Rita' },
        { displayName: 'Rolf Referrer', familyName: 'Referrer', givenNames: 'Rolf' },
      ]) {
        const answer = await fixture.call('POST', '/api/physicians', 'admin', body);
        expect(answer.statusCode, answer.body).toBe(201);
      }
      // The operation exactly as the desktop queues it (hub-connection's uploadStudy), through the contract.
      const operation = operationSchema.parse({ id: randomUUID(), kind: 'study.publish', study: { ...study, modalities: [...study.modalities] }, private: false });
      expect(operation.kind === 'study.publish' && operation.study.readingPhysicianNames).toBe(study.readingPhysicianNames);
      const [published] = await fixture.operate('rad', operation);
      expect(published.status, JSON.stringify(published)).toBe('applied');
      const studyId = String(published.value!.studyId);
      const links = await fixture.call('GET', `/api/studies/${studyId}/physicians`, 'admin');
      expect(links.statusCode, links.body).toBe(200);
      expect(links.json<{ physicians: { displayName: string; relation: string }[] }>().physicians.map((p) => [p.displayName, p.relation])).toEqual([
        ['Rolf Referrer', 'referring'],
        ['Örjan Ölund', 'reading'],
        ['Rita Reader', 'reading'],
      ]);
    });
  });
});
