/**
 * The places domain's SQL: worklists and their share codes, and locations and groups (each
 * created with its worklist, in one transaction) with their members. Functions take the database
 * first; server/routes/worklists.ts only calls them.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { HubDatabase } from '../db/schema';
import { uniqueShareCode } from '../routes/worklist-codes';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;
export type PlaceKind = 'location' | 'group';

const table = (kind: PlaceKind) => (kind === 'location' ? 'locations' : 'groups');
const memberTable = (kind: PlaceKind) => (kind === 'location' ? 'location_members' : 'group_members');

/** A user's own worklist and their site's location and group worklists. */
export function worklistsFor(db: Db, userId: string, accountId: string | null) {
  return db
    .selectFrom('worklists')
    .select(['id', 'kind', 'name', 'share_code as shareCode', 'owner_id as ownerId'])
    .where((eb) =>
      eb.or([
        eb.and([eb('kind', '=', 'personal'), eb('owner_id', '=', userId)]),
        eb.and([eb('kind', 'in', ['location', 'group']), eb('account_id', '=', accountId)]),
      ]),
    )
    .orderBy('kind')
    .orderBy('name')
    .execute();
}

export function worklistByCode(db: Db, shareCode: string) {
  return db
    .selectFrom('worklists')
    .leftJoin('accounts', 'accounts.id', 'worklists.account_id')
    .select(['worklists.id', 'worklists.kind', 'worklists.name', 'accounts.name as site', 'worklists.share_code as shareCode'])
    .where('worklists.share_code', '=', shareCode)
    .executeTakeFirst();
}

export function findWorklist(db: Db, worklistId: string) {
  return db.selectFrom('worklists').select(['id', 'kind', 'owner_id', 'account_id']).where('id', '=', worklistId).executeTakeFirst();
}

/** A new share code for a worklist; the old one stops working. */
export async function regenerateShareCode(db: Db, worklistId: string): Promise<string> {
  const shareCode = await uniqueShareCode(db);
  await db.updateTable('worklists').set({ share_code: shareCode }).where('id', '=', worklistId).execute();
  return shareCode;
}

/** A location or group and its worklist, in one transaction. */
export async function createPlace(db: Kysely<HubDatabase>, accountId: string, kind: PlaceKind, name: string, department = false): Promise<string> {
  const id = randomUUID();
  await db.transaction().execute(async (trx) => {
    if (kind === 'location') await trx.insertInto('locations').values({ id, account_id: accountId, name }).execute();
    else await trx.insertInto('groups').values({ id, account_id: accountId, name, department: department ? 1 : 0 }).execute();
    await trx.insertInto('worklists').values({ id: randomUUID(), kind, owner_id: id, account_id: accountId, name, share_code: await uniqueShareCode(trx) }).execute();
  });
  return id;
}

/** A site's locations or groups with their members, by name. */
export async function placesWithMembers(db: Db, accountId: string, kind: PlaceKind) {
  const owners = await db.selectFrom(table(kind)).selectAll().where('account_id', '=', accountId).orderBy('name').execute();
  const members = await db
    .selectFrom(memberTable(kind))
    .innerJoin('users', 'users.id', 'user_id')
    .select(['owner_id', 'users.id', 'users.name'])
    .where('users.account_id', '=', accountId)
    .orderBy('users.name')
    .execute();
  return owners.map((owner) => ({
    id: owner.id,
    name: owner.name,
    department: 'department' in owner && owner.department === 1,
    members: members.filter((m) => m.owner_id === owner.id).map((m) => ({ id: m.id, name: m.name })),
  }));
}

/** Adds a user of the site to a place of the site; false when either is not in that site. */
export async function addPlaceMember(db: Db, accountId: string, kind: PlaceKind, placeId: string, userId: string): Promise<boolean> {
  const owner = await db.selectFrom(table(kind)).select('id').where('id', '=', placeId).where('account_id', '=', accountId).executeTakeFirst();
  const user = await db.selectFrom('users').select('id').where('id', '=', userId).where('account_id', '=', accountId).executeTakeFirst();
  if (owner === undefined || user === undefined) return false;
  await db.insertInto(memberTable(kind)).values({ owner_id: owner.id, user_id: user.id }).onConflict((oc) => oc.doNothing()).execute();
  return true;
}
