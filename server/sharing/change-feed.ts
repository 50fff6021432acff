/**
 * Reading the change feed (written by server/db/change-feed.ts): studies changed after a cursor, as the asking user may see them now. A study
 * they can no longer see comes as `{ studyId, visible: false }` (its id only) so that their
 * cache drops it — and only to someone who could see it before (a share to them was removed, or
 * it was made private): a study that never reached this user is not in their feed at all, not
 * even by id. Both conditions are SQL (server/access/visibility-sql.ts), applied before the
 * page's limit. A change addressed to one person (`for_user_id`: a department or collection
 * they left showed the study) reaches that person only, and says the study's state for them now.
 * Each page also carries the reader's site's policy generation: a policy change takes studies
 * away without changing them, so no row here could say so (issue 13, part 3).
 */
import { sql, type Kysely } from 'kysely';
import type { HubChange, HubChangePage, HubStudyChange } from '../../shared/hub-contract';
import { studyAccess, visibleShares, type ViewerFacts } from '../../shared/permissions/visibility';
import { studyFactsMany } from '../access/access-facts';
import { studyVisibleSql } from '../access/visibility-sql';
import { commentRevisions } from '../comments/comments-repository';
import type { HubDatabase } from '../db/schema';

/** One page of the feed after `after`, as `viewer` may see it now. */
export async function readChanges(db: Kysely<HubDatabase>, viewer: ViewerFacts, after: number, limit: number): Promise<HubChangePage> {
  const visibleNow = studyVisibleSql(viewer, 'studies');
  const seenBefore = studyVisibleSql(viewer, 'studies', { asIfNothingWithdrawn: true });
  // Each changed study once, in the order of its latest change: a study changed many times
  // since the cursor (published, then shared five times) costs one entry, not six. Every
  // study whose latest change is at or before the page's cursor is in the page, so the
  // next page starts after it without missing any.
  const rows = await db
    .selectFrom('changes')
    .innerJoin('studies', 'studies.id', 'changes.study_id')
    .select((eb) => [
      'changes.study_id',
      eb.fn.max('changes.seq').as('seq'),
      sql<number>`CASE WHEN ${visibleNow} THEN 1 ELSE 0 END`.as('visible'),
    ])
    .where('changes.seq', '>', after)
    // Changes for everyone, to those who could see the study; and those addressed to this viewer
    // alone: a department or collection they left showed it (server/access/withdrawn-access.ts).
    .where((eb) => eb.or([eb.and([eb('changes.for_user_id', 'is', null), seenBefore]), eb('changes.for_user_id', '=', viewer.userId)]))
    .groupBy(['changes.study_id', 'studies.id', 'studies.account_id', 'studies.uploader_id', 'studies.private'])
    .orderBy('seq')
    .limit(limit)
    .execute();
  const cursor = rows.at(-1)?.seq ?? after;
  const shownIds = rows.filter((row) => Number(row.visible) === 1).map((row) => row.study_id);
  const studies = new Map<string, { id: string; account_id: string; uploader_id: string; private: number; summary: string }>();
  for (let start = 0; start < shownIds.length; start += 500) {
    const chunk = shownIds.slice(start, start + 500);
    for (const study of await db.selectFrom('studies').select(['id', 'account_id', 'uploader_id', 'private', 'summary']).where('id', 'in', chunk).execute()) studies.set(study.id, study);
  }
  const factsById = await studyFactsMany(db, [...studies.values()]);
  const comments = await commentRevisions(db, [...studies.keys()]);
  const changes: HubChange[] = [];
  for (const row of rows) {
    const study = studies.get(row.study_id);
    if (study === undefined) {
      changes.push({ studyId: row.study_id, visible: false });
      continue;
    }
    // What the viewer may do, and which shares they may know of, from the pure rules.
    const facts = factsById.get(study.id)!;
    const access = studyAccess(facts, viewer);
    changes.push({
      studyId: study.id,
      visible: true,
      private: study.private === 1,
      summary: JSON.parse(study.summary) as HubStudyChange['summary'],
      actions: [...access.actions].sort(),
      shares: visibleShares(facts, viewer).map((share) => ({ id: share.id, target: share.target, sharedBy: share.sharedBy, removable: access.removableShareIds.has(share.id) })),
      // Issue 16: a desktop whose copy of the comments has another revision reads them again.
      comments: comments.get(study.id) ?? { count: 0, revision: 0 },
    });
  }
  // The site's policy generation (migration 0260): a desktop that sees a new one reads its cache again.
  const site = viewer.accountId === null ? undefined : await db.selectFrom('accounts').select('policy_generation').where('id', '=', viewer.accountId).executeTakeFirst();
  return { changes, cursor, more: rows.length === limit, policyGeneration: Number(site?.policy_generation ?? 0) };
}
