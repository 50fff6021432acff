/**
 * The visibility rules of shared/permissions/visibility.ts as one SQL condition over a `studies`
 * row (plus EXISTS on its shares), so that lists filter in the database — before the LIMIT —
 * instead of in JavaScript after it. The pure function stays the specification:
 * visibility-sql.property.test.ts checks on thousands of random worlds, on SQLite and
 * PostgreSQL, that this condition is true exactly when `studyAccess` allows the action.
 *
 * Every value reaches the database as a bound parameter; the only names interpolated are the
 * table alias the caller passes (a constant in our code, never user input).
 *
 * How the rules become SQL (numbers as in visibility.ts):
 *   view := viewer holds studies.view AND (
 *       [1] admin.users AND s.account_id = viewer's site
 *    OR [2] s.uploader_id = viewer
 *    OR [2] a live share to the viewer in person or to their personal worklist
 *    OR [2] s is (live) in a collection the viewer is a member of
 *    OR s.private = 0 AND (
 *          [3] s.account_id = viewer's site, when their site view is 'site'
 *       OR [3] a live share to a worklist of one of the viewer's locations or groups
 *       OR [3] s.account_id = viewer's site AND s.uploader_id is a department peer, when their
 *             site view is 'department'
 *       OR [4] the same, for each physician the viewer acts for who holds studies.view
 *             (their admin rule is "their whole site" here, since the study is not private;
 *             their direct shares and collections count, private studies excepted — rule 4)
 *       OR [4] a link (study_physicians) to an active physician the viewer acts for)
 *    OR [4] a link (study_physicians) to the viewer's own directory entry (a participant)
 *   any other action := view AND the viewer holds the action's permissions
 *   mark-private := that AND (viewer is an admin of the study's site OR the uploader where
 *       the study's site lets uploaders: accounts.uploader_marks_private)                [11]
 *   guest-link := that AND s.account_id = viewer's site                              [7]
 *   guest-link.manage := view AND s.account_id = viewer's site AND (the permission
 *       OR admin.users)                                                              [7]
 *   update := that AND s.account_id = viewer's site AND (s.private = 0 OR the
 *       uploader OR an admin of the study's site)                                    [9]
 *   download := view AND (an admin of the study's site OR its site's download policy is
 *       'viewers' OR it is 'roles' and lists the viewer's role: download_roles)       [13]
 *   view-deidentified := NOT view AND the viewer holds studies.view, sees only what they
 *       participated in and their site turned the de-identified view on (a fact of the viewer)
 *       AND s.account_id = viewer's site AND s.private = 0 AND s.uploader_id is a department
 *       peer                                                                          [14]
 *   every condition above, for a viewer connected to sites: OR over their connected sites X of
 *       (s.account_id = X AND the condition with X's connection role), OR (s.account_id is
 *       none of them AND the condition with their own role)                           [15]
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { AuditAction } from '../../shared/audit-actions';
import { ACTION_PERMISSIONS, holdsAnywhere, OWN_SITE_ACTIONS, viewerAtSite, type StudyAction, type ViewerFacts } from '../../shared/permissions/visibility';

const FALSE = sql<SqlBool>`(1 = 0)`;

function anyOf(parts: readonly RawBuilder<SqlBool>[]): RawBuilder<SqlBool> {
  if (parts.length === 0) return FALSE;
  if (parts.length === 1) return parts[0];
  return sql<SqlBool>`(${sql.join(parts, sql` OR `)})`;
}

/** `column IN (…)`, or nothing for an empty set (PostgreSQL refuses `IN ()`). */
function inSet(column: RawBuilder<unknown>, values: Iterable<string>): RawBuilder<SqlBool> | null {
  const list = [...new Set(values)];
  if (list.length === 0) return null;
  if (list.length === 1) return sql<SqlBool>`${column} = ${list[0]}`;
  return sql<SqlBool>`${column} IN (${sql.join(list)})`;
}

const present = <T>(value: T | null): value is T => value !== null;

/** The worklists (by kind and owner) whose live shares count, as a subquery of worklist ids. */
function worklistIds(owners: { readonly personal: Iterable<string>; readonly location: Iterable<string>; readonly group: Iterable<string> }): RawBuilder<unknown> | null {
  const kinds = (['personal', 'location', 'group'] as const)
    .map((kind) => {
      const owner = inSet(sql.ref('w.owner_id'), owners[kind]);
      return owner === null ? null : sql<SqlBool>`(w.kind = ${kind} AND ${owner})`;
    })
    .filter(present);
  if (kinds.length === 0) return null;
  return sql`SELECT w.id FROM worklists w WHERE ${anyOf(kinds)}`;
}

export interface VisibilityOptions {
  /**
   * Answer as if every removed share were still live and no study made private later were
   * private: true for a study the viewer may see now or could see before a share to them was
   * removed or the study was made private. The change feed tells only such viewers that a study
   * left them. (A study private from the start stays private here: its site's members never saw it.)
   */
  readonly asIfNothingWithdrawn?: boolean;
}

function privateFlagChangedSql(studyId: RawBuilder<unknown>): RawBuilder<SqlBool> {
  // Read by the audit trail's (study_id, seq) index: a study's events are few.
  return sql<SqlBool>`EXISTS (SELECT 1 FROM audit_events pf WHERE pf.study_id = ${studyId} AND pf.action = ${'study.private' satisfies AuditAction})`;
}

/**
 * The private flag at its least: 0 when the study is not private now or was made
 * private after being put on the hub (its trail records a change of the flag), 1 when it has
 * been private from the start (the audit trail, written in the same transaction as every flag
 * change, is where that history is kept). "Could see it before" must not count a study private
 * from the start as seen by its site's members: they never had it, and its id is not theirs.
 */
function everNotPrivate(ref: (name: string) => RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`(CASE WHEN ${ref('private')} = 0 OR ${privateFlagChangedSql(ref('id'))} THEN 0 ELSE 1 END)`;
}

/** Sees every non-private study of their own site: their policy says 'site', or they are its admin (rules 1 and 3). */
function seesWholeSite(viewer: ViewerFacts): boolean {
  return viewer.accountId !== null && (viewer.siteView === 'site' || viewer.permissions.has('admin.users'));
}

/** Their department peers, when their site's policy makes departments count (rule 3). */
function countedPeers(viewer: ViewerFacts): readonly string[] {
  return viewer.accountId !== null && viewer.siteView === 'department' ? [...viewer.departmentPeerIds] : [];
}

/** Their department peers, when their site gives them the de-identified view of them (rule 14). */
function deidentifiedPeers(viewer: ViewerFacts): readonly string[] {
  return viewer.accountId !== null && viewer.siteView === 'participated' && viewer.deidentifiedDepartment === true ? [...viewer.departmentPeerIds] : [];
}

/** True when the viewer sees the study in row `study` de-identified only (rule 14: `view-deidentified`). */
export function studyDeidentifiedSql(viewer: ViewerFacts, study = 'studies'): RawBuilder<SqlBool> {
  const peers = inSet(sql.ref(`${study}.uploader_id`), deidentifiedPeers(viewer));
  if (!viewer.permissions.has('studies.view') || peers === null) return FALSE;
  const col = (name: string) => sql.ref(`${study}.${name}`);
  return sql<SqlBool>`(${col('account_id')} = ${viewer.accountId} AND ${col('private')} = 0 AND ${peers} AND NOT ${studyVisibleSql(viewer, study)})`;
}

/** True when the viewer sees the study at all, as it is or de-identified (the lists that de-identify: server/deidentify/). */
export function studySeenSql(viewer: ViewerFacts, study = 'studies'): RawBuilder<SqlBool> {
  const visible = studyVisibleSql(viewer, study);
  // Without the de-identified view, exactly the condition every list used before it.
  if (deidentifiedPeers(viewer).length === 0) return visible;
  const peers = inSet(sql.ref(`${study}.uploader_id`), deidentifiedPeers(viewer))!;
  return sql<SqlBool>`(${visible} OR (${sql.ref(`${study}.account_id`)} = ${viewer.accountId} AND ${sql.ref(`${study}.private`)} = 0 AND ${peers}))`;
}

/**
 * Rule 15 (one role per connection): a viewer connected to sites is tested on each of those
 * sites' studies as `viewerAtSite` makes them (that connection's role), and on every other
 * study as they are — one branch per connected site, keyed on the row's site. Without
 * connections, exactly the one-role condition.
 */
function perSiteRole(viewer: ViewerFacts, study: string, build: (viewer: ViewerFacts) => RawBuilder<SqlBool>): RawBuilder<SqlBool> {
  const sites = [...(viewer.siteRoles?.keys() ?? [])].sort();
  if (sites.length === 0) return build(viewer);
  const site = sql.ref(`${study}.account_id`);
  const own = { ...viewer, siteRoles: undefined };
  return anyOf([
    ...sites.map((id) => sql<SqlBool>`(${site} = ${id} AND ${build({ ...viewerAtSite(viewer, id), siteRoles: undefined })})`),
    sql<SqlBool>`(NOT (${inSet(site, sites)!}) AND ${build(own)})`,
  ]);
}

/** True when the viewer may see the study in row `study` (a table name or alias). */
export function studyVisibleSql(viewer: ViewerFacts, study = 'studies', options: VisibilityOptions = {}): RawBuilder<SqlBool> {
  return perSiteRole(viewer, study, (one) => visibleWithOneRole(one, study, options));
}

function visibleWithOneRole(viewer: ViewerFacts, study: string, options: VisibilityOptions): RawBuilder<SqlBool> {
  if (!viewer.permissions.has('studies.view')) return FALSE;
  const withdrawn = options.asIfNothingWithdrawn === true;
  const ref = (name: string) => sql.ref(`${study}.${name}`);
  const col = (name: string) => (withdrawn && name === 'private' ? everNotPrivate(ref) : ref(name));
  const physicians = viewer.actingFor.filter((physician) => physician.permissions.has('studies.view'));

  // Shares that reach the viewer whatever the private flag (rule 2), and those that reach them
  // only on a study that is not private (rules 3 and 4), tested in one EXISTS on the study's shares.
  const directWorklists = worklistIds({ personal: [viewer.userId], location: [], group: [] });
  const sharedWorklists = worklistIds({
    personal: physicians.map((p) => p.userId),
    location: [...viewer.locationIds, ...physicians.flatMap((p) => [...p.locationIds])],
    group: [...viewer.groupIds, ...physicians.flatMap((p) => [...p.groupIds])],
  });
  const direct = [sql<SqlBool>`sh.user_id = ${viewer.userId}`, directWorklists === null ? null : sql<SqlBool>`sh.worklist_id IN (${directWorklists})`].filter(present);
  const throughShared = [inSet(sql.ref('sh.user_id'), physicians.map((p) => p.userId)), sharedWorklists === null ? null : sql<SqlBool>`sh.worklist_id IN (${sharedWorklists})`].filter(present);
  const shareReaches = anyOf([...direct, ...(throughShared.length === 0 ? [] : [sql<SqlBool>`(${col('private')} = 0 AND ${anyOf(throughShared)})`])]);
  const live = withdrawn ? sql<SqlBool>`1 = 1` : sql<SqlBool>`sh.removed_at IS NULL`;
  const shared = sql<SqlBool>`EXISTS (SELECT 1 FROM shares sh WHERE sh.study_id = ${col('id')} AND ${live} AND ${shareReaches})`;

  // Collections: the viewer's own reach a study whatever its flag (its members are participants,
  // rule 2); the physicians' only a study that is not private (rule 4).
  const inCollections = (ids: Iterable<string>) => {
    const set = inSet(sql.ref('cs.collection_id'), ids);
    const liveEntry = withdrawn ? sql<SqlBool>`1 = 1` : sql<SqlBool>`cs.removed_at IS NULL`;
    return set === null ? null : sql<SqlBool>`EXISTS (SELECT 1 FROM collection_studies cs WHERE cs.study_id = ${col('id')} AND ${liveEntry} AND ${set})`;
  };
  const ownCollections = inCollections(viewer.collectionIds);
  // Physicians on the study (rule 4): the viewer's own entry reaches it whatever its flag; the
  // physicians they act for only when it is not private. Read by the (study_id, …) primary key.
  // `physician_id || ''` keeps the probe on the study's own links (the primary key, study_id
  // first: one seek) — on the bare column SQLite took the (physician_id, study_id) index instead,
  // one seek per physician listed: 50 a row for a case manager of 50 (bench:hub --scale --lists).
  const onStudy = (ids: Iterable<string> | undefined) => {
    const set = inSet(sql`(sp.physician_id || '')`, ids ?? []);
    return set === null ? null : sql<SqlBool>`EXISTS (SELECT 1 FROM study_physicians sp WHERE sp.study_id = ${col('id')} AND ${set})`;
  };
  const asPhysician = onStudy(viewer.physicianIds);
  // (A physician user acted for counts by their own entry too: what they see, non-private.)
  const asDelegate = onStudy([...(viewer.delegatedPhysicianIds ?? []), ...physicians.flatMap((p) => [...(p.physicianIds ?? [])])]);
  const physiciansCollections = inCollections(physicians.flatMap((p) => [...p.collectionIds]));

  // The row's own columns are tested before the share EXISTS (a subquery per row): a list walking
  // a site's studies then settles each row without reading its shares.
  const always: RawBuilder<SqlBool>[] = [sql<SqlBool>`${col('uploader_id')} = ${viewer.userId}`];
  if (viewer.accountId !== null && viewer.permissions.has('admin.users')) always.unshift(sql<SqlBool>`${col('account_id')} = ${viewer.accountId}`);
  const departments = [viewer, ...physicians]
    .map((person) => {
      const peers = inSet(col('uploader_id'), countedPeers(person));
      return peers === null ? null : sql<SqlBool>`(${col('account_id')} = ${person.accountId} AND ${peers})`;
    })
    .filter(present);
  const notPrivate = [
    inSet(col('account_id'), [viewer, ...physicians].filter(seesWholeSite).map((p) => p.accountId!)),
    inSet(col('uploader_id'), physicians.map((p) => p.userId)),
    ...departments,
    physiciansCollections,
    asDelegate,
  ].filter(present);
  if (notPrivate.length > 0) always.push(sql<SqlBool>`(${col('private')} = 0 AND ${anyOf(notPrivate)})`);
  // Then the one-index-probe tests (collection entries and links by study id, index-only) before
  // the share EXISTS, which reads all of the study's shares against a filter: for a member of 10
  // collections at 1M, testing shares first cost 7 µs on each of ~1,000 collection studies that
  // have none of theirs (bench:hub --lists --explain, PostgreSQL). OR is evaluated in order.
  if (ownCollections !== null) always.push(ownCollections);
  if (asPhysician !== null) always.push(asPhysician);
  always.push(shared);
  return anyOf(always);
}

/** True when the viewer may do `action` to the study in row `study`. */
export function studyActionSql(viewer: ViewerFacts, action: StudyAction, study = 'studies'): RawBuilder<SqlBool> {
  return perSiteRole(viewer, study, (one) => actionWithOneRole(one, action, study));
}

function actionWithOneRole(viewer: ViewerFacts, action: StudyAction, study: string): RawBuilder<SqlBool> {
  if (action === 'view') return studyVisibleSql(viewer, study);
  if (action === 'view-deidentified') return studyDeidentifiedSql(viewer, study);
  const col = (name: string) => sql.ref(`${study}.${name}`);
  // An admin of the viewer's own site (rule 1), as a condition on the row.
  const adminHere = viewer.accountId !== null && viewer.permissions.has('admin.users') ? sql<SqlBool>`${col('account_id')} = ${viewer.accountId}` : null;
  // The site's admins manage its guest links whatever their role grants (rule 7).
  const adminOverride = action === 'guest-link.manage' ? adminHere : null;
  const permitted = ACTION_PERMISSIONS[action].every((key) => viewer.permissions.has(key));
  if (!permitted && adminOverride === null) return FALSE;
  const conditions: RawBuilder<SqlBool>[] = [studyVisibleSql(viewer, study)];
  // Guest links and updates are for the study's own site only (rules 7 and 9).
  if (OWN_SITE_ACTIONS.has(action)) {
    if (viewer.accountId === null) return FALSE;
    conditions.push(permitted ? sql<SqlBool>`${col('account_id')} = ${viewer.accountId}` : adminOverride!);
  }
  // Marking private is for the site's admins, and the uploader where the site lets uploaders (rule 11).
  if (action === 'mark-private') {
    const uploaderMay = sql<SqlBool>`(${col('uploader_id')} = ${viewer.userId} AND EXISTS (SELECT 1 FROM accounts pa WHERE pa.id = ${col('account_id')} AND pa.uploader_marks_private = 1))`;
    conditions.push(anyOf([uploaderMay, adminHere].filter(present)));
  }
  // Downloading as the study's site's download policy says; its admins always may (rule 13).
  if (action === 'download') {
    const byRole =
      viewer.roleId === undefined || viewer.roleId === null
        ? null
        : sql<SqlBool>`(da.download_policy = 'roles' AND EXISTS (SELECT 1 FROM download_roles dr WHERE dr.account_id = da.id AND dr.role_id = ${viewer.roleId}))`;
    const policyAllows = sql<SqlBool>`EXISTS (SELECT 1 FROM accounts da WHERE da.id = ${col('account_id')} AND ${anyOf([sql<SqlBool>`da.download_policy = 'viewers'`, byRole].filter(present))})`;
    conditions.push(anyOf([policyAllows, adminHere].filter(present)));
  }
  // A private study's data is rewritten only by its uploader or the site's admins (rule 9).
  if (action === 'update') conditions.push(anyOf([sql<SqlBool>`${col('private')} = 0`, sql<SqlBool>`${col('uploader_id')} = ${viewer.userId}`, adminHere].filter(present)));
  return sql<SqlBool>`(${sql.join(conditions, sql` AND `)})`;
}

/**
 * The sites whose non-private studies the viewer sees whole (their own, and those of the
 * physicians they act for: rules 3 and 4), and whether they also see their own site's private
 * ones (an admin: rule 1). Lists split into per-site parts that each walk an index in sort order
 * and take these studies without testing each (the condition above would be true on every one);
 * a rule that narrows what a site member sees must narrow this too (the property test compares
 * every list plan with the rules).
 */
export function wholeSites(viewer: ViewerFacts): { readonly sites: readonly string[]; readonly privateToo: string | null } {
  // A viewer with connections has no site (rule 15), so no whole site: their own role decides here.
  if (!viewer.permissions.has('studies.view')) return { sites: [], privateToo: null };
  const physicians = viewer.actingFor.filter((physician) => physician.permissions.has('studies.view'));
  const sites = [...new Set([viewer, ...physicians].filter(seesWholeSite).map((p) => p.accountId!))].sort();
  return { sites, privateToo: viewer.accountId !== null && viewer.permissions.has('admin.users') ? viewer.accountId : null };
}

/**
 * Ids of studies that reach the viewer other than through a whole site: shares to them, to the
 * physicians they act for, to their worklists, their collections and the physicians', and uploads
 * by any of them or their department peers (where their policy counts departments). Every study the viewer sees outside `wholeSites` is among these. Drawn from indexes only.
 */
export function reachedStudyIdsSql(viewer: ViewerFacts, options: { readonly outsideWholeSites?: boolean; readonly deidentifiedToo?: boolean; readonly withoutDelegatedLinks?: boolean } = {}): RawBuilder<{ id: string }> {
  // Any role that sees (their own, or a connection's: rule 15) makes these candidates.
  if (!holdsAnywhere(viewer, 'studies.view')) return sql<{ id: string }>`SELECT id FROM studies WHERE 1 = 0`;
  const physicians = viewer.actingFor.filter((physician) => physician.permissions.has('studies.view'));
  const people = [viewer.userId, ...physicians.map((p) => p.userId)];
  // `deidentifiedToo`: the department peers seen de-identified count as well (rule 14; studySeenSql's lists).
  const peers = [...[viewer, ...physicians].flatMap(countedPeers), ...(options.deidentifiedToo === true ? deidentifiedPeers(viewer) : [])];
  const { sites, privateToo } = wholeSites(viewer);
  const collections = inSet(sql.ref('cs.collection_id'), [viewer, ...physicians].flatMap((p) => [...p.collectionIds]));
  // `withoutDelegatedLinks`: the caller lists the non-private studies of the sites of the
  // physicians the viewer acts for apart (a delegate sees no private one through them, rule 4),
  // so those links (7,500 for an external rep of 20 physicians at 1M) add nothing here.
  const delegated = options.withoutDelegatedLinks === true ? [] : [...(viewer.delegatedPhysicianIds ?? [])];
  const linked = inSet(sql.ref('sp.physician_id'), [...(viewer.physicianIds ?? []), ...delegated, ...physicians.flatMap((p) => [...(p.physicianIds ?? [])])]);
  const outside = options.outsideWholeSites === true && sites.length > 0;
  // Shares to the viewer in person or to their personal worklist reach a study even when private
  // (rule 2); the others (to the physicians they act for, to locations and groups) only when it
  // is not (rules 3 and 4) — so when whole sites are listed apart, those of a whole site's studies
  // add nothing and are left out by the index alone (shares carry their study's site, 0130).
  const direct = { people: [viewer.userId], worklists: worklistIds({ personal: [viewer.userId], location: [], group: [] }) };
  const through = {
    people: physicians.map((p) => p.userId),
    worklists: worklistIds({
      personal: physicians.map((p) => p.userId),
      location: [...viewer.locationIds, ...physicians.flatMap((p) => [...p.locationIds])],
      group: [...viewer.groupIds, ...physicians.flatMap((p) => [...p.groupIds])],
    }),
  };
  const notWholeSite = outside ? sql<SqlBool>` AND NOT ${inSet(sql.ref('sh.study_account_id'), sites)!}` : sql<SqlBool>``;
  // One SELECT per index (user_id, worklist_id), not one with an OR across both columns: that made
  // PostgreSQL scan all 2,000,000 shares (730 ms at 1M, EXPLAIN ANALYZE); apart, each reads its index.
  const selects = [
    sql`SELECT sh.study_id AS id FROM shares sh WHERE sh.removed_at IS NULL AND ${inSet(sql.ref('sh.user_id'), direct.people)!}`,
    direct.worklists === null ? null : sql`SELECT sh.study_id AS id FROM shares sh WHERE sh.removed_at IS NULL AND sh.worklist_id IN (${direct.worklists})`,
    through.people.length === 0 ? null : sql`SELECT sh.study_id AS id FROM shares sh WHERE sh.removed_at IS NULL AND ${inSet(sql.ref('sh.user_id'), through.people)!}${notWholeSite}`,
    through.worklists === null ? null : sql`SELECT sh.study_id AS id FROM shares sh WHERE sh.removed_at IS NULL AND sh.worklist_id IN (${through.worklists})${notWholeSite}`,
    // Collections' studies, private ones included (their members are participants): few, never pruned.
    collections === null ? null : sql`SELECT cs.study_id AS id FROM collection_studies cs WHERE cs.removed_at IS NULL AND ${collections}`,
    // Studies physicians are on (their own entry, those acted for): by the (physician_id, study_id) index.
    linked === null ? null : sql`SELECT sp.study_id AS id FROM study_physicians sp WHERE ${linked}`,
  ].filter(present);
  if (!outside) {
    selects.push(sql`SELECT up.id AS id FROM studies up WHERE ${inSet(sql.ref('up.uploader_id'), [...people, ...peers])!}`);
    return sql<{ id: string }>`${sql.join(selects, sql` UNION `)}`;
  }
  // Only what whole sites do not already give: one's own uploads, private or elsewhere, and peers'
  // non-private uploads outside those sites (a peer's are seen only when not private). Read from
  // the (uploader_id, account_id, private) index alone (migration 0120): a case manager's
  // physicians' peers upload tens of thousands of studies, nearly all inside the whole sites.
  const inWholeSites = sql<SqlBool>`(up.private = 0 AND ${inSet(sql.ref('up.account_id'), sites)!})`;
  // Again one SELECT each, so that each reads the index by uploader (an OR of the two made
  // PostgreSQL filter the whole index instead: 540 ms at 1M).
  selects.push(sql`SELECT up.id AS id FROM studies up WHERE ${inSet(sql.ref('up.uploader_id'), people)!} AND NOT ${inWholeSites}${privateToo === null ? sql`` : sql` AND up.account_id <> ${privateToo}`}`);
  if (peers.length > 0) selects.push(sql`SELECT up.id AS id FROM studies up WHERE ${inSet(sql.ref('up.uploader_id'), peers)!} AND up.private = 0 AND NOT ${inSet(sql.ref('up.account_id'), sites)!}`);
  return sql<{ id: string }>`${sql.join(selects, sql` UNION `)}`;
}

/**
 * Ids of studies the viewer may see even when private, other than as an admin of its site (rule
 * 1, which wholeSites' `privateToo` lists whole): their uploads, live shares to them in person or
 * to their personal worklist, their collections' live entries, and their own directory entry's
 * links (rules 2 and 4). Every private study the viewer sees outside their own admin site is
 * among these; lists drive a private part from them instead of walking all of a site's private
 * studies (a case manager's physicians' sites: 1,000 each at 1M, each tested). Indexes only.
 */
export function privateReachSql(viewer: ViewerFacts): RawBuilder<{ id: string }> {
  if (!holdsAnywhere(viewer, 'studies.view')) return sql<{ id: string }>`SELECT id FROM studies WHERE 1 = 0`;
  const personal = worklistIds({ personal: [viewer.userId], location: [], group: [] })!;
  const collections = inSet(sql.ref('cs.collection_id'), viewer.collectionIds);
  const own = inSet(sql.ref('sp.physician_id'), viewer.physicianIds ?? []);
  const selects = [
    sql`SELECT up.id AS id FROM studies up WHERE up.uploader_id = ${viewer.userId}`,
    sql`SELECT sh.study_id AS id FROM shares sh WHERE sh.removed_at IS NULL AND sh.user_id = ${viewer.userId}`,
    sql`SELECT sh.study_id AS id FROM shares sh WHERE sh.removed_at IS NULL AND sh.worklist_id IN (${personal})`,
    collections === null ? null : sql`SELECT cs.study_id AS id FROM collection_studies cs WHERE cs.removed_at IS NULL AND ${collections}`,
    own === null ? null : sql`SELECT sp.study_id AS id FROM study_physicians sp WHERE ${own}`,
  ].filter(present);
  return sql<{ id: string }>`${sql.join(selects, sql` UNION `)}`;
}

/**
 * Ids of studies among which every study the viewer may see is found, drawn from indexes only,
 * or null when the viewer sees a whole site (a member of one, or acting for one): then no short
 * list exists. Used to pick a plan, never to decide visibility (the condition above does).
 */
export function visibleCandidatesSql(viewer: ViewerFacts, options: { readonly deidentifiedToo?: boolean } = {}): RawBuilder<{ id: string }> | null {
  if (!holdsAnywhere(viewer, 'studies.view')) return sql<{ id: string }>`SELECT id FROM studies WHERE 1 = 0`;
  return wholeSites(viewer).sites.length > 0 ? null : reachedStudyIdsSql(viewer, options);
}
