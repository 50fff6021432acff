/**
 * Which local studies a person signed in at the desktop sees: a published study another hub
 * user cannot see is not listed (nor counted, nor found by search, nor opened); never-published
 * studies are listed for anyone signed in; a local profile sees no published study. The SQL
 * condition is checked against the pure rule on random small worlds.
 */
import { describe, expect, it } from 'vitest';
import { studyQuerySchema, type StudyQueryInput } from '../../../shared/types/study';
import { openIndexDatabase, type IndexDatabase } from '../db/connection';
import type { InstanceHeader } from '../dicom-import/instance-header';
import { testUid } from '../dicom-write/synthetic-study';
import { localStudyVisible, rememberPublished, studyVisibleLocally, type IndexViewer } from './local-visibility';
import { IndexWriteSession } from './study-index-writer';
import { DEFAULT_TUNING, queryStudies } from './study-query';

function seed(db: IndexDatabase, names: readonly string[]): string[] {
  const session = new IndexWriteSession(db);
  const uids = names.map((_, i) => testUid(i + 1));
  db.transaction(() => {
    names.forEach((name, i) => {
      const header: InstanceHeader = {
        transferSyntaxUid: null,
        specificCharacterSet: null,
        patient: { name, id: `P${i}`, issuer: null, birthDate: null, sex: null },
        study: { uid: uids[i], date: `2024-01-${String(i + 1).padStart(2, '0')}`, time: null, accessionNumber: `A${i}`, description: i % 2 === 0 ? 'CT Chest' : 'MR Knee', referringPhysicianName: null, institutionName: null, studyId: null },
        series: { uid: testUid(i + 1, 1), modality: i % 2 === 0 ? 'CT' : 'MR', number: 1, description: null, bodyPart: null },
        instance: { sopInstanceUid: testUid(i + 1, 1, 1), sopClassUid: null, number: 1, rows: null, columns: null, frames: null },
      };
      session.recordInstance(header, { sourcePath: `/v/${i}.dcm`, storedPath: `/v/${i}.dcm`, size: 1, mtimeMs: 1, managed: false });
    });
    session.refreshAggregates();
  })();
  return uids;
}

/** What the hub cache says this user sees (the sync client's table), and whose cache it is. */
function hubCache(db: IndexDatabase, userId: string, uids: readonly string[]): void {
  db.prepare('DELETE FROM hub_studies').run();
  db.prepare("INSERT INTO sync_state (key, value) VALUES ('user_id', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(userId);
  uids.forEach((uid) => db.prepare("INSERT INTO hub_studies (hub_study_id, study_uid, private, summary, actions, shares, seq) VALUES (?, ?, 0, '{}', '[]', '[]', 1)").run(`h-${uid}`, uid));
}

const list = (db: IndexDatabase, viewer: IndexViewer, input: StudyQueryInput = {}) => {
  const page = queryStudies(db, studyQuerySchema.parse({ limit: 100, sort: { column: 'patientName', direction: 'asc' }, ...input }), DEFAULT_TUNING, viewer);
  return { total: page.total, names: page.rows.map((row) => row.patientName) };
};

const RITA: IndexViewer = { hubUserId: 'u-rita' };
const OLGA: IndexViewer = { hubUserId: 'u-olga' };
const PROFILE: IndexViewer = { hubUserId: null };

describe('local studies follow the hub’s visibility where they are published', () => {
  it('lists a published study only for its uploader and those the hub lets see it; unpublished ones for anyone signed in', () => {
    const db = openIndexDatabase(':memory:');
    const [amy, ben, cleo, dan] = seed(db, ['Amy^Published', 'Ben^Local', 'Cleo^Shared', 'Dan^Local']);
    rememberPublished(db, amy, 'h-amy', 'u-rita');
    rememberPublished(db, cleo, 'h-cleo', null);
    hubCache(db, 'u-rita', [amy, cleo]);

    expect(list(db, RITA)).toEqual({ total: 4, names: ['Amy^Published', 'Ben^Local', 'Cleo^Shared', 'Dan^Local'] });
    // Olga signed in: the cache is hers now (the sync client drops the previous user's).
    hubCache(db, 'u-olga', [cleo]);
    expect(list(db, OLGA)).toEqual({ total: 3, names: ['Ben^Local', 'Cleo^Shared', 'Dan^Local'] });
    // Rita's upload stays hers even before her cache is back.
    expect(list(db, RITA)).toEqual({ total: 3, names: ['Amy^Published', 'Ben^Local', 'Dan^Local'] });
    // A local profile is no hub user: only what was never published.
    expect(list(db, PROFILE)).toEqual({ total: 2, names: ['Ben^Local', 'Dan^Local'] });
    // Search, modality filters and paging count with the same condition.
    expect(list(db, OLGA, { text: 'published' })).toEqual({ total: 0, names: [] });
    expect(list(db, OLGA, { modalities: ['CT'] })).toEqual({ total: 1, names: ['Cleo^Shared'] });
    expect(list(db, RITA, { text: 'amy' })).toEqual({ total: 1, names: ['Amy^Published'] });
    const first = queryStudies(db, studyQuerySchema.parse({ limit: 1, sort: { column: 'patientName', direction: 'asc' } }), DEFAULT_TUNING, OLGA);
    const second = queryStudies(db, studyQuerySchema.parse({ limit: 1, after: first.nextCursor!, sort: { column: 'patientName', direction: 'asc' } }), DEFAULT_TUNING, OLGA);
    const third = queryStudies(db, studyQuerySchema.parse({ limit: 5, offset: 2, sort: { column: 'patientName', direction: 'asc' } }), DEFAULT_TUNING, OLGA);
    expect([...first.rows, ...second.rows, ...third.rows].map((row) => row.patientName)).toEqual(['Ben^Local', 'Cleo^Shared', 'Dan^Local']);
    // One study at a time (details, sharing) follows the same rule.
    expect(localStudyVisible(db, amy, OLGA)).toBe(false);
    expect(localStudyVisible(db, ben, OLGA)).toBe(true);
    expect(localStudyVisible(db, amy, RITA)).toBe(true);
    expect(localStudyVisible(db, dan, PROFILE)).toBe(true);
    // The CLI reads the whole index.
    expect(queryStudies(db, studyQuerySchema.parse({ limit: 10 })).total).toBe(4);
  });

  it('equals the pure rule on random small worlds', () => {
    let state = 42;
    const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const users = ['u-a', 'u-b', 'u-c'];
    for (let world = 0; world < 40; world++) {
      const db = openIndexDatabase(':memory:');
      const uids = seed(db, Array.from({ length: 8 }, (_, i) => `Patient^${world}^${i}`));
      const facts = uids.map((uid) => {
        const published = random() < 0.6;
        const uploaders = published ? users.filter(() => random() < 0.3) : [];
        if (published) {
          rememberPublished(db, uid, `h-${uid}`, null);
          uploaders.forEach((uploader, i) => rememberPublished(db, uid, `h-${uid}-${i}`, uploader));
        }
        return { uid, published, uploaders, cached: published && random() < 0.5 };
      });
      const cacheUser = users[Math.floor(random() * users.length)];
      hubCache(db, cacheUser, facts.filter((f) => f.cached).map((f) => f.uid));
      for (const viewer of [...users.map((id) => ({ hubUserId: id })), PROFILE]) {
        const expected = facts.filter((f) => studyVisibleLocally({ published: f.published, uploaders: f.uploaders, inHubCache: f.cached, cacheUserId: cacheUser }, viewer)).map((f) => f.uid);
        const page = queryStudies(db, studyQuerySchema.parse({ limit: 100, sort: { column: 'studyDate', direction: 'asc' } }), DEFAULT_TUNING, viewer);
        expect(page.rows.map((row) => row.studyInstanceUid)).toEqual(expected);
        expect(page.total).toBe(expected.length);
      }
    }
  });
});
