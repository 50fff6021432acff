/**
 * Loads the facts the shared visibility function decides on, from the hub's tables: what a
 * study is (owner, uploader, private, its shares) and who a viewer is (site, permissions,
 * locations, groups, department peers).
 */
import type { Kysely, Transaction } from 'kysely';
import type { ShareFact, StudyDownloadPolicy, StudyFacts, ViewerFacts, WorklistKind } from '../../shared/permissions/visibility';
import { connectionSiteRoles } from '../connections/connection-roles';
import { DEFAULT_SITE_POLICY, seesDepartmentDeidentified, siteViewOf, type SitePolicy } from '../../shared/permissions/site-policy';
import type { Actor } from '../auth/sessions';
import type { HubDatabase } from '../db/schema';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

export async function viewerFacts(db: Db, actor: Actor): Promise<ViewerFacts> {
  const [locations, groups, peers, policy, collections, ownEntries, delegated, siteRoles] = await Promise.all([
    db.selectFrom('location_members').select('owner_id').where('user_id', '=', actor.userId).execute(),
    db.selectFrom('group_members').select('owner_id').where('user_id', '=', actor.userId).execute(),
    // Peers through the departments of the viewer's own site only (rule 3 counts them on its studies).
    actor.accountId === null
      ? Promise.resolve([])
      : db
          .selectFrom('group_members as mine')
          .innerJoin('groups', 'groups.id', 'mine.owner_id')
          .innerJoin('group_members as peer', 'peer.owner_id', 'mine.owner_id')
          .select('peer.user_id')
          .where('mine.user_id', '=', actor.userId)
          .where('groups.department', '=', 1)
          .where('groups.account_id', '=', actor.accountId)
          .execute(),
    actor.accountId === null ? Promise.resolve(null) : sitePolicyOf(db, actor.accountId),
    viewerCollectionIds(db, actor.userId),
    // Rule 4: the viewer's own directory entry, and the physicians they act for — active ones only
    // (a deactivated physician reaches nobody through delegation).
    db.selectFrom('physicians').select('id').where('user_id', '=', actor.userId).where('active', '=', 1).execute(),
    db.selectFrom('physician_delegates as d').innerJoin('physicians as p', 'p.id', 'd.physician_id').select('d.physician_id').where('d.user_id', '=', actor.userId).where('p.active', '=', 1).execute(),
    // Rule 15: someone of no site acts on each connected site's studies with that connection's role.
    actor.accountId === null ? connectionSiteRoles(db, actor.userId) : Promise.resolve(null),
  ]);
  const roleId = policy === null ? null : ((await db.selectFrom('users').select('role_id').where('id', '=', actor.userId).executeTakeFirst())?.role_id ?? null);
  const siteView = policy === null ? 'participated' : siteViewOf(policy, { userId: actor.userId, roleId });
  return {
    userId: actor.userId,
    accountId: actor.accountId,
    permissions: actor.permissions,
    locationIds: new Set(locations.map((row) => row.owner_id)),
    groupIds: new Set(groups.map((row) => row.owner_id)),
    departmentPeerIds: new Set(peers.map((row) => row.user_id).filter((id) => id !== actor.userId)),
    // Outside a site there is no site to see: only what reaches them counts.
    siteView,
    // Rule 14: their department colleagues' studies, de-identified, where the site says so.
    deidentifiedDepartment: policy !== null && seesDepartmentDeidentified(policy, siteView),
    // Downloading under a site's 'roles' policy is by role (rule 13).
    roleId,
    collectionIds: collections,
    actingFor: [],
    physicianIds: new Set(ownEntries.map((row) => row.id)),
    delegatedPhysicianIds: new Set(delegated.map((row) => row.physician_id)),
    ...(siteRoles === null || siteRoles.size === 0 ? {} : { siteRoles }),
  };
}

/** A site's viewing policy as stored (migration 0200). */
export async function sitePolicyOf(db: Db, accountId: string): Promise<SitePolicy> {
  const [account, grants, downloadRoles] = await Promise.all([
    db.selectFrom('accounts').select(['viewing_policy', 'uploader_marks_private', 'download_policy', 'deidentified_department']).where('id', '=', accountId).executeTakeFirst(),
    db.selectFrom('whole_site_grants').select(['kind', 'subject_id']).where('account_id', '=', accountId).execute(),
    db.selectFrom('download_roles').select('role_id').where('account_id', '=', accountId).execute(),
  ]);
  if (account === undefined) return DEFAULT_SITE_POLICY;
  return {
    viewing: account.viewing_policy,
    wholeSiteUserIds: grants.filter((g) => g.kind === 'user').map((g) => g.subject_id).sort(),
    wholeSiteRoleIds: grants.filter((g) => g.kind === 'role').map((g) => g.subject_id).sort(),
    uploaderMarksPrivate: account.uploader_marks_private === 1,
    download: account.download_policy,
    downloadRoleIds: downloadRoles.map((r) => r.role_id).sort(),
    deidentifiedDepartment: account.deidentified_department === 1,
  };
}

/** The live collections a user is a member of, in person or through one of their groups. */
export async function viewerCollectionIds(db: Db, userId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('collection_members as m')
    .innerJoin('collections as c', 'c.id', 'm.collection_id')
    .select('m.collection_id')
    .where('c.deleted_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb.and([eb('m.member_kind', '=', 'user'), eb('m.member_id', '=', userId)]),
        eb.and([eb('m.member_kind', '=', 'group'), eb('m.member_id', 'in', eb.selectFrom('group_members').select('owner_id').where('user_id', '=', userId))]),
      ]),
    )
    .execute();
  return new Set(rows.map((row) => row.collection_id));
}

export interface HubStudyRow {
  readonly id: string;
  readonly account_id: string;
  readonly uploader_id: string;
  readonly private: number;
}

type ShareRow = { id: string; study_id: string; user_id: string | null; shared_by: string; removed_at: string | null; kind: string | null; owner_id: string | null };

function toFacts(study: HubStudyRow, shares: readonly ShareRow[], collectionIds: readonly string[], uploaderMarksPrivate: boolean, physicianIds: readonly string[]): StudyFacts {
  return {
    physicianIds,
    accountId: study.account_id,
    uploaderId: study.uploader_id,
    private: study.private === 1,
    collectionIds,
    uploaderMarksPrivate,
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

/** The live collections each study is in (deleted collections reach nobody). */
function collectionsOf(db: Db, studyIds: readonly string[]) {
  return db
    .selectFrom('collection_studies as cs')
    .innerJoin('collections as c', 'c.id', 'cs.collection_id')
    .select(['cs.study_id', 'cs.collection_id'])
    .where('cs.study_id', 'in', studyIds)
    .where('cs.removed_at', 'is', null)
    .where('c.deleted_at', 'is', null)
    .execute();
}

async function uploaderMarksPrivateBySite(db: Db, accountIds: readonly string[]): Promise<Map<string, boolean>> {
  const unique = [...new Set(accountIds)];
  if (unique.length === 0) return new Map();
  const rows = await db.selectFrom('accounts').select(['id', 'uploader_marks_private']).where('id', 'in', unique).execute();
  return new Map(rows.map((row) => [row.id, row.uploader_marks_private === 1]));
}

/** Each site's download policy with its roles (migration 0240; visibility rule 13). */
async function downloadBySite(db: Db, accountIds: readonly string[]): Promise<Map<string, StudyDownloadPolicy>> {
  const unique = [...new Set(accountIds)];
  if (unique.length === 0) return new Map();
  const [accounts, roles] = await Promise.all([
    db.selectFrom('accounts').select(['id', 'download_policy']).where('id', 'in', unique).execute(),
    db.selectFrom('download_roles').select(['account_id', 'role_id']).where('account_id', 'in', unique).execute(),
  ]);
  return new Map(accounts.map((row) => [row.id, { mode: row.download_policy, roleIds: roles.filter((r) => r.account_id === row.id).map((r) => r.role_id) }]));
}

export async function studyFacts(db: Db, study: HubStudyRow): Promise<StudyFacts> {
  return (await studyFactsMany(db, [study])).get(study.id)!;
}

/** The facts of many studies with one query for all their shares (the change feed's pages). */
export async function studyFactsMany(db: Db, studies: readonly HubStudyRow[]): Promise<Map<string, StudyFacts>> {
  const byStudy = new Map<string, ShareRow[]>();
  const collections = new Map<string, string[]>();
  const physicians = new Map<string, string[]>();
  // SQLite allows a limited number of bound values per statement: chunk the id list.
  for (let start = 0; start < studies.length; start += 500) {
    const ids = studies.slice(start, start + 500).map((study) => study.id);
    const [rows, inCollections, links] = ids.length === 0 ? [[], [], []] : await Promise.all([sharesOf(db, ids), collectionsOf(db, ids), db.selectFrom('study_physicians').select(['study_id', 'physician_id']).where('study_id', 'in', ids).execute()]);
    for (const row of links) physicians.set(row.study_id, [...(physicians.get(row.study_id) ?? []), row.physician_id]);
    for (const row of rows) {
      const list = byStudy.get(row.study_id) ?? [];
      list.push(row);
      byStudy.set(row.study_id, list);
    }
    for (const row of inCollections) collections.set(row.study_id, [...(collections.get(row.study_id) ?? []), row.collection_id]);
  }
  const [marks, downloads] = await Promise.all([uploaderMarksPrivateBySite(db, studies.map((study) => study.account_id)), downloadBySite(db, studies.map((study) => study.account_id))]);
  return new Map(
    studies.map((study) => {
      const facts = toFacts(study, byStudy.get(study.id) ?? [], collections.get(study.id) ?? [], marks.get(study.account_id) ?? true, [...new Set(physicians.get(study.id) ?? [])]);
      const download = downloads.get(study.account_id);
      return [study.id, download === undefined ? facts : { ...facts, download }];
    }),
  );
}
