/**
 * A directory change that arrives while a relink step of the previous one is running (two hub
 * processes, or a burst of edits) is never marked done by that step: the step records its
 * progress only for the request generation it read (migration 0510), even when both requests
 * carry the same millisecond. Both engines; the "arrival" runs inside the step's transaction,
 * between its read of the queue and its write, where the race put it.
 */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { physicianInputSchema } from '../../shared/hub-api/physicians';
import { createAccount } from '../accounts/accounts-repository';
import type { HubDatabase } from '../db/schema';
import { HUB_ENGINES, testHubDatabase, type TestHubDatabase } from '../test-support/test-database';
import { relinkStep, runRelinks } from './physician-linking';
import { createPhysician, requestRelink } from './physicians-repository';

describe.each(HUB_ENGINES)('physician relink queue (%s)', (engine) => {
  let hubDatabase: TestHubDatabase;
  let db: Kysely<HubDatabase>;
  // A frozen clock: every request below carries the same requested_at.
  const at = '2031-05-01T08:00:00.000Z';
  const clock = () => new Date(at);

  beforeAll(async () => {
    hubDatabase = await testHubDatabase(engine);
    db = hubDatabase.db;
  });
  afterAll(async () => {
    await hubDatabase.close();
  });

  const job = (physicianId: string) =>
    db.selectFrom('physician_relinks').select(['after_study_id', 'finished_at', 'generation', 'requested_at']).where('physician_id', '=', physicianId).executeTakeFirstOrThrow();

  it('does not mark a request done that arrived while a step of the previous one ran, in the same millisecond', async () => {
    const site = await db.transaction().execute((trx) => createAccount(trx, 'Site R', { name: 'Admin R', email: 'admin@r.example', passwordHash: 'x' }, clock()));
    const who = { accountId: site.account.id, actorId: site.user.id, at };
    const ann = await createPhysician(db, who, physicianInputSchema.parse({ displayName: 'Ann Ames', familyName: 'Ames', givenNames: 'Ann' }));
    await runRelinks(db, clock);
    expect(await job(ann.id)).toMatchObject({ finished_at: at, generation: 0 });

    // A change (say, a new alias) asks for a relink; a step takes it up, and while it runs the
    // physician is changed again: a second request, same millisecond.
    await requestRelink(db, who.accountId, ann.id, at);
    expect(await job(ann.id)).toMatchObject({ finished_at: null, generation: 1, after_study_id: '' });
    expect(await relinkStep(db, clock, undefined, (trx) => requestRelink(trx, who.accountId, ann.id, at))).toBe(true);
    // The step finished its own request (no study carries her name), but the second stays queued,
    // from the first study: before 0510 it was marked done here, its relink never run.
    expect(await job(ann.id)).toMatchObject({ finished_at: null, generation: 2, after_study_id: '', requested_at: at });

    // The next step runs it.
    await runRelinks(db, clock);
    expect(await job(ann.id)).toMatchObject({ finished_at: at, generation: 2 });
  });
});
