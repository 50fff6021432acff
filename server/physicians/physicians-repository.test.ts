/**
 * The physician directory and delegation on both engines: names answer to their keys (aliases
 * included), surname search ignores case, a linked user must be of the site and linked once,
 * setting who a user acts for replaces the set (audited) and refuses another site's physicians
 * as not found, and a deactivated physician leaves the active set.
 */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { physicianInputSchema } from '../../shared/hub-api/physicians';
import { addUser, createAccount } from '../accounts/accounts-repository';
import type { HubDatabase } from '../db/schema';
import { HUB_ENGINES, testHubDatabase, type TestHubDatabase } from '../test-support/test-database';
import { activeDelegatedPhysicianIds, createPhysician, physicianOfUser, physiciansDelegatedTo, searchPhysicians, setDelegatedPhysicians, updatePhysician } from './physicians-repository';

const input = (given: Record<string, unknown>) => physicianInputSchema.parse(given);

describe.each(HUB_ENGINES)('physician directory and delegation (%s)', (engine) => {
  let hubDatabase: TestHubDatabase;
  let db: Kysely<HubDatabase>;
  const at = '2031-04-01T08:00:00.000Z';
  const clock = new Date(at);
  let siteA = '';
  let siteB = '';
  let adminA = '';
  let carl = '';
  let paulaUser = '';
  let userB = '';

  beforeAll(async () => {
    hubDatabase = await testHubDatabase(engine);
    db = hubDatabase.db;
    const a = await db.transaction().execute((trx) => createAccount(trx, 'Site A', { name: 'Admin A', email: 'admin@a.example', passwordHash: 'x' }, clock));
    const b = await db.transaction().execute((trx) => createAccount(trx, 'Site B', { name: 'Admin B', email: 'admin@b.example', passwordHash: 'x' }, clock));
    siteA = a.account.id;
    siteB = b.account.id;
    adminA = a.user.id;
    carl = (await db.transaction().execute((trx) => addUser(trx, siteA, { name: 'Carl Case Manager', email: 'carl@a.example', passwordHash: 'x', role: 'Case Manager' }, clock))).id;
    paulaUser = (await db.transaction().execute((trx) => addUser(trx, siteA, { name: 'Paula Physician', email: 'paula@a.example', passwordHash: 'x', role: 'Physician' }, clock))).id;
    userB = (await db.transaction().execute((trx) => addUser(trx, siteB, { name: 'Bea', email: 'bea@b.example', passwordHash: 'x', role: 'Physician' }, clock))).id;
  });
  afterAll(async () => {
    await hubDatabase.close();
  });

  it('keeps a directory: keys from name and aliases, surname search, one linked user of the site', async () => {
    const who = { accountId: siteA, actorId: adminA, at };
    const paula = await createPhysician(db, who, input({ displayName: 'Paula Physician', familyName: 'Physician', givenNames: 'Paula', aliases: ['PHYSICIAN^P'], userId: paulaUser }));
    expect(paula).toMatchObject({ displayName: 'Paula Physician', aliases: ['PHYSICIAN^P'], userName: 'Paula Physician', active: true });
    const keys = await db.selectFrom('physician_names').select('name_key').where('physician_id', '=', paula.id).orderBy('name_key').execute();
    expect(keys.map((k) => k.name_key)).toEqual(['p physician', 'paula physician']);
    expect((await searchPhysicians(db, siteA, 'phy')).map((p) => p.id)).toEqual([paula.id]);
    expect(await searchPhysicians(db, siteB, 'phy')).toEqual([]);
    expect((await physicianOfUser(db, paulaUser))?.id).toBe(paula.id);
    await expect(createPhysician(db, who, input({ displayName: 'Other', familyName: 'Other', userId: paulaUser }))).rejects.toMatchObject({ status: 409, code: 'user-already-linked' });
    await expect(createPhysician(db, who, input({ displayName: 'Other', familyName: 'Other', userId: userB }))).rejects.toMatchObject({ status: 400, code: 'user-not-in-site' });
    expect(await db.selectFrom('audit_events').select('action').where('action', '=', 'physician.change').execute()).toHaveLength(1);
  });

  it('replaces who a user acts for, audited; another site’s physician is not found; deactivation takes the reach away', async () => {
    const who = { accountId: siteA, actorId: adminA, at };
    const [paula] = await searchPhysicians(db, siteA, 'Physician');
    const oscar = await createPhysician(db, who, input({ displayName: 'Óscar Núñez', familyName: 'Núñez', givenNames: 'Óscar' }));
    const bee = await createPhysician(db, { accountId: siteB, actorId: userB, at }, input({ displayName: 'Bee Bee', familyName: 'Bee' }));

    const set = await setDelegatedPhysicians(db, { userId: carl, accountId: siteA, kind: 'case-manager', physicianIds: [paula.id, oscar.id], by: adminA, at });
    expect(set.map((p) => p.displayName)).toEqual(['Óscar Núñez', 'Paula Physician']);
    await expect(setDelegatedPhysicians(db, { userId: carl, accountId: siteA, kind: 'case-manager', physicianIds: [paula.id, bee.id], by: adminA, at })).rejects.toMatchObject({ status: 404 });
    expect(await physiciansDelegatedTo(db, carl)).toHaveLength(2);

    expect((await setDelegatedPhysicians(db, { userId: carl, accountId: siteA, kind: 'case-manager', physicianIds: [paula.id], by: adminA, at })).map((p) => p.physicianId)).toEqual([paula.id]);
    const trail = await db.selectFrom('audit_events').select('detail').where('action', '=', 'delegation.change').orderBy('seq').execute();
    expect(trail.map((e) => JSON.parse(e.detail) as Record<string, string>).map((d) => [d.added.split(',').length, d.removed])).toEqual([[2, ''], [1, oscar.id]]);

    expect([...(await activeDelegatedPhysicianIds(db, carl))]).toEqual([paula.id]);
    await updatePhysician(db, who, paula.id, input({ displayName: 'Paula Physician', familyName: 'Physician', givenNames: 'Paula', userId: paulaUser, active: false }));
    expect([...(await activeDelegatedPhysicianIds(db, carl))]).toEqual([]);
    expect(await physicianOfUser(db, paulaUser)).toBeNull();
    expect((await physiciansDelegatedTo(db, carl))[0]).toMatchObject({ active: false });
  });
});
