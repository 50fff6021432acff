/**
 * The change feed's order on PostgreSQL: a transaction that records a change holds the feed's
 * advisory lock until it ends, so one that records a change meanwhile waits and gets a later seq.
 * Without it, the later transaction could commit a smaller seq after a client had read past it.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testHubDatabase, type TestHubDatabase } from '../test-support/test-database';
import { recordChange } from './change-feed';

describe('change feed order (postgres)', () => {
  let hub: TestHubDatabase;
  const studyIds = [randomUUID(), randomUUID()];
  beforeAll(async () => {
    hub = await testHubDatabase('postgres');
    const at = '2030-01-01T00:00:00.000Z';
    await hub.db.insertInto('accounts').values({ id: 'a', name: 'A', created_at: at }).execute();
    await hub.db.insertInto('users').values({ id: 'u', account_id: 'a', email: 'u@example.org', name: 'U', password_hash: 'x', role_id: null, active: 1, created_at: at }).execute();
    for (const [i, id] of studyIds.entries()) {
      await hub.db.insertInto('studies').values({ id, account_id: 'a', study_uid: `1.2.${i}`, uploader_id: 'u', private: 0, summary: '{}', updated_at: at }).execute();
    }
  });
  afterAll(async () => {
    await hub.close();
  });

  it('makes a second writer wait for the first to commit, so seq order is commit order', async () => {
    let releaseFirst!: () => void;
    const firstMayCommit = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstRecorded!: () => void;
    const firstHasRecorded = new Promise<void>((resolve) => (firstRecorded = resolve));
    const first = hub.db.transaction().execute(async (trx) => {
      await recordChange(trx, studyIds[0], 'first');
      firstRecorded();
      await firstMayCommit;
    });
    await firstHasRecorded;
    const second = hub.db.transaction().execute((trx) => recordChange(trx, studyIds[1], 'second'));
    // Until the second writer is seen waiting for the advisory lock (bounded: 400 × 25 ms).
    let waiting = 0;
    for (let attempt = 0; attempt < 400 && waiting === 0; attempt++) {
      const rows = await sql<{ n: number }>`select count(*) as n from pg_locks where locktype = 'advisory' and not granted`.execute(hub.db);
      waiting = rows.rows[0].n;
      if (waiting === 0) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(waiting).toBe(1);
    // While both are open, a reader sees neither change.
    expect(await hub.db.selectFrom('changes').select('seq').execute()).toEqual([]);
    releaseFirst();
    await Promise.all([first, second]);
    const rows = await hub.db.selectFrom('changes').select(['seq', 'at']).orderBy('seq').execute();
    expect(rows.map((row) => row.at)).toEqual(['first', 'second']);
  });
});
