/**
 * Collections in the hub's tables (migration 0210): what a member may do (their rights, the
 * union of their own and their groups' grants), the collection's rows and members, and putting
 * studies in and out (called by the sync operations, server/sharing/operations.ts). Every change
 * is on a trail in the same transaction: a collection's own changes on its site's, a study going
 * in or out on the study's. Decisions (shared/permissions/collections.ts): members are users and
 * groups of the collection's site (reaching other sites is sharing, with its own permission); a
 * collection keeps at least one member managing it in person; a deleted collection keeps its row
 * so that a late add is refused as "deleted".
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { CollectionMemberView, CollectionView } from '../../shared/hub-api/collections';
import { COLLECTION_RIGHTS, effectiveRights, leavesNoManager, mayAddStudy, type CollectionRight } from '../../shared/permissions/collections';
import type { ViewerFacts } from '../../shared/permissions/visibility';
import { studyVisibleSql } from '../access/visibility-sql';
import { collectionDissolved, collectionMembershipChanged } from '../access/withdrawn-access';
import { recordAudit } from '../audit/audit-trail';
import type { Actor } from '../auth/sessions';
import { recordChange } from '../db/change-feed';
import type { HubDatabase } from '../db/schema';
import { HttpError } from '../http-error';
import { notify } from '../notifications/notify';
import { groupMemberIds } from '../notifications/recipients';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

const parseRights = (text: string): CollectionRight[] => {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? COLLECTION_RIGHTS.filter((right) => value.includes(right)) : [];
};

interface CollectionRow {
  id: string;
  account_id: string | null;
  name: string;
  description: string;
  created_by: string;
  deleted_at: string | null;
}

/** The collection and what this viewer may do in it; a 404 when they are no member (or it never existed), a 410 when deleted. */
export async function collectionFor(db: Db, viewer: ViewerFacts, collectionId: string): Promise<{ collection: CollectionRow; rights: ReadonlySet<CollectionRight> }> {
  const collection = await db.selectFrom('collections').select(['id', 'account_id', 'name', 'description', 'created_by', 'deleted_at']).where('id', '=', collectionId).executeTakeFirst();
  const grants = collection === undefined ? [] : await db.selectFrom('collection_members').select(['member_kind', 'member_id', 'rights']).where('collection_id', '=', collectionId).execute();
  const mine = grants.filter((g) => (g.member_kind === 'user' ? g.member_id === viewer.userId : viewer.groupIds.has(g.member_id)));
  if (collection === undefined || mine.length === 0) throw new HttpError(404, 'collection-not-found', 'This collection does not exist, or you are not one of its members.');
  if (collection.deleted_at !== null) throw new HttpError(410, 'collection-deleted', `The collection “${collection.name}” was deleted; nothing was added to it.`);
  return { collection, rights: effectiveRights(mine.map((g) => parseRights(g.rights))) };
}

function requireRight(rights: ReadonlySet<CollectionRight>, right: CollectionRight, why: string): void {
  if (!rights.has(right)) throw new HttpError(403, 'forbidden', why);
}

export async function listCollections(db: Db, viewer: ViewerFacts): Promise<CollectionView[]> {
  const ids = [...viewer.collectionIds];
  if (ids.length === 0) return [];
  const [rows, grants, counts] = await Promise.all([
    db.selectFrom('collections').innerJoin('users', 'users.id', 'collections.created_by').select(['collections.id', 'collections.name', 'collections.description', 'users.id as creatorId', 'users.name as creatorName']).where('collections.id', 'in', ids).orderBy('collections.name').execute(),
    db.selectFrom('collection_members').select(['collection_id', 'member_kind', 'member_id', 'rights']).where('collection_id', 'in', ids).execute(),
    db.selectFrom('collection_studies').select((eb) => ['collection_id', eb.fn.countAll<number>().as('n')]).where('collection_id', 'in', ids).where('removed_at', 'is', null).groupBy('collection_id').execute(),
  ]);
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    description: row.description,
    studyCount: Number(counts.find((c) => c.collection_id === row.id)?.n ?? 0),
    rights: [...effectiveRights(grants.filter((g) => g.collection_id === row.id && (g.member_kind === 'user' ? g.member_id === viewer.userId : viewer.groupIds.has(g.member_id))).map((g) => parseRights(g.rights)))],
    createdBy: { id: row.creatorId, name: row.creatorName },
  }));
}

function audit(db: Db, collection: Pick<CollectionRow, 'id' | 'account_id'>, actorId: string, at: string, detail: Record<string, string>) {
  if (collection.account_id === null) return Promise.resolve();
  return recordAudit(db, { at, accountId: collection.account_id, trail: 'account', actorId, action: 'collection.change', detail: { collection: collection.id, ...detail } });
}

export async function createCollection(db: Kysely<HubDatabase>, actor: Actor, accountId: string, input: { name: string; description: string }, at: string): Promise<string> {
  const id = randomUUID();
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('collections').values({ id, account_id: accountId, name: input.name, description: input.description, created_by: actor.userId, created_at: at, deleted_at: null }).execute();
    await trx.insertInto('collection_members').values({ collection_id: id, member_kind: 'user', member_id: actor.userId, rights: JSON.stringify(['manage']), added_at: at }).execute();
    await audit(trx, { id, account_id: accountId }, actor.userId, at, { change: 'created' });
  });
  return id;
}

export async function updateCollection(db: Kysely<HubDatabase>, viewer: ViewerFacts, id: string, input: { name: string; description: string }, at: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const { collection, rights } = await collectionFor(trx, viewer, id);
    requireRight(rights, 'manage', 'Only a manager of this collection may rename it.');
    await trx.updateTable('collections').set({ name: input.name, description: input.description }).where('id', '=', id).execute();
    await audit(trx, collection, viewer.userId, at, { change: 'renamed' });
  });
}

export async function deleteCollection(db: Kysely<HubDatabase>, viewer: ViewerFacts, id: string, at: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const { collection, rights } = await collectionFor(trx, viewer, id);
    requireRight(rights, 'manage', 'Only a manager of this collection may delete it.');
    await trx.updateTable('collections').set({ deleted_at: at }).where('id', '=', id).execute();
    await collectionDissolved(trx, id, at);
    await audit(trx, collection, viewer.userId, at, { change: 'deleted' });
  });
}

export async function listMembers(db: Db, collectionId: string): Promise<CollectionMemberView[]> {
  const rows = await db.selectFrom('collection_members').select(['member_kind', 'member_id', 'rights']).where('collection_id', '=', collectionId).execute();
  const userIds = rows.filter((r) => r.member_kind === 'user').map((r) => r.member_id);
  const groupIds = rows.filter((r) => r.member_kind === 'group').map((r) => r.member_id);
  const [users, groups] = await Promise.all([
    userIds.length === 0 ? [] : db.selectFrom('users').select(['id', 'name']).where('id', 'in', userIds).execute(),
    groupIds.length === 0 ? [] : db.selectFrom('groups').select(['id', 'name']).where('id', 'in', groupIds).execute(),
  ]);
  const named = new Map([...users, ...groups].map((x) => [x.id, x.name]));
  return rows
    .map((r) => ({ kind: r.member_kind, id: r.member_id, name: named.get(r.member_id) ?? '—', rights: parseRights(r.rights) }))
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

export async function membersFor(db: Db, viewer: ViewerFacts, id: string): Promise<CollectionMemberView[]> {
  await collectionFor(db, viewer, id);
  return listMembers(db, id);
}

/**
 * Adds a member (needs `invite`, and gives at most one's own rights unless managing) or changes
 * one's rights (needs `manage`); refuses taking `manage` from the last manager in person.
 */
export async function setMember(db: Kysely<HubDatabase>, viewer: ViewerFacts, id: string, member: { kind: 'user' | 'group'; memberId: string; rights: CollectionRight[] }, at: string): Promise<CollectionMemberView[]> {
  return db.transaction().execute(async (trx) => {
    const { collection, rights } = await collectionFor(trx, viewer, id);
    const existing = await trx.selectFrom('collection_members').select(['rights']).where('collection_id', '=', id).where('member_kind', '=', member.kind).where('member_id', '=', member.memberId).executeTakeFirst();
    if (existing === undefined) {
      requireRight(rights, 'invite', 'Your rights in this collection do not include inviting members.');
      if (!rights.has('manage') && member.rights.some((right) => !rights.has(right))) throw new HttpError(403, 'forbidden', 'You can give a new member only rights you hold yourself.');
      const site = collection.account_id;
      const found =
        member.kind === 'user'
          ? await trx.selectFrom('users').select('id').where('id', '=', member.memberId).where('account_id', '=', site).where('active', '=', 1).executeTakeFirst()
          : await trx.selectFrom('groups').select('id').where('id', '=', member.memberId).where('account_id', '=', site).executeTakeFirst();
      if (site === null || found === undefined) throw new HttpError(404, 'member-not-found', `No such ${member.kind === 'user' ? 'user' : 'group'} in the collection’s site.`);
      await trx.insertInto('collection_members').values({ collection_id: id, member_kind: member.kind, member_id: member.memberId, rights: JSON.stringify(member.rights), added_at: at }).execute();
      await audit(trx, collection, viewer.userId, at, { change: 'member-added', member: `${member.kind}:${member.memberId}`, rights: member.rights.join(' ') });
      // The new member's desktop gains the collection's studies at its next pull (issue 13, part 4).
      await collectionMembershipChanged(trx, id, member, at);
      // Issue 16: the new member (or each member of the new group) is told.
      const told = member.kind === 'user' ? [member.memberId] : await groupMemberIds(trx, member.memberId);
      await notify(trx, told.map((userId) => ({ userId, kind: 'collection.added' as const, actorId: viewer.userId, collectionId: id })), at);
    } else {
      requireRight(rights, 'manage', 'Only a manager of this collection may change a member’s rights.');
      if (member.kind === 'user') await refuseLastManager(trx, id, { userId: member.memberId, rights: member.rights });
      await trx.updateTable('collection_members').set({ rights: JSON.stringify(member.rights) }).where('collection_id', '=', id).where('member_kind', '=', member.kind).where('member_id', '=', member.memberId).execute();
      await audit(trx, collection, viewer.userId, at, { change: 'member-rights', member: `${member.kind}:${member.memberId}`, rights: member.rights.join(' ') });
    }
    return listMembers(trx, id);
  });
}

async function refuseLastManager(trx: Transaction<HubDatabase>, id: string, change: { userId: string; rights: CollectionRight[] | null }): Promise<void> {
  const direct = await trx.selectFrom('collection_members').select(['member_id', 'rights']).where('collection_id', '=', id).where('member_kind', '=', 'user').execute();
  if (leavesNoManager(direct.map((m) => ({ userId: m.member_id, rights: parseRights(m.rights) })), change)) {
    throw new HttpError(409, 'last-manager', 'A collection needs at least one manager: make someone else a manager first.');
  }
}

export async function removeMember(db: Kysely<HubDatabase>, viewer: ViewerFacts, id: string, member: { kind: 'user' | 'group'; memberId: string }, at: string): Promise<CollectionMemberView[]> {
  return db.transaction().execute(async (trx) => {
    const { collection, rights } = await collectionFor(trx, viewer, id);
    const leaving = member.kind === 'user' && member.memberId === viewer.userId;
    if (!leaving) requireRight(rights, 'manage', 'Only a manager of this collection may remove its members.');
    if (member.kind === 'user') await refuseLastManager(trx, id, { userId: member.memberId, rights: null });
    await trx.deleteFrom('collection_members').where('collection_id', '=', id).where('member_kind', '=', member.kind).where('member_id', '=', member.memberId).execute();
    // Their desktop drops what only the collection showed them at its next pull (issue 13, part 4).
    await collectionMembershipChanged(trx, id, member, at);
    await audit(trx, collection, viewer.userId, at, { change: 'member-removed', member: `${member.kind}:${member.memberId}` });
    return listMembers(trx, id);
  });
}

/**
 * The rights of a batch's sender in a collection, read once per batch (a batch of 500 adds to one
 * collection then reads it once, not 500 times). Nothing in a batch changes a collection's
 * members or deletes it, so the answer holds for the batch's transaction.
 */
const rightsInBatch = new WeakMap<Transaction<HubDatabase>, Map<string, Promise<ReadonlySet<CollectionRight>>>>();
function batchRights(trx: Transaction<HubDatabase>, viewer: ViewerFacts, collectionId: string): Promise<ReadonlySet<CollectionRight>> {
  const known = rightsInBatch.get(trx) ?? new Map<string, Promise<ReadonlySet<CollectionRight>>>();
  rightsInBatch.set(trx, known);
  let rights = known.get(collectionId);
  if (rights === undefined) {
    rights = collectionFor(trx, viewer, collectionId).then((found) => found.rights);
    // A refusal is not kept: the next operation asks again (and is refused again, with why).
    rights.catch(() => known.delete(collectionId));
    known.set(collectionId, rights);
  }
  return rights;
}

/** `collection.add`: the study by reference (a second add replaces the series chosen). */
export async function addStudyToCollection(trx: Transaction<HubDatabase>, actor: Actor, viewer: ViewerFacts, collectionId: string, studyId: string, seriesUids: readonly string[] | null, at: string): Promise<Record<string, unknown>> {
  const rights = await batchRights(trx, viewer, collectionId);
  // Whether the sender sees it, by the visibility condition in the same query (one statement, not four).
  const study = await trx
    .selectFrom('studies')
    .select(['id', 'account_id', 'uploader_id', 'private', sql<number>`CASE WHEN ${studyVisibleSql(viewer, 'studies')} THEN 1 ELSE 0 END`.as('visible')])
    .where('id', '=', studyId)
    .executeTakeFirst();
  if (study === undefined || Number(study.visible) !== 1) throw new HttpError(404, 'study-not-found', 'This study is not on the hub, or you cannot see it.');
  // Only its uploader or its site's admins put a private study in a collection (its members become participants).
  const ownerOrAdmin = study.uploader_id === actor.userId || (actor.accountId === study.account_id && actor.permissions.has('admin.users'));
  const may = mayAddStudy(rights, { private: study.private === 1, mayMarkPrivate: ownerOrAdmin });
  if (!may.ok) throw new HttpError(403, 'forbidden', may.why);
  const series = seriesUids === null ? null : JSON.stringify([...new Set(seriesUids)].sort());
  const existing = await trx.selectFrom('collection_studies').select(['removed_at', 'series_uids']).where('collection_id', '=', collectionId).where('study_id', '=', studyId).executeTakeFirst();
  if (existing !== undefined && existing.removed_at === null && existing.series_uids === series) return { studyId, alreadyIn: true };
  if (existing === undefined) await trx.insertInto('collection_studies').values({ collection_id: collectionId, study_id: studyId, series_uids: series, added_by: actor.userId, added_at: at, removed_at: null }).execute();
  else await trx.updateTable('collection_studies').set({ series_uids: series, added_by: actor.userId, added_at: at, removed_at: null }).where('collection_id', '=', collectionId).where('study_id', '=', studyId).execute();
  await recordChange(trx, studyId, at);
  await recordAudit(trx, { at, accountId: study.account_id, studyId, trail: 'study', actorId: actor.userId, action: 'collection.study', detail: { change: 'added', collection: collectionId, series: seriesUids === null ? 'all' : String(seriesUids.length) } });
  return { studyId, alreadyIn: false };
}

/** `collection.remove`: takes the reference out; no share is touched. */
export async function removeStudyFromCollection(trx: Transaction<HubDatabase>, actor: Actor, viewer: ViewerFacts, collectionId: string, studyId: string, at: string): Promise<Record<string, unknown>> {
  const rights = await batchRights(trx, viewer, collectionId);
  requireRight(rights, 'remove', 'Your rights in this collection do not include removing studies.');
  const entry = await trx.selectFrom('collection_studies').innerJoin('studies', 'studies.id', 'collection_studies.study_id').select(['collection_studies.removed_at', 'studies.account_id']).where('collection_id', '=', collectionId).where('study_id', '=', studyId).executeTakeFirst();
  if (entry === undefined || entry.removed_at !== null) return { studyId, removed: false };
  await trx.updateTable('collection_studies').set({ removed_at: at }).where('collection_id', '=', collectionId).where('study_id', '=', studyId).execute();
  await recordChange(trx, studyId, at);
  await recordAudit(trx, { at, accountId: entry.account_id, studyId, trail: 'study', actorId: actor.userId, action: 'collection.study', detail: { change: 'removed', collection: collectionId } });
  return { studyId, removed: true };
}

/** Users and groups of the collection's site matching `q` (by name), not yet members: to invite. */
export async function inviteCandidates(db: Db, viewer: ViewerFacts, id: string, q: string) {
  const { collection, rights } = await collectionFor(db, viewer, id);
  requireRight(rights, 'invite', 'Your rights in this collection do not include inviting members.');
  if (collection.account_id === null) return [];
  const like = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const members = new Set((await listMembers(db, id)).map((m) => `${m.kind}:${m.id}`));
  const [users, groups] = await Promise.all([
    db.selectFrom('users').select(['id', 'name']).where('account_id', '=', collection.account_id).where('active', '=', 1).where(sql<SqlBool>`lower(name) LIKE ${like} ESCAPE '\\'`).orderBy('name').limit(20).execute(),
    db.selectFrom('groups').select(['id', 'name']).where('account_id', '=', collection.account_id).where(sql<SqlBool>`lower(name) LIKE ${like} ESCAPE '\\'`).orderBy('name').limit(20).execute(),
  ]);
  return [...users.map((u) => ({ kind: 'user' as const, ...u })), ...groups.map((g) => ({ kind: 'group' as const, ...g }))].filter((c) => !members.has(`${c.kind}:${c.id}`));
}
