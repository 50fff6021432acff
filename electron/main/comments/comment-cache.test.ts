/**
 * Comments reach other desktops through the change feed (issue 16), with the real sync client
 * against a real hub over HTTP: a comment written from one desktop's outbox (offline first, sent
 * when the hub answers) makes the study's entry in another desktop's next pull announce a newer
 * comment revision in its local `comment_cache` (local migration 0070), so its copy is read again;
 * a study made private for that person takes its comments' copy away at the next pull.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../../server/accounts/accounts-repository';
import { hashPassword } from '../../../server/auth/password';
import { createSession } from '../../../server/auth/sessions';
import { testStudySummary } from '../../../server/test-support/study-summary';
import { openIndexDatabase, type IndexDatabase } from '../db/connection';
import { migrate } from '../db/migrate';
import { MIGRATIONS } from '../db/migrations/index';
import { HubClient } from '../sync-client/hub-client';
import { SyncClient } from '../sync-client/sync-client';
import { TestHub } from '../test-support/test-hub';

describe('migration 0070: the comment cache', () => {
  it('adds a strict table keyed by hub study, with the announced and fetched revisions', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.filter((m) => m.version <= 60));
    migrate(db, MIGRATIONS.filter((m) => m.version <= 70));
    const table = db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'comment_cache'").get() as { sql: string };
    expect(table.sql).toMatch(/STRICT/);
    db.prepare("INSERT INTO comment_cache (hub_study_id, announced_revision) VALUES ('s', 3)").run();
    expect(db.prepare('SELECT announced_revision, fetched_revision, may_comment, comments FROM comment_cache').get()).toEqual({ announced_revision: 3, fetched_revision: null, may_comment: 0, comments: '[]' });
    expect(() => db.prepare("INSERT INTO comment_cache (hub_study_id) VALUES ('s')").run()).toThrow(/UNIQUE|PRIMARY/);
  });
});

describe('comments reach another desktop by the change feed (sqlite hub)', () => {
  let dir: string;
  let hub: TestHub;
  const people: Record<string, { id: string; token: string; local: IndexDatabase; sync: SyncClient }> = {};
  let studyId = '';

  const announced = async (who: string) => {
    await people[who].sync.pull();
    return (people[who].local.prepare('SELECT announced_revision AS revision FROM comment_cache WHERE hub_study_id = ?').get(studyId) as { revision: number } | undefined)?.revision ?? null;
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'studyshare-comment-cache-'));
    hub = new TestHub(path.join(dir, 'hub'), 'sqlite');
    await hub.start();
    const adminToken = await hub.setUpSite();
    const db = hub.db!;
    const admin = await db.selectFrom('users').select(['id', 'account_id']).executeTakeFirstOrThrow();
    const passwordHash = await hashPassword('long enough password');
    const add = (name: string, token: string, id: string) => {
      const local = openIndexDatabase(path.join(dir, `${name}.sqlite`));
      people[name] = { id, token, local, sync: new SyncClient(local, new HubClient(hub.url, token)) };
    };
    add('admin', adminToken, admin.id);
    for (const [name, role] of [
      ['rita', 'Radiologist'],
      ['paul', 'Physician'],
    ] as const) {
      const user = await addUser(db, admin.account_id!, { name, email: `${name}@site.example`, passwordHash, role }, new Date());
      add(name, await createSession(db, user.id, new Date()), user.id);
    }
    const publish = people.rita.sync.enqueue({ kind: 'study.publish', study: testStudySummary('1.2.826.0.1.3680043.10.1234.1616', 1), private: false });
    await people.rita.sync.sync();
    studyId = String((people.rita.sync.result(publish) as unknown as { value: { studyId: string } }).value.studyId);
  });

  afterAll(async () => {
    for (const person of Object.values(people)) person.local.close();
    await hub?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('announces a newer revision after a comment, an edit and a delete from another desktop’s outbox', async () => {
    expect(await announced('paul')).toBe(0);
    const commentId = randomUUID();
    // Written while Rita's desktop cannot reach the hub: it waits in her outbox, nothing is lost.
    const offline = new SyncClient(people.rita.local, new HubClient('http://127.0.0.1:9', people.rita.token));
    const queued = offline.enqueue({ kind: 'comment.add', commentId, study: { id: studyId }, text: 'Look at image 2', anchor: null, replyTo: null, mentions: [people.paul.id] });
    await offline.sync();
    expect(offline.status()).toMatchObject({ state: 'offline', pending: 1 });
    expect(await announced('paul')).toBe(0);
    // Back online: sent once; Paul's next pull announces it.
    await people.rita.sync.sync();
    expect(people.rita.sync.result(queued)).toMatchObject({ status: 'applied' });
    expect(await announced('paul')).toBe(1);
    people.rita.sync.enqueue({ kind: 'comment.edit', commentId, text: 'Look at image 3', mentions: [] });
    people.rita.sync.enqueue({ kind: 'comment.delete', commentId });
    await people.rita.sync.sync();
    expect(await announced('paul')).toBe(3);
    const notices = await hub.db!.selectFrom('notifications').select('kind').where('user_id', '=', people.paul.id).execute();
    expect(notices).toEqual([{ kind: 'comment.mention' }]);
  });

  it('drops the copy of a study’s comments when the study leaves the person', async () => {
    people.paul.local.prepare("UPDATE comment_cache SET fetched_revision = 3, comments = '[{\"text\":\"kept\"}]' WHERE hub_study_id = ?").run(studyId);
    const made = people.rita.sync.enqueue({ kind: 'study.private', study: { id: studyId }, private: true });
    await people.rita.sync.sync();
    expect(people.rita.sync.result(made)).toMatchObject({ status: 'applied' });
    await people.paul.sync.pull();
    expect(people.paul.local.prepare('SELECT count(*) AS n FROM comment_cache').get()).toEqual({ n: 0 });
  });
});
