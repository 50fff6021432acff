/** notify() on both engines: inside the producer's transaction, per-person preferences, mail now, nobody told of their own act. */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUB_ENGINES, testHubDatabase, type TestHubDatabase } from '../test-support/test-database';
import { notify } from './notify';

const at = '2026-01-01T00:00:00.000Z';

describe.each(HUB_ENGINES)('notify (%s)', (engine) => {
  let hub: TestHubDatabase;
  beforeAll(async () => {
    hub = await testHubDatabase(engine);
    await sql`INSERT INTO accounts (id, name, created_at) VALUES ('site', 'Site', ${at})`.execute(hub.db);
    await sql`INSERT INTO users (id, account_id, email, name, password_hash, created_at) VALUES
      ('ann', 'site', 'ann@example.org', 'Ann', 'x', ${at}), ('bob', 'site', 'bob@example.org', 'Bob', 'x', ${at}),
      ('cat', 'site', 'cat@example.org', 'Cat', 'x', ${at}), ('dan', 'site', 'dan@example.org', 'Dan', 'x', ${at})`.execute(hub.db);
    await sql`INSERT INTO studies (id, account_id, study_uid, uploader_id, summary, updated_at) VALUES ('st', 'site', '1.2.3', 'ann', '{}', ${at})`.execute(hub.db);
    await hub.db
      .insertInto('notification_preferences')
      .values([
        { user_id: 'cat', kind: 'share.received', delivery: 'off' },
        { user_id: 'dan', kind: 'share.received', delivery: 'email' },
      ])
      .execute();
  });
  afterAll(() => hub.close());

  it('stores one row per recipient in the caller’s transaction, skips the actor and kinds turned off, and queues mail for "email now"', async () => {
    const stored = await hub.db.transaction().execute((trx) =>
      notify(
        trx,
        ['ann', 'bob', 'bob', 'cat', 'dan'].map((userId) => ({ userId, kind: 'share.received' as const, actorId: 'ann', studyId: 'st', anchor: { studyInstanceUid: '1.2.3', frame: 2 } })),
        at,
      ),
    );
    expect(stored).toBe(2);
    const rows = await hub.db.selectFrom('notifications').select(['user_id', 'kind', 'delivery', 'anchor', 'read_at']).orderBy('seq').execute();
    expect(rows).toEqual([
      { user_id: 'bob', kind: 'share.received', delivery: 'app', anchor: '{"studyInstanceUid":"1.2.3","frame":2}', read_at: null },
      { user_id: 'dan', kind: 'share.received', delivery: 'email', anchor: '{"studyInstanceUid":"1.2.3","frame":2}', read_at: null },
    ]);
    const mails = await hub.db.selectFrom('mails').select(['to_address', 'subject', 'body']).execute();
    expect(mails).toHaveLength(1);
    expect(mails[0].to_address).toBe('dan@example.org');
    expect(mails[0].subject).toBe('Studyshare: Ann shared a study with you.');
  });

  it('leaves nothing when the producer’s transaction rolls back, and refuses an unknown kind', async () => {
    const before = await hub.db.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    await expect(
      hub.db.transaction().execute(async (trx) => {
        await notify(trx, [{ userId: 'bob', kind: 'collection.added', actorId: 'ann' }], at);
        throw new Error('the producer failed');
      }),
    ).rejects.toThrow('the producer failed');
    await expect(notify(hub.db, [{ userId: 'bob', kind: 'no.such.kind' as never, actorId: 'ann' }], at)).rejects.toThrow('Unknown notification kind');
    const after = await hub.db.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });
});
