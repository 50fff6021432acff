/**
 * A site's departments: groups flagged `department` (with their worklist, as every group has),
 * whose members see each other's studies when the site's policy says `department`
 * (shared/permissions/visibility.ts, rule 3). Created, renamed, deleted and their members changed
 * here, each with its entry on the site's trail in the same transaction. Members must be users of
 * the department's site; a user may be in several departments.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DepartmentView } from '../../shared/hub-api/organisation';
import { departmentDissolving, departmentMembershipChanged } from '../access/withdrawn-access';
import { recordAudit } from '../audit/audit-trail';
import type { HubDatabase } from '../db/schema';
import { HttpError } from '../http-error';
import { createPlace } from '../worklists/worklists-repository';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

interface Who {
  readonly accountId: string;
  readonly actorId: string;
  readonly at: string;
}

export async function listDepartments(db: Db, accountId: string): Promise<DepartmentView[]> {
  const departments = await db.selectFrom('groups').select(['id', 'name']).where('account_id', '=', accountId).where('department', '=', 1).orderBy('name').orderBy('id').execute();
  if (departments.length === 0) return [];
  const members = await db
    .selectFrom('group_members')
    .innerJoin('users', 'users.id', 'group_members.user_id')
    .select(['group_members.owner_id', 'users.id', 'users.name'])
    .where('group_members.owner_id', 'in', departments.map((d) => d.id))
    .orderBy('users.name')
    .execute();
  return departments.map((d) => ({ ...d, members: members.filter((m) => m.owner_id === d.id).map((m) => ({ id: m.id, name: m.name })) }));
}

async function department(db: Db, accountId: string, id: string): Promise<DepartmentView> {
  const found = (await listDepartments(db, accountId)).find((d) => d.id === id);
  if (found === undefined) throw new HttpError(404, 'department-not-found', 'This department does not exist (any more) in your site.');
  return found;
}

export async function addDepartment(db: Kysely<HubDatabase>, who: Who, name: string): Promise<DepartmentView> {
  const id = await createPlace(db, who.accountId, 'group', name, true);
  await recordAudit(db, { at: who.at, accountId: who.accountId, trail: 'account', actorId: who.actorId, action: 'department.change', detail: { change: 'created', department: id } });
  return { id, name, members: [] };
}

export async function renameDepartment(db: Kysely<HubDatabase>, who: Who, id: string, name: string): Promise<DepartmentView> {
  return db.transaction().execute(async (trx) => {
    const before = await department(trx, who.accountId, id);
    if (before.name === name) return before;
    await trx.updateTable('groups').set({ name }).where('id', '=', id).execute();
    await trx.updateTable('worklists').set({ name }).where('owner_id', '=', id).where('kind', '=', 'group').execute();
    await recordAudit(trx, { at: who.at, accountId: who.accountId, trail: 'account', actorId: who.actorId, action: 'department.change', detail: { change: 'renamed', department: id } });
    return { ...before, name };
  });
}

/**
 * Deletes a department with its members and worklist — refused (409, nothing changed) while
 * anything was ever shared to its worklist or it is a member of a collection: deleting would lose
 * those shares and that access, and "nothing already shared is lost".
 */
export async function deleteDepartment(db: Kysely<HubDatabase>, who: Who, id: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await department(trx, who.accountId, id);
    const worklist = await trx.selectFrom('worklists').select('id').where('owner_id', '=', id).where('kind', '=', 'group').executeTakeFirst();
    const shared = worklist === undefined ? undefined : await trx.selectFrom('shares').select('id').where('worklist_id', '=', worklist.id).limit(1).executeTakeFirst();
    const inCollection = await trx.selectFrom('collection_members').select('collection_id').where('member_kind', '=', 'group').where('member_id', '=', id).limit(1).executeTakeFirst();
    if (shared !== undefined || inCollection !== undefined) {
      throw new HttpError(409, 'department-in-use', 'Studies were shared to this department’s worklist or it is a member of a collection: deleting it would lose them. Remove its members instead, or rename it.');
    }
    await departmentDissolving(trx, who.accountId, id, who.at);
    await trx.deleteFrom('group_members').where('owner_id', '=', id).execute();
    if (worklist !== undefined) await trx.deleteFrom('worklists').where('id', '=', worklist.id).execute();
    await trx.deleteFrom('groups').where('id', '=', id).execute();
    await recordAudit(trx, { at: who.at, accountId: who.accountId, trail: 'account', actorId: who.actorId, action: 'department.change', detail: { change: 'deleted', department: id } });
  });
}

export async function addDepartmentMember(db: Kysely<HubDatabase>, who: Who, id: string, userId: string): Promise<DepartmentView> {
  return db.transaction().execute(async (trx) => {
    const before = await department(trx, who.accountId, id);
    const user = await trx.selectFrom('users').select('id').where('id', '=', userId).where('account_id', '=', who.accountId).executeTakeFirst();
    if (user === undefined) throw new HttpError(404, 'user-not-found', 'This person is not a user of your site.');
    if (before.members.some((m) => m.id === userId)) return before;
    await trx.insertInto('group_members').values({ owner_id: id, user_id: userId }).onConflict((oc) => oc.doNothing()).execute();
    // Their desktop and their new peers' gain what the department shows (issue 13, part 4).
    await departmentMembershipChanged(trx, who.accountId, id, userId, who.at);
    await recordAudit(trx, { at: who.at, accountId: who.accountId, trail: 'account', actorId: who.actorId, action: 'department.change', detail: { change: 'member-added', department: id, user: userId } });
    return department(trx, who.accountId, id);
  });
}

/** Removes a member; what they saw through the department is gone from their next request on. */
export async function removeDepartmentMember(db: Kysely<HubDatabase>, who: Who, id: string, userId: string): Promise<DepartmentView> {
  return db.transaction().execute(async (trx) => {
    const before = await department(trx, who.accountId, id);
    if (!before.members.some((m) => m.id === userId)) return before;
    await trx.deleteFrom('group_members').where('owner_id', '=', id).where('user_id', '=', userId).execute();
    // Their desktop and their former peers' drop what the department showed (issue 13, part 4).
    await departmentMembershipChanged(trx, who.accountId, id, userId, who.at);
    await recordAudit(trx, { at: who.at, accountId: who.accountId, trail: 'account', actorId: who.actorId, action: 'department.change', detail: { change: 'member-removed', department: id, user: userId } });
    return department(trx, who.accountId, id);
  });
}

