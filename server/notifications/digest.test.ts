/** The daily digest on both engines: one mail per person with their digest notifications, once per day even when several workers run it at once. */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUB_ENGINES, testHubDatabase, type TestHubDatabase } from '../test-support/test-database';
import { runDailyDigest } from './digest';
import { notify } from './notify';

const at = '2026-01-01T00:00:00.000Z';

describe.each(HUB_ENGINES)('daily digest (%s)', (engine) => {
  let hub: TestHubDatabase;
  beforeAll(async () => {
    hub = await testHubDatabase(engine);
    await sql`INSERT INTO accounts (id, name, created_at) VALUES ('site', 'Site', ${at})`.execute(hub.db);
    await sql`INSERT INTO users (id, account_id, email, name, password_hash, created_at) VALUES
      ('ann', 'site', 'ann@example.org', 'Ann', 'x', ${at}), ('bob', 'site', 'bob@example.org', 'Bob', 'x', ${at}), ('cat', 'site', 'cat@example.org', 'Cat', 'x', ${at})`.execute(hub.db);
    await hub.db
      .insertInto('notification_preferences')
      .values([
        { user_id: 'bob', kind: 'share.received', delivery: 'digest' },
        { user_id: 'bob', kind: 'collection.added', delivery: 'digest' },
      ])
      .execute();
  });
  afterAll(() => hub.close());

  it('mails each person once with their digest notifications, and a day only once across concurrent workers', async () => {
    await notify(hub.db, [
      { userId: 'bob', kind: 'share.received', actorId: 'ann' },
      { userId: 'bob', kind: 'collection.added', actorId: 'ann' },
      { userId: 'cat', kind: 'share.received', actorId: 'ann' },
    ], at);
    const day = new Date('2026-01-02T08:00:00.000Z');
    const runs = await Promise.allSettled([runDailyDigest(hub.db, day, 'one'), runDailyDigest(hub.db, day, 'two'), runDailyDigest(hub.db, day, 'three')]);
    // Exactly one worker sends the day (a loser may see the claim or, on SQLite, wait on the lock).
    const queued = runs.map((run) => (run.status === 'fulfilled' ? run.value : 0));
    expect(queued.filter((n) => n > 0)).toEqual([1]);
    const mails = await hub.db.selectFrom('mails').select(['to_address', 'subject', 'body']).execute();
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to_address: 'bob@example.org', subject: 'Studyshare: your daily digest (2)' });
    expect(mails[0].body).toContain('- Ann shared a study with you.');
    expect(mails[0].body).toContain('- Ann added you to a collection.');
    // Marked digested: the next day has nothing for Bob until something new comes.
    expect(await runDailyDigest(hub.db, new Date('2026-01-03T08:00:00.000Z'))).toBe(0);
    await notify(hub.db, [{ userId: 'bob', kind: 'share.received', actorId: 'ann' }], '2026-01-03T09:00:00.000Z');
    expect(await runDailyDigest(hub.db, new Date('2026-01-04T08:00:00.000Z'))).toBe(1);
    expect(await hub.db.selectFrom('mails').select('seq').execute()).toHaveLength(2);
  });
});
