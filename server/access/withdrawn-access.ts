/**
 * Telling people that studies left (or reached) them when nothing about the studies changed
 * (issue 13, part 4): a department lost or gained a member or was deleted, a collection lost or
 * gained a member or was deleted.
 * Their hub lists change at once (visibility is read per request); their desktop keeps a cached
 * copy fed by the change feed, which until now only spoke of changed studies. Each function
 * here writes, in the caller's transaction and after the membership change, one change row per
 * (study, person) addressed to that person (`changes.for_user_id`, migration 0230). The feed
 * (server/sharing/change-feed.ts) reads it as the study's current state for that person: gone
 * (`visible: false`) when they no longer see it, refreshed when they still do by another way.
 *
 * Written as INSERT … SELECT, so a department whose members uploaded thousands of studies costs
 * one statement, not a row per round trip. Only studies the person could have seen that way are
 * named: a department's only under the department policy, and never a private one (departments
 * never showed those); a collection's live entries, private ones included (its members are
 * participants).
 */
import { sql, type Transaction } from 'kysely';
import { lockChangeFeed } from '../db/change-feed';
import type { HubDatabase } from '../db/schema';

type Trx = Transaction<HubDatabase>;

async function countsDepartments(trx: Trx, accountId: string): Promise<boolean> {
  const account = await trx.selectFrom('accounts').select('viewing_policy').where('id', '=', accountId).executeTakeFirst();
  return account?.viewing_policy === 'department';
}

/**
 * `userId` just joined or left department `departmentId` of `accountId` (call after changing the
 * membership): they gain or lose the other members' studies, and the others gain or lose theirs.
 * The feed says each study's state for each of them now, so one function serves both ways.
 */
export async function departmentMembershipChanged(trx: Trx, accountId: string, departmentId: string, userId: string, at: string): Promise<void> {
  if (!(await countsDepartments(trx, accountId))) return;
  await lockChangeFeed(trx);
  await sql`INSERT INTO changes (study_id, at, for_user_id)
    SELECT s.id, CAST(${at} AS text), CAST(${userId} AS text) FROM studies s
    WHERE s.account_id = ${accountId} AND s.private = 0 AND s.uploader_id <> ${userId}
      AND s.uploader_id IN (SELECT gm.user_id FROM group_members gm WHERE gm.owner_id = ${departmentId})`.execute(trx);
  await sql`INSERT INTO changes (study_id, at, for_user_id)
    SELECT s.id, CAST(${at} AS text), gm.user_id FROM studies s CROSS JOIN group_members gm
    WHERE gm.owner_id = ${departmentId} AND gm.user_id <> ${userId} AND s.uploader_id = ${userId} AND s.account_id = ${accountId} AND s.private = 0`.execute(trx);
}

/** Department `departmentId` is about to be deleted (call before deleting its members): every member loses every other's studies. */
export async function departmentDissolving(trx: Trx, accountId: string, departmentId: string, at: string): Promise<void> {
  if (!(await countsDepartments(trx, accountId))) return;
  await lockChangeFeed(trx);
  await sql`INSERT INTO changes (study_id, at, for_user_id)
    SELECT s.id, CAST(${at} AS text), peer.user_id FROM group_members up
      JOIN group_members peer ON peer.owner_id = up.owner_id AND peer.user_id <> up.user_id
      JOIN studies s ON s.uploader_id = up.user_id
    WHERE up.owner_id = ${departmentId} AND s.account_id = ${accountId} AND s.private = 0`.execute(trx);
}

/** The people a collection member stands for: the user, or the group's members. */
function peopleOf(member: { readonly kind: 'user' | 'group'; readonly memberId: string }) {
  return member.kind === 'user' ? sql`SELECT CAST(${member.memberId} AS text) AS user_id` : sql`SELECT gm.user_id FROM group_members gm WHERE gm.owner_id = ${member.memberId}`;
}

/** A member (a person, or a group's people) joined or left collection `collectionId`: its live studies came to them or may have left them. */
export async function collectionMembershipChanged(trx: Trx, collectionId: string, member: { readonly kind: 'user' | 'group'; readonly memberId: string }, at: string): Promise<void> {
  await lockChangeFeed(trx);
  await sql`INSERT INTO changes (study_id, at, for_user_id)
    SELECT cs.study_id, CAST(${at} AS text), p.user_id FROM collection_studies cs CROSS JOIN (${peopleOf(member)}) p
    WHERE cs.collection_id = ${collectionId} AND cs.removed_at IS NULL`.execute(trx);
}

/** Collection `collectionId` was deleted: its live studies may have left every member. */
export async function collectionDissolved(trx: Trx, collectionId: string, at: string): Promise<void> {
  const members = await trx.selectFrom('collection_members').select(['member_kind', 'member_id']).where('collection_id', '=', collectionId).execute();
  for (const member of members) await collectionMembershipChanged(trx, collectionId, { kind: member.member_kind, memberId: member.member_id }, at);
}
