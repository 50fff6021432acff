/**
 * Loads the facts the shared visibility function decides on, from the hub's tables: what a
 * study is (owner, uploader, private, its shares) and who a viewer is (site, permissions,
 * locations, groups, department peers).
 */
import type { Kysely, Transaction } from 'kysely';
import type { ShareFact, StudyFacts, ViewerFacts, WorklistKind } from '../../shared/permissions/visibility';
import type { Actor } from '../auth/sessions';
import type { HubDatabase } from '../db/schema';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

export async function viewerFacts(db: Db, actor: Actor): Promise<ViewerFacts> {
  const [locations, groups, peers] = await Promise.all([
    db.selectFrom('location_members').select('owner_id').where('user_id', '=', actor.userId).execute(),
    db.selectFrom('group_members').select('owner_id').where('user_id', '=', actor.userId).execute(),
    db
      .selectFrom('group_members as mine')
      .innerJoin('groups', 'groups.id', 'mine.owner_id')
      .innerJoin('group_members as peer', 'peer.owner_id', 'mine.owner_id')
      .select('peer.user_id')
      .where('mine.user_id', '=', actor.userId)
      .where('groups.department', '=', 1)
      .execute(),
  ]);
  return {
    userId: actor.userId,
    accountId: actor.accountId,
    permissions: actor.permissions,
    locationIds: new Set(locations.map((row) => row.owner_id)),
    groupIds: new Set(groups.map((row) => row.owner_id)),
    departmentPeerIds: new Set(peers.map((row) => row.user_id).filter((id) => id !== actor.userId)),
    actingFor: [],
  };
}

export interface HubStudyRow {
  readonly id: string;
  readonly account_id: string;
  readonly uploader_id: string;
  readonly private: number;
}

type ShareRow = { id: string; study_id: string; user_id: string | null; shared_by: string; removed_at: string | null; kind: string | null; owner_id: string | null };

function toFacts(study: HubStudyRow, shares: readonly ShareRow[]): StudyFacts {
  return {
    accountId: study.account_id,
    uploaderId: study.uploader_id,
    private: study.private === 1,
    shares: shares.map(
      (row): ShareFact => ({
        id: row.id,
        target:
          row.user_id !== null
            ? { kind: 'person', userId: row.user_id }
            : { kind: 'worklist', worklistKind: row.kind as WorklistKind, ownerId: row.owner_id ?? '' },
        sharedBy: row.shared_by,
        removed: row.removed_at !== null,
      }),
    ),
  };
}

function sharesOf(db: Db, studyIds: readonly string[]) {
  return db
    .selectFrom('shares')
    .leftJoin('worklists', 'worklists.id', 'shares.worklist_id')
    .select(['shares.id', 'shares.study_id', 'shares.user_id', 'shares.shared_by', 'shares.removed_at', 'worklists.kind', 'worklists.owner_id'])
    .where('shares.study_id', 'in', studyIds)
    .execute();
}

export async function studyFacts(db: Db, study: HubStudyRow): Promise<StudyFacts> {
  return toFacts(study, await sharesOf(db, [study.id]));
}

/** The facts of many studies with one query for all their shares (the change feed's pages). */
export async function studyFactsMany(db: Db, studies: readonly HubStudyRow[]): Promise<Map<string, StudyFacts>> {
  const byStudy = new Map<string, ShareRow[]>();
  // SQLite allows a limited number of bound values per statement: chunk the id list.
  for (let start = 0; start < studies.length; start += 500) {
    const rows = studies.length === 0 ? [] : await sharesOf(db, studies.slice(start, start + 500).map((study) => study.id));
    for (const row of rows) {
      const list = byStudy.get(row.study_id) ?? [];
      list.push(row);
      byStudy.set(row.study_id, list);
    }
  }
  return new Map(studies.map((study) => [study.id, toFacts(study, byStudy.get(study.id) ?? [])]));
}
