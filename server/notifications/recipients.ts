/**
 * Who a producer notifies when its event names a group of people rather than a person: the
 * members of a worklist (a share to a location's or a group's worklist reaches everyone in it),
 * of a group, and a site's administrators. Active users only (an invited address has no inbox).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { HubDatabase } from '../db/schema';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

export async function worklistMemberIds(db: Db, worklistId: string): Promise<string[]> {
  const worklist = await db.selectFrom('worklists').select(['kind', 'owner_id']).where('id', '=', worklistId).executeTakeFirst();
  if (worklist === undefined) return [];
  if (worklist.kind === 'personal') return [worklist.owner_id];
  const table = worklist.kind === 'location' ? 'location_members' : 'group_members';
  const rows = await db.selectFrom(table).innerJoin('users', 'users.id', `${table}.user_id`).select('users.id').where(`${table}.owner_id`, '=', worklist.owner_id).where('users.active', '=', 1).execute();
  return rows.map((row) => row.id);
}

export async function groupMemberIds(db: Db, groupId: string): Promise<string[]> {
  const rows = await db.selectFrom('group_members').innerJoin('users', 'users.id', 'group_members.user_id').select('users.id').where('group_members.owner_id', '=', groupId).where('users.active', '=', 1).execute();
  return rows.map((row) => row.id);
}

/** The site's people whose role holds admin.users (its administrators). */
export async function siteAdminIds(db: Db, accountId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .innerJoin('roles', 'roles.id', 'users.role_id')
    .select('users.id')
    .where('users.account_id', '=', accountId)
    .where('users.active', '=', 1)
    // The permissions are a JSON array of keys: the quoted key cannot match a longer one.
    .where(sql<boolean>`roles.permissions LIKE ${'%"admin.users"%'}`)
    .execute();
  return rows.map((row) => row.id);
}
