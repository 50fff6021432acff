/**
 * Who may see and do what to which study: one pure function, used by the hub to enforce and by
 * the desktop to show or hide. Every rule here has a row in visibility.test.ts.
 *
 * The rules, in order:
 * 1. Admins of the owning account (holding admin.users) see every study of their account.
 * 2. A private study is seen only by its uploader, its participants — the people it was shared
 *    with directly (a share to them or to their personal worklist) and the members of a
 *    collection it is in (only its uploader or an admin may put it there: shared/permissions/
 *    collections.ts) — and admins, whatever the site's policy, department or worklist says.
 * 3. Otherwise anyone sees a study shared to a worklist they belong to (their location's, their
 *    group's, their own), or to them, or in a collection they are a member of (directly or
 *    through a group); and a member of the owning site sees what its viewing policy
 *    (site-policy.ts) gives them: under `site` every study of the site; under `department` the
 *    studies a fellow member of one of the site's departments uploaded; under `participated`
 *    nothing more. Named people and roles see the whole site whatever the policy (`siteView`).
 * 4. Physicians on studies (issue 14): a physician user sees every study their directory entry
 *    is on (referring, reading, associated: `study_physicians`) — as a participant, private
 *    ones too (rule 2). A delegate — a case manager, or an external user connected to
 *    physicians — sees every study any of the active physicians they act for is on, private
 *    studies excepted unless they are a participant themself; a deactivated physician reaches
 *    nothing (the facts list active ones only). A case manager also sees what the physician
 *    users they act for see (`actingFor`, private studies excepted). Delegates act with their
 *    own permissions.
 * 5. Seeing needs studies.view; every other action needs seeing plus its own permission.
 * 6. Who else a study is shared with is the owning site's business: people of that site see
 *    every share; anyone else sees only the shares that reach them and those they made.
 * 7. What happens to a study beyond sharing it is the owning site's business too: only its own
 *    site's people may make guest links to it (a public link is publishing, which a site that
 *    received the study by share code may not do for the owner), and only its own site manages
 *    them (`guest-link.manage`: lists every link to it, whoever made it, and revokes any — those
 *    holding studies.guest-links, and its admins whatever their role grants).
 * 8. Removing a share: the one who made it, or someone of the study's site holding
 *    studies.share.remove, or the study's site admins. Another site's people remove only their
 *    own shares, never the owner's (they may see a study, not rearrange who else has it).
 * 9. Updating a study's data (publishing the same study again) needs studies.import and the
 *    study's own site; a private study's data only by its uploader or the site's admins (the
 *    people it was shared with directly were given it to read, not to rewrite). A non-private
 *    study by anyone of the site with studies.import, because the same study reaches several
 *    workstations of a site (a modality sends to two) and each publishes it.
 * 11. Marking private (`mark-private`) needs studies.private and, besides, being an admin of the
 *    study's site, or its uploader when the site lets uploaders (`uploaderMarksPrivate`).
 * 12. Commenting (`comment`) needs seeing plus studies.comment; a member of a collection holding
 *    its `comment` right may also comment on that collection's studies (the comments module adds
 *    that, from the collection's rights). A private study's comments are as private as it is:
 *    they are read through seeing it.
 * 13. Downloading (`download`: saving a study's files — its zip, a pull into a workstation's
 *    index, a guest link that allows it) needs seeing and what the study's site's download policy
 *    (site-policy.ts) allows: nobody, everyone who can view, or the people of chosen roles; the
 *    site's admins always may. Viewing images in the viewer is not downloading.
 * 14. The de-identified view of a department (issue 13): under `participated`, when the site's
 *    policy turns it on (`deidentifiedDepartment`, site-policy.ts), a member also sees a fellow
 *    department member's non-private study of their own site de-identified (reason
 *    `department-deidentified`) — with one action, `view-deidentified`, and never `view`: every
 *    route that asks for `view` (files, zip, comments, collections, the change feed…) treats
 *    it as unseen, and only the routes that serve it de-identified (lists, details, the viewer:
 *    server/deidentify/) ask for `view-deidentified`. Nothing else is allowed on it — no share,
 *    download, guest link, comment (comments name people), collection or private mark. Any
 *    other reason (uploaded, shared, collection, physician, worklist, acting for) wins over it.
 * 10. Which share action a target needs (`shareAction`): a target outside the sharer's own site
 *    — another site's worklist or person, or an external user, named by worklist or by id alike —
 *    needs share.code; inside it, the permission of its kind.
 * 15. One role per connection (issue 14): someone outside any site who is connected to sites
 *    holds, for each such site, the role of that connection (`siteRoles`: its permissions,
 *    study keys only — shared/permissions/connection-role.ts — and its id for rule 13); on a
 *    study of that site every rule above reads that role instead of their own. Their own role
 *    (`permissions`, `roleId`) is for studies of sites they are not connected to (a share by
 *    email). So the same person may comment on site A's studies and not on site B's.
 */
import type { PermissionKey } from './catalogue';
import type { DownloadPolicy, ViewingPolicy } from './site-policy';

export type WorklistKind = 'location' | 'group' | 'personal';

export interface ShareFact {
  readonly id: string;
  readonly target:
    | { readonly kind: 'worklist'; readonly worklistKind: WorklistKind; readonly ownerId: string }
    | { readonly kind: 'person'; readonly userId: string };
  readonly sharedBy: string;
  readonly removed: boolean;
}

export interface StudyFacts {
  readonly accountId: string;
  readonly uploaderId: string;
  readonly private: boolean;
  readonly shares: readonly ShareFact[];
  /** The collections it is in (as a whole, or by some of its series). */
  readonly collectionIds: readonly string[];
  /** Its site's policy lets its uploader mark it private (rule 11). */
  readonly uploaderMarksPrivate: boolean;
  /** The directory physicians it is on, by any relation (rule 4); absent: none. */
  readonly physicianIds?: readonly string[];
  /** Its site's download policy (rule 13); absent: everyone who can view may. */
  readonly download?: StudyDownloadPolicy;
}

export interface StudyDownloadPolicy {
  readonly mode: DownloadPolicy;
  /** Under 'roles': the roles whose people may download. */
  readonly roleIds: readonly string[];
}

export interface ViewerFacts {
  readonly userId: string;
  /** Null for an external user (registered by email invitation or connected). */
  readonly accountId: string | null;
  readonly permissions: ReadonlySet<PermissionKey>;
  readonly locationIds: ReadonlySet<string>;
  readonly groupIds: ReadonlySet<string>;
  /** Users who share a department of the viewer's own site with them. */
  readonly departmentPeerIds: ReadonlySet<string>;
  /** How much of their own site the viewer sees beyond what reaches them (site-policy.ts, `siteViewOf`). */
  readonly siteView: ViewingPolicy;
  /** The collections the viewer is a member of, directly or through a group. */
  readonly collectionIds: ReadonlySet<string>;
  /** The physicians a case manager acts for (their own facts, for rule 4). */
  readonly actingFor: readonly ViewerFacts[];
  /** The viewer's own active directory entries (a physician who signs in; rule 4); absent: none. */
  readonly physicianIds?: ReadonlySet<string>;
  /** The active directory physicians the viewer acts for, as case manager or external user (rule 4); absent: none. */
  readonly delegatedPhysicianIds?: ReadonlySet<string>;
  /** The viewer's role, for a site's download policy by role (rule 13); absent or null: none. */
  readonly roleId?: string | null;
  /** Their site gives them the de-identified view of their departments (rule 14, `seesDepartmentDeidentified`); absent: no. */
  readonly deidentifiedDepartment?: boolean;
  /** Rule 15: for a viewer of no site, the role of each site they are connected to, by site id; absent: none. */
  readonly siteRoles?: ReadonlyMap<string, SiteRole>;
}

/** A connection's role at its site (rule 15). */
export interface SiteRole {
  readonly roleId: string;
  readonly permissions: ReadonlySet<PermissionKey>;
}

/**
 * The viewer as the rules see them on a study of `accountId` (rule 15): with the role of their
 * connection to that site, when they have one; otherwise as they are. The one place a per-site
 * role replaces a viewer's own (the SQL mirror builds its condition per site from it).
 */
export function viewerAtSite(viewer: ViewerFacts, accountId: string): ViewerFacts {
  const role = viewer.siteRoles?.get(accountId);
  return role === undefined ? viewer : { ...viewer, permissions: role.permissions, roleId: role.roleId };
}

/** Whether any of the viewer's roles (their own, or a connection's: rule 15) holds `key`. */
export function holdsAnywhere(viewer: Pick<ViewerFacts, 'permissions' | 'siteRoles'>, key: PermissionKey): boolean {
  return viewer.permissions.has(key) || [...(viewer.siteRoles?.values() ?? [])].some((role) => role.permissions.has(key));
}

export type StudyAction =
  | 'view'
  /** Rule 14: seen de-identified only; never together with 'view'. */
  | 'view-deidentified'
  | 'share'
  | 'share.email'
  | 'share.groups'
  | 'share.locations'
  | 'share.users'
  | 'share.code'
  | 'guest-link'
  | 'guest-link.manage'
  | 'update'
  | 'mark-private'
  | 'comment'
  | 'download';

/** The actions beyond seeing, each needing its permissions. */
export type PermissionedAction = Exclude<StudyAction, 'view' | 'view-deidentified'>;

/** The permissions each action needs (besides seeing the study): the share dialog's options read it too. */
export const ACTION_PERMISSIONS: Readonly<Record<PermissionedAction, readonly PermissionKey[]>> = {
  share: ['studies.share'],
  'share.email': ['studies.share', 'studies.share.email'],
  'share.groups': ['studies.share', 'studies.share.groups'],
  'share.locations': ['studies.share', 'studies.share.locations'],
  'share.users': ['studies.share', 'studies.share.users'],
  'share.code': ['studies.share', 'studies.share.code'],
  'guest-link': ['studies.guest-links'],
  // The site's admins manage its links whatever their role grants (rule 7, below).
  'guest-link.manage': ['studies.guest-links'],
  update: ['studies.import'],
  'mark-private': ['studies.private'],
  // Rule 12: commenting is seeing plus studies.comment (a collection's `comment` right adds to it: server/comments).
  comment: ['studies.comment'],
  // Rule 13: no permission of its own; the study's site's download policy decides.
  download: [],
};

/** The actions only the study's own site may take (rules 7 and 9). */
export const OWN_SITE_ACTIONS: ReadonlySet<StudyAction> = new Set<StudyAction>(['guest-link', 'guest-link.manage', 'update']);

/** Why a viewer sees a study; the desktop shows it as a badge ("Department", "Collection"). */
export type AccessReason = 'admin' | 'uploader' | 'direct-share' | 'collection' | 'physician' | 'account' | 'worklist-share' | 'department' | 'acting-for' | 'department-deidentified';

export interface StudyAccess {
  readonly actions: ReadonlySet<StudyAction>;
  /** Ids of the live shares this viewer may remove. */
  readonly removableShareIds: ReadonlySet<string>;
  /** Why the viewer sees it (for "who has access" and for tests); null when not seen. */
  readonly reason: AccessReason | null;
}

const NONE: StudyAccess = { actions: new Set(), removableShareIds: new Set(), reason: null };

function isAdminOf(viewer: ViewerFacts, study: StudyFacts): boolean {
  return viewer.accountId === study.accountId && viewer.permissions.has('admin.users');
}

function sharedDirectlyWith(viewer: ViewerFacts, share: ShareFact): boolean {
  if (share.removed) return false;
  if (share.target.kind === 'person') return share.target.userId === viewer.userId;
  return share.target.worklistKind === 'personal' && share.target.ownerId === viewer.userId;
}

function sharedToWorklistOf(viewer: ViewerFacts, share: ShareFact): boolean {
  if (share.removed || share.target.kind !== 'worklist') return false;
  if (share.target.worklistKind === 'location') return viewer.locationIds.has(share.target.ownerId);
  if (share.target.worklistKind === 'group') return viewer.groupIds.has(share.target.ownerId);
  return false;
}

/** Why this viewer (on their own account, not through a physician) sees the study, or null. */
function ownReason(study: StudyFacts, viewer: ViewerFacts): StudyAccess['reason'] {
  if (!viewer.permissions.has('studies.view')) return null;
  if (isAdminOf(viewer, study)) return 'admin';
  if (study.uploaderId === viewer.userId) return 'uploader';
  if (study.shares.some((share) => sharedDirectlyWith(viewer, share))) return 'direct-share';
  if (study.collectionIds.some((id) => viewer.collectionIds.has(id))) return 'collection';
  if ((study.physicianIds ?? []).some((id) => viewer.physicianIds?.has(id) === true)) return 'physician';
  if (study.private) return null;
  const ownSite = viewer.accountId === study.accountId;
  if (ownSite && viewer.siteView === 'site') return 'account';
  if (study.shares.some((share) => sharedToWorklistOf(viewer, share))) return 'worklist-share';
  if (ownSite && viewer.siteView === 'department' && viewer.departmentPeerIds.has(study.uploaderId)) return 'department';
  // Rule 14, last: every reason above shows the study as it is.
  if (ownSite && viewer.siteView === 'participated' && viewer.deidentifiedDepartment === true && viewer.departmentPeerIds.has(study.uploaderId)) return 'department-deidentified';
  return null;
}

/** Rule 14's answer: seen de-identified, nothing else. */
const DEIDENTIFIED_ONLY = (): StudyAccess => ({ actions: new Set<StudyAction>(['view-deidentified']), removableShareIds: new Set(), reason: 'department-deidentified' });

export function studyAccess(study: StudyFacts, anyViewer: ViewerFacts): StudyAccess {
  // Rule 15: a connected person acts on a study with the role of their connection to its site.
  const viewer = viewerAtSite(anyViewer, study.accountId);
  let reason = ownReason(study, viewer);
  // A case manager needs studies.view themself, then sees what their physicians see — except
  // private studies, which reach only the people named in rule 2.
  // A physician's own de-identified view (rule 14) gives their case manager nothing: it is theirs.
  if (
    (reason === null || reason === 'department-deidentified') &&
    !study.private &&
    viewer.permissions.has('studies.view') &&
    (viewer.actingFor.some((physician) => !hiddenOrDeidentified(ownReason(study, physician))) || (study.physicianIds ?? []).some((id) => viewer.delegatedPhysicianIds?.has(id) === true))
  ) {
    reason = 'acting-for';
  }
  if (reason === null) return NONE;
  if (reason === 'department-deidentified') return DEIDENTIFIED_ONLY();
  const actions = new Set<StudyAction>(['view']);
  const ownSite = viewer.accountId === study.accountId;
  const admin = isAdminOf(viewer, study);
  for (const [action, needs] of Object.entries(ACTION_PERMISSIONS) as [PermissionedAction, readonly PermissionKey[]][]) {
    if (OWN_SITE_ACTIONS.has(action) && !ownSite) continue;
    if (needs.every((key) => viewer.permissions.has(key))) actions.add(action);
  }
  // Rule 7: the site's admins manage every link to its studies.
  if (admin) actions.add('guest-link.manage');
  // Rule 13: downloading as the study's site's policy says; its admins always may.
  if (actions.has('download') && !admin && !downloadAllowed(study.download, viewer)) actions.delete('download');
  // Rule 11: marking private is for admins, and the uploader when the site allows, whatever the role grants.
  if (actions.has('mark-private') && !mayMarkPrivate(study, viewer)) actions.delete('mark-private');
  // Rule 9: a private study's data is rewritten only by its uploader or the site's admins.
  if (actions.has('update') && study.private && !admin && study.uploaderId !== viewer.userId) actions.delete('update');
  // Rule 8: one's own shares; any share of the study for its site's people with the right, and its admins.
  const removesAny = ownSite && (admin || viewer.permissions.has('studies.share.remove'));
  const removableShareIds = new Set(study.shares.filter((share) => !share.removed && (removesAny || share.sharedBy === viewer.userId)).map((share) => share.id));
  return { actions, removableShareIds, reason };
}

function hiddenOrDeidentified(reason: AccessReason | null): boolean {
  return reason === null || reason === 'department-deidentified';
}

/** Seen at all, as it is or de-identified (the lists, details and viewer ask this; everything else asks for `view`). */
export function seesStudy(access: Pick<StudyAccess, 'actions'>): boolean {
  return access.actions.has('view') || access.actions.has('view-deidentified');
}

/** Rule 13 for someone who is not the study's site's admin. */
function downloadAllowed(policy: StudyDownloadPolicy | undefined, viewer: Pick<ViewerFacts, 'roleId'>): boolean {
  if (policy === undefined || policy.mode === 'viewers') return true;
  if (policy.mode === 'nobody') return false;
  return viewer.roleId !== undefined && viewer.roleId !== null && policy.roleIds.includes(viewer.roleId);
}

/** Rule 11 without the permission: an admin of the study's site, or its uploader where the site allows. */
export function mayMarkPrivate(study: Pick<StudyFacts, 'accountId' | 'uploaderId' | 'uploaderMarksPrivate'>, viewer: Pick<ViewerFacts, 'userId' | 'accountId' | 'permissions'>): boolean {
  if (viewer.accountId === study.accountId && viewer.permissions.has('admin.users')) return true;
  return study.uploaderId === viewer.userId && study.uploaderMarksPrivate;
}

/** Rule 10: the share action a target needs, from its kind and its site (null: an external user's). */
export function shareAction(target: { readonly kind: WorklistKind | 'person'; readonly accountId: string | null }, viewer: Pick<ViewerFacts, 'accountId'>): PermissionedAction {
  if (viewer.accountId === null || target.accountId !== viewer.accountId) return 'share.code';
  switch (target.kind) {
    case 'location':
      return 'share.locations';
    case 'group':
      return 'share.groups';
    case 'personal':
    case 'person':
      return 'share.users';
  }
}

/** Rule 6: the live shares of a study this viewer may know about. */
export function visibleShares(study: StudyFacts, viewer: ViewerFacts): ShareFact[] {
  const live = study.shares.filter((share) => !share.removed);
  if (viewer.accountId === study.accountId) return live;
  return live.filter((share) => share.sharedBy === viewer.userId || sharedDirectlyWith(viewer, share) || sharedToWorklistOf(viewer, share));
}
