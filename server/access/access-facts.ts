/**
 * Loads the facts the shared visibility function decides on, from the hub's tables: what a
 * study is (owner, uploader, private, its shares) and who a viewer is (site, permissions,
 * locations, groups, department peers).
 */
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { ShareFact, StudyDownloadPolicy, StudyFacts, ViewerFacts, WorklistKind } from '../../shared/permissions/visibility';
import { connectionSiteRoles } from '../connections/connection-roles';
import { DEFAULT_SITE_POLICY, seesDepartmentDeidentified, siteViewOf, type SitePolicy } from '../../shared/permissions/site-policy';
import type { Actor } from '../auth/sessions';
import type { HubDatabase } from '../db/schema';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

/** One fact of a viewer: which kind (`k`) and its value (`v`), one row each (viewerFactRows). */
type FactRow = { k: string; v: string | null };

/**
 * Every fact of the viewer that their own tables hold, in one statement: a UNION ALL of one
 * index read each, tagged by kind. A list request read them with ten statements; on a loaded
 * PostgreSQL each one waits for a pooled connection and a core (tens of ms at load 10), and on
 * SQLite each is a trip through the driver — one round trip instead (bench:hub --scale --lists
 * --trace). Their own site's policy comes with them (`sitePolicyRows`), read the same way.
 */
function viewerFactRows(db: Db, actor: Actor) {
  const user = actor.userId;
  const site = actor.accountId;
  const rows = [
    sql<FactRow>`SELECT 'location' AS k, lm.owner_id AS v FROM location_members lm WHERE lm.user_id = ${user}`,
    sql<FactRow>`SELECT 'group' AS k, gm.owner_id AS v FROM group_members gm WHERE gm.user_id = ${user}`,
    // The live collections they are a member of, in person or through one of their groups.
    sql<FactRow>`SELECT 'collection' AS k, m.collection_id AS v FROM collection_members m INNER JOIN collections c ON c.id = m.collection_id
      WHERE c.deleted_at IS NULL AND ((m.member_kind = 'user' AND m.member_id = ${user}) OR (m.member_kind = 'group' AND m.member_id IN (SELECT g.owner_id FROM group_members g WHERE g.user_id = ${user})))`,
    // Rule 4: the viewer's own directory entry, and the physicians they act for — active ones only
    // (a deactivated physician reaches nobody through delegation).
    sql<FactRow>`SELECT 'own' AS k, p.id AS v FROM physicians p WHERE p.user_id = ${user} AND p.active = 1`,
    sql<FactRow>`SELECT 'delegated' AS k, d.physician_id AS v FROM physician_delegates d INNER JOIN physicians p ON p.id = d.physician_id WHERE d.user_id = ${user} AND p.active = 1`,
  ];
  if (site !== null) {
    rows.push(
      // Peers through the departments of the viewer's own site only (rule 3 counts them on its studies).
      sql<FactRow>`SELECT 'peer' AS k, peer.user_id AS v FROM group_members mine INNER JOIN groups g ON g.id = mine.owner_id INNER JOIN group_members peer ON peer.owner_id = mine.owner_id
        WHERE mine.user_id = ${user} AND g.department = 1 AND g.account_id = ${site}`,
      sql<FactRow>`SELECT 'role' AS k, u.role_id AS v FROM users u WHERE u.id = ${user}`,
      ...sitePolicyRows(site),
    );
  }
  return sql<FactRow>`${sql.join(rows, sql` UNION ALL `)}`.execute(db);
}

export async function viewerFacts(db: Db, actor: Actor): Promise<ViewerFacts> {
  const [{ rows }, siteRoles] = await Promise.all([
    viewerFactRows(db, actor),
    // Rule 15: someone of no site acts on each connected site's studies with that connection's role.
    actor.accountId === null ? connectionSiteRoles(db, actor.userId) : Promise.resolve(null),
  ]);
  const of = (kind: string) => rows.filter((row) => row.k === kind).map((row) => row.v ?? '');
  const policy = actor.accountId === null ? null : sitePolicyFrom(rows);
  const roleId = policy === null ? null : (rows.find((row) => row.k === 'role')?.v ?? null);
  const siteView = policy === null ? 'participated' : siteViewOf(policy, { userId: actor.userId, roleId });
  return {
    userId: actor.userId,
    accountId: actor.accountId,
    permissions: actor.permissions,
    locationIds: new Set(of('location')),
    groupIds: new Set(of('group')),
    departmentPeerIds: new Set(of('peer').filter((id) => id !== actor.userId)),
    // Outside a site there is no site to see: only what reaches them counts.
    siteView,
    // Rule 14: their department colleagues' studies, de-identified, where the site says so.
    deidentifiedDepartment: policy !== null && seesDepartmentDeidentified(policy, siteView),
    // Downloading under a site's 'roles' policy is by role (rule 13).
    roleId,
    collectionIds: new Set(of('collection')),
    actingFor: [],
    physicianIds: new Set(of('own')),
    delegatedPhysicianIds: new Set(of('delegated')),
    ...(siteRoles === null || siteRoles.size === 0 ? {} : { siteRoles }),
  };
}

/**
 * A site's policy as fact rows (its account's columns, whole-site grants, download roles), for
 * one statement with others; integers as '0'/'1' so every branch of the union is text.
 */
function sitePolicyRows(site: string): RawBuilder<FactRow>[] {
  return [
    sql<FactRow>`SELECT 'viewing' AS k, a.viewing_policy AS v FROM accounts a WHERE a.id = ${site}`,
    sql<FactRow>`SELECT 'uploader-marks-private' AS k, CASE WHEN a.uploader_marks_private = 1 THEN '1' ELSE '0' END AS v FROM accounts a WHERE a.id = ${site}`,
    sql<FactRow>`SELECT 'download' AS k, a.download_policy AS v FROM accounts a WHERE a.id = ${site}`,
    sql<FactRow>`SELECT 'deidentified-department' AS k, CASE WHEN a.deidentified_department = 1 THEN '1' ELSE '0' END AS v FROM accounts a WHERE a.id = ${site}`,
    sql<FactRow>`SELECT CASE WHEN wg.kind = 'user' THEN 'whole-site-user' ELSE 'whole-site-role' END AS k, wg.subject_id AS v FROM whole_site_grants wg WHERE wg.account_id = ${site}`,
    sql<FactRow>`SELECT 'download-role' AS k, dr.role_id AS v FROM download_roles dr WHERE dr.account_id = ${site}`,
  ];
}

/** The policy the rows of `sitePolicyRows` describe; a site that does not exist has the default. */
function sitePolicyFrom(rows: readonly FactRow[]): SitePolicy {
  const one = (kind: string) => rows.find((row) => row.k === kind)?.v ?? null;
  const all = (kind: string) => rows.filter((row) => row.k === kind).map((row) => row.v ?? '').sort();
  const viewing = one('viewing');
  if (viewing === null) return DEFAULT_SITE_POLICY;
  return {
    viewing: viewing as SitePolicy['viewing'],
    wholeSiteUserIds: all('whole-site-user'),
    wholeSiteRoleIds: all('whole-site-role'),
    uploaderMarksPrivate: one('uploader-marks-private') === '1',
    download: one('download') as SitePolicy['download'],
    downloadRoleIds: all('download-role'),
    deidentifiedDepartment: one('deidentified-department') === '1',
  };
}

/** A site's viewing policy as stored (migration 0200). */
export async function sitePolicyOf(db: Db, accountId: string): Promise<SitePolicy> {
  const { rows } = await sql<FactRow>`${sql.join(sitePolicyRows(accountId), sql` UNION ALL `)}`.execute(db);
  return sitePolicyFrom(rows);
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

/** One row of studyFactRows: its kind (`k`: share, collection, physician, site, download role) and up to six values. */
type StudyFactRow = { k: string; study_id: string | null; a: string | null; b: string | null; c: string | null; d: string | null; e: string | null; f: string | null };

/**
 * The facts of these studies and of their sites in one statement, a UNION ALL of one index read
 * each (a list page's reasons took five; on a loaded PostgreSQL each waited for a core): their
 * shares, with each share's worklist read by its primary key — a join let PostgreSQL hash all
 * 10,500 worklists for 250 shares (20–35 ms, EXPLAIN ANALYZE at 1M) —, the live collections
 * they are in (deleted collections reach nobody), their physicians, and their sites'
 * uploader-marks-private and download policies with the download roles.
 */
function studyFactRows(db: Db, studyIds: readonly string[], accountIds: readonly string[]) {
  const ids = sql.join(studyIds);
  const rows = [
    sql`SELECT 'share' AS k, sh.study_id AS study_id, sh.id AS a, sh.user_id AS b, sh.shared_by AS c, sh.removed_at AS d,
      (SELECT w.kind FROM worklists w WHERE w.id = sh.worklist_id) AS e, (SELECT w.owner_id FROM worklists w WHERE w.id = sh.worklist_id) AS f
      FROM shares sh WHERE sh.study_id IN (${ids})`,
    sql`SELECT 'collection', cs.study_id, cs.collection_id, NULL, NULL, NULL, NULL, NULL FROM collection_studies cs INNER JOIN collections c ON c.id = cs.collection_id
      WHERE cs.study_id IN (${ids}) AND cs.removed_at IS NULL AND c.deleted_at IS NULL`,
    sql`SELECT 'physician', sp.study_id, sp.physician_id, NULL, NULL, NULL, NULL, NULL FROM study_physicians sp WHERE sp.study_id IN (${ids})`,
  ];
  if (accountIds.length > 0) {
    const sites = sql.join(accountIds);
    rows.push(
      sql`SELECT 'site', NULL, a.id, CASE WHEN a.uploader_marks_private = 1 THEN '1' ELSE '0' END, a.download_policy, NULL, NULL, NULL FROM accounts a WHERE a.id IN (${sites})`,
      sql`SELECT 'download-role', NULL, dr.account_id, dr.role_id, NULL, NULL, NULL, NULL FROM download_roles dr WHERE dr.account_id IN (${sites})`,
    );
  }
  return sql<StudyFactRow>`${sql.join(rows, sql` UNION ALL `)}`.execute(db);
}

export async function studyFacts(db: Db, study: HubStudyRow): Promise<StudyFacts> {
  return (await studyFactsMany(db, [study])).get(study.id)!;
}

/** The facts of many studies with one statement for all of them (the change feed's pages, a list page's reasons). */
export async function studyFactsMany(db: Db, studies: readonly HubStudyRow[]): Promise<Map<string, StudyFacts>> {
  const byStudy = new Map<string, ShareRow[]>();
  const collections = new Map<string, string[]>();
  const physicians = new Map<string, string[]>();
  const marks = new Map<string, boolean>();
  const downloads = new Map<string, { mode: StudyDownloadPolicy['mode']; roleIds: string[] }>();
  const push = <T>(map: Map<string, T[]>, key: string, value: T) => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [value]);
    else list.push(value);
  };
  // SQLite allows a limited number of bound values per statement: chunk the id list (each chunk
  // reads its own studies' sites; a site met again is read again, a few rows).
  for (let start = 0; start < studies.length; start += 500) {
    const chunk = studies.slice(start, start + 500);
    const { rows } = await studyFactRows(db, chunk.map((study) => study.id), [...new Set(chunk.map((study) => study.account_id))]);
    for (const row of rows) {
      if (row.k === 'share') push(byStudy, row.study_id!, { id: row.a!, study_id: row.study_id!, user_id: row.b, shared_by: row.c!, removed_at: row.d, kind: row.e, owner_id: row.f });
      else if (row.k === 'collection') push(collections, row.study_id!, row.a!);
      else if (row.k === 'physician') push(physicians, row.study_id!, row.a!);
      else if (row.k === 'site') {
        marks.set(row.a!, row.b === '1');
        if (!downloads.has(row.a!)) downloads.set(row.a!, { mode: row.c as StudyDownloadPolicy['mode'], roleIds: [] });
      }
    }
    // Download roles after their site's row (the union's order is not guaranteed).
    for (const row of rows) if (row.k === 'download-role') downloads.get(row.a!)?.roleIds.push(row.b!);
  }
  for (const policy of downloads.values()) policy.roleIds = [...new Set(policy.roleIds)];
  return new Map(
    studies.map((study) => {
      const facts = toFacts(study, byStudy.get(study.id) ?? [], collections.get(study.id) ?? [], marks.get(study.account_id) ?? true, [...new Set(physicians.get(study.id) ?? [])]);
      const download = downloads.get(study.account_id);
      return [study.id, download === undefined ? facts : { ...facts, download }];
    }),
  );
}
