/**
 * The input schemas of the contract's calls (zod), used by main to validate what the untrusted
 * renderer sends. Kept apart from contract.ts so that the renderer and the preload, which only
 * need names and types, do not bundle zod.
 */
import { z } from 'zod';
import type {
  AccessRequestView,
  CollectionMemberView,
  CollectionOutcome,
  StudyDownloadOutcome,
  CollectionView,
  DepartmentView,
  OrganisationPolicyView,
  PrivateOutcome,
  AdminOverview,
  AdminUserView,
  AuditEventView,
  GuestLinkView,
  HostInfo,
  HubProbeView,
  HubStatus,
  SyncQueueItemView,
  UnfinishedImportsView,
  HubSwitchPreview,
  HubSiteView,
  HubWorklistStudy,
  HubWorklistView,
  ShareCodeWorklist,
  ShareOutcome,
  ShareStateView,
  ShareTargetView,
  StudyDetails,
  StudySharingView,
  WorkstationStatus,
} from './contract';
import { AUDIT_ACTIONS } from './audit-actions';
import { COMMENT_MAX_MENTIONS, commentTextSchema, viewerAnchorSchema, type CommentEditView, type CommentOutcome, type CommentsPage, type CommentView, type MentionCandidate } from './comments/comment-schemas';
import type { DicomNetStatus, DicomNodeView, QueryPage, RemoteSeriesView, SendFailureView } from './types/dicom-net';
import { sitePolicySchema } from './permissions/site-policy';
import { CONNECTION_KINDS } from './connections/connection-kinds';
import type { ConnectionSettingsView, MyConnectionView, SiteConnectionView } from './hub-api/connections';
import { NOTIFICATION_DELIVERIES, NOTIFICATION_KINDS } from './notifications/notification-kinds';
import type { NotificationPage, NotificationPreference } from './hub-api/notifications';
import { collectionRightsSchema } from './permissions/collections';
import { guestLinkOptionsSchema } from './guest-link-options';
import { PASSWORD_MAX_LENGTH } from './password-policy';
import { BUILT_IN_ROLE_NAMES, PERMISSION_KEYS, type PermissionKey } from './permissions/catalogue';
import { CALL_NAMES } from './contract';
import { physicianInputSchema, type DelegationView, type DirectoryEntryView, type MatchReviewView, type PhysicianView, type StudyPhysicianView } from './hub-api/physicians';
import { studyQuerySchema, type StudyPage } from './types/study';
import { HUB_PAGE_MAX } from './hub-api/worklists';
import { VIEWER_CACHE_MB, VIEWER_TOKEN_PATTERN, type ViewerSettings, type ViewerStudy } from './viewer/viewer-types';

/** A call: its input schema, and (as a type only) what it returns. */
interface CallSpec<Input extends z.ZodType, Output> {
  readonly input: Input;
  readonly output?: Output;
}
const call = <Output>() => <Input extends z.ZodType>(input: Input): CallSpec<Input, Output> => ({ input });

const uid = z.string().regex(/^[0-9]+(\.[0-9]+)*$/, 'a DICOM UID').max(64);
const importId = z.string().regex(/^[a-z0-9-]{8,64}$/, 'an import id');
const hubId = z.string().uuid('a hub id');
/** A hub study id, or any text holding one (a link pasted from a mail or a chat): the id it holds. */
const studyLinkOrId = z
  .string()
  .trim()
  .max(2000)
  .transform((text, ctx) => {
    const id = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.exec(text)?.[0];
    if (id === undefined) {
      ctx.addIssue({ code: 'custom', message: 'a study link or id' });
      return z.NEVER;
    }
    return id.toLowerCase();
  });
const name = z.string().trim().min(1, 'filled in').max(200);
const email = z.string().trim().toLowerCase().email('an email address').max(254);
const password = z.string().min(10, 'at least 10 characters').max(200);
/** A local profile's name, as typed at the lock screen. */
const profileName = z.string().trim().min(1, 'filled in').max(100);
/** A certificate the user chose to trust, as its SHA-256 fingerprint (AA:BB:… as Node prints it). */
const trustedFingerprint = z
  .string()
  .regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'a SHA-256 certificate fingerprint')
  .nullable()
  .optional();

/** A study the renderer names: a local one by its UID, or one on the hub by its hub id. */
const studyRef = z.union([z.object({ uid }).strict(), z.object({ hubId }).strict()]);
const shareTarget = z.union([
  z.object({ worklistId: hubId, label: z.string().trim().min(1).max(200) }).strict(),
  z.object({ email }).strict(),
]);
const auditFilter = z
  .object({
    actorId: hubId.optional(),
    action: z.enum(AUDIT_ACTIONS).optional(),
    from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD').optional(),
    to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD').optional(),
    studyId: hubId.optional(),
  })
  .strict();

/** An AE title (PS3.5 §6.2): 1–16 characters, no backslash or control characters, not only spaces. */
const aeTitle = z.string().trim().regex(/^[\x20-\x5b\x5d-\x7e]{1,16}$/, 'an AE title (up to 16 letters, digits or symbols, no backslash)');
const dicomHost = z.string().trim().regex(/^[A-Za-z0-9.:_-]{1,253}$/, 'a host name or IP address');
const dicomPort = z.number().int().min(1, 'a port from 1 to 65535').max(65535, 'a port from 1 to 65535');
const dicomJobId = z.string().regex(/^[a-z0-9-]{8,64}$/, 'a job id');
/** A DICOM date as the query form gives it (YYYY-MM-DD), or nothing. */
const queryDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date (YYYY-MM-DD)').optional();
const queryText = z.string().trim().max(64).optional();
const dicomNodeInput = z
  .object({ id: z.number().int().positive().optional(), name, aeTitle, host: dicomHost, port: dicomPort, retrieve: z.enum(['move', 'get']).default('move') })
  .strict();

export const CALLS = {
  'host:info': call<HostInfo>()(z.object({}).strict()),
  'studies:query': call<StudyPage>()(studyQuerySchema),
  'studies:details': call<StudyDetails>()(z.object({ studyInstanceUid: uid }).strict()),
  'import:pick-folder': call<{ readonly paths: readonly string[] }>()(z.object({}).strict()),
  'import:start': call<{ readonly importId: string }>()(
    z
      .object({
        paths: z.array(z.string().min(1).max(4096)).min(1).max(64),
        copyToLibrary: z.boolean().default(false),
      })
      .strict(),
  ),
  'import:cancel': call<{ readonly cancelled: boolean }>()(z.object({ importId }).strict()),
  'import:unfinished': call<UnfinishedImportsView>()(z.object({}).strict()),
  'import:resume': call<{ readonly importId: string }>()(z.object({ jobId: z.string().uuid() }).strict()),
  'import:dismiss': call<{ readonly dismissed: boolean }>()(z.object({ jobId: z.string().uuid() }).strict()),
  'hub:status': call<HubStatus>()(z.object({}).strict()),
  'hub:setup': call<HubStatus>()(z.object({ siteName: name, adminName: name, email, password, setupToken: z.string().trim().max(200).optional() }).strict()),
  'hub:sign-in': call<HubStatus>()(
    z.object({ url: z.string().url().max(2000).regex(/^https?:\/\//, 'an http(s) address').optional(), email, password: z.string().min(1).max(200), trustedFingerprint }).strict(),
  ),
  // What a user types or pastes: checked in main (probeHub), which says what is wrong with it.
  'hub:probe': call<HubProbeView>()(z.object({ url: z.string().trim().min(1, 'filled in').max(2000), trustedFingerprint }).strict()),
  'hub:connect': call<HubStatus>()(
    z
      .object({
        choice: z.discriminatedUnion('kind', [
          z.object({ kind: z.literal('remote'), url: z.string().trim().min(1).max(2000), trustedFingerprint }).strict(),
          z.object({ kind: z.literal('embedded') }).strict(),
          z.object({ kind: z.literal('off') }).strict(),
        ]),
        queued: z.enum(['send', 'discard']).optional(),
      })
      .strict(),
  ),
  'hub:switch-preview': call<HubSwitchPreview>()(z.object({}).strict()),
  'hub:embedded-settings': call<HubStatus>()(z.object({ lan: z.boolean(), publicUrl: z.string().trim().max(2000).nullable() }).strict()),
  'hub:request-password-reset': call<{ readonly sent: true }>()(
    z.object({ email, url: z.string().trim().min(1).max(2000).optional(), trustedFingerprint }).strict(),
  ),
  // The new password is checked by the hub's policy, whose sentence the person reads as it is.
  'hub:change-password': call<Record<string, never>>()(
    z.object({ currentPassword: z.string().min(1, 'the current password').max(PASSWORD_MAX_LENGTH), newPassword: z.string().min(1, 'a new password').max(PASSWORD_MAX_LENGTH) }).strict(),
  ),
  'hub:sign-out': call<HubStatus>()(z.object({}).strict()),
  'hub:sync-now': call<HubStatus>()(z.object({}).strict()),
  'hub:dismiss-refused': call<HubStatus>()(z.object({}).strict()),
  'sync:queue': call<{ readonly items: readonly SyncQueueItemView[] }>()(z.object({}).strict()),
  'sync:retry': call<{ readonly retried: boolean }>()(z.object({ kind: z.enum(['operation', 'file']), id: z.string().min(1).max(200) }).strict()),
  'sync:discard': call<{ readonly discarded: boolean }>()(z.object({ kind: z.enum(['operation', 'file']), id: z.string().min(1).max(200) }).strict()),
  'admin:overview': call<AdminOverview>()(z.object({}).strict()),
  'admin:add-user': call<{ readonly id: string }>()(
    z.object({ name, email, password, role: z.enum(BUILT_IN_ROLE_NAMES) }).strict(),
  ),
  'admin:set-role-permissions': call<{ readonly permissions: readonly string[] }>()(
    z.object({ roleId: hubId, permissions: z.array(z.enum(PERMISSION_KEYS as [PermissionKey, ...PermissionKey[]])).max(100) }).strict(),
  ),
  'admin:add-location': call<{ readonly id: string }>()(z.object({ name }).strict()),
  'admin:add-group': call<{ readonly id: string }>()(z.object({ name, department: z.boolean() }).strict()),
  'admin:add-member': call<Record<string, never>>()(z.object({ kind: z.enum(['location', 'group']), ownerId: hubId, userId: hubId }).strict()),
  'admin:regenerate-share-code': call<{ readonly shareCode: string }>()(z.object({ worklistId: hubId }).strict()),
  /** Deactivating ends the user's sessions and refuses their sign-in; the hub refuses an admin's own. */
  'admin:set-user-active': call<{ readonly user: AdminUserView }>()(z.object({ userId: hubId, active: z.boolean() }).strict()),
  'admin:unlock-user': call<{ readonly user: AdminUserView }>()(z.object({ userId: hubId }).strict()),
  /** Ends the user's sessions and mails them a link to set a new password. */
  'admin:send-password-reset': call<Record<string, never>>()(z.object({ userId: hubId }).strict()),
  'guest-links:create': call<{ readonly url: string; readonly studies: number }>()(
    guestLinkOptionsSchema.extend({ studyInstanceUids: z.array(uid).min(1).max(20) }).strict(),
  ),
  'guest-links:list': call<{ readonly links: readonly GuestLinkView[] }>()(z.object({ studyInstanceUid: uid }).strict()),
  'guest-links:revoke': call<{ readonly state: string }>()(z.object({ id: hubId }).strict()),
  'sharing:targets': call<{ readonly targets: readonly ShareTargetView[] }>()(
    z.object({ kind: z.enum(['location', 'group', 'user']), q: z.string().max(200).default('') }).strict(),
  ),
  'sharing:lookup-code': call<{ readonly worklist: ShareCodeWorklist }>()(z.object({ code: z.string().trim().min(1, 'filled in').max(40) }).strict()),
  // `forPhysicianId`: the doctor a case manager shares for (the Share dialog's For; the hub checks it).
  'sharing:share': call<ShareOutcome>()(z.object({ studies: z.array(studyRef).min(1).max(1000), targets: z.array(shareTarget).min(1).max(20), forPhysicianId: hubId.optional() }).strict()),
  'sharing:remove': call<{ readonly state: 'removed' | 'pending' | 'refused'; readonly reason: string | null }>()(
    z.object({ shareId: hubId, study: studyRef, label: z.string().trim().min(1).max(200) }).strict(),
  ),
  /** `opened`: the person opened the study (recorded as a view on the hub); a refresh is not. */
  'sharing:study': call<StudySharingView>()(z.object({ study: studyRef, opened: z.boolean().default(false) }).strict()),
  'sharing:states': call<{ readonly states: Readonly<Record<string, ShareStateView>> }>()(z.object({ studyInstanceUids: z.array(uid).max(500) }).strict()),
  'hub-worklists:list': call<{ readonly worklists: readonly HubWorklistView[] }>()(z.object({}).strict()),
  // The local worklist's query shape (search, filters, sort, cursor or offset), answered by the
  // hub (shared/hub-api/worklists.ts); totals past a walk are "at least" (totalCapped).
  'hub-worklists:studies': call<{ readonly studies: readonly HubWorklistStudy[]; readonly total: number | null; readonly totalCapped: boolean; readonly nextCursor: string | null }>()(
    studyQuerySchema
      .extend({ worklistId: hubId, limit: z.number().int().min(1).max(HUB_PAGE_MAX).default(100), after: z.string().max(1000).regex(/^[A-Za-z0-9_-]+$/).optional() })
      .strict(),
  ),
  'audit:query': call<{ readonly events: readonly AuditEventView[] }>()(auditFilter.extend({ before: z.number().int().min(1).optional() }).strict()),
  'audit:export': call<{ readonly csv: string; readonly filename: string }>()(auditFilter),
  'workstation:status': call<WorkstationStatus>()(z.object({}).strict()),
  'workstation:sign-in-local': call<WorkstationStatus>()(z.object({ name: profileName, password: z.string().min(1).max(200) }).strict()),
  // The first profile (no hub used, none yet) while locked; later ones by a signed-in local admin.
  'workstation:create-profile': call<WorkstationStatus>()(z.object({ name: profileName, password }).strict()),
  'workstation:lock': call<WorkstationStatus>()(z.object({}).strict()),
  /** The person is active (the renderer sends it at most every 30 s): the idle timer starts again. */
  'workstation:activity': call<{ readonly locked: boolean }>()(z.object({}).strict()),
  'workstation:set-idle-minutes': call<WorkstationStatus>()(z.object({ minutes: z.number().int().min(1, 'at least 1 minute').max(240, 'at most 240 minutes') }).strict()),
  /** Opens a study in the viewer: a viewing session (recorded once on the audit trail) whose instances main serves by key. */
  'organisation:policy': call<OrganisationPolicyView>()(z.object({}).strict()),
  'organisation:set-policy': call<OrganisationPolicyView>()(z.object({ policy: sitePolicySchema }).strict()),
  'organisation:departments': call<{ readonly departments: readonly DepartmentView[] }>()(z.object({}).strict()),
  'organisation:add-department': call<DepartmentView>()(z.object({ name }).strict()),
  'organisation:rename-department': call<DepartmentView>()(z.object({ id: hubId, name }).strict()),
  'organisation:delete-department': call<Record<string, never>>()(z.object({ id: hubId }).strict()),
  'organisation:add-department-member': call<DepartmentView>()(z.object({ id: hubId, userId: hubId }).strict()),
  'organisation:remove-department-member': call<DepartmentView>()(z.object({ id: hubId, userId: hubId }).strict()),
  // The site's physician directory and who acts for its physicians (issue 14; admin.users on the hub).
  'physicians:list': call<{ readonly physicians: readonly PhysicianView[] }>()(z.object({ surname: z.string().trim().max(120).optional(), includeInactive: z.boolean().default(true) }).strict()),
  'physicians:save': call<PhysicianView>()(z.object({ id: hubId.optional(), physician: physicianInputSchema }).strict()),
  'physicians:acts-for': call<{ readonly physicians: readonly DelegationView[] }>()(z.object({ userId: hubId }).strict()),
  'physicians:set-acts-for': call<{ readonly physicians: readonly DelegationView[] }>()(z.object({ userId: hubId, physicianIds: z.array(hubId).max(500) }).strict()),
  // Who the signed-in user is in the directory and whom they act for: the My cases picker.
  'physicians:mine': call<{ readonly self: PhysicianView | null; readonly actsFor: readonly DelegationView[] }>()(z.object({}).strict()),
  // The studies their physicians are on (All doctors, or `physicianId`), paged like a worklist, with relation and doctor per study.
  'physicians:cases': call<{
    readonly studies: readonly HubWorklistStudy[];
    readonly total: number | null;
    readonly totalCapped: boolean;
    readonly nextCursor: string | null;
    readonly links: Readonly<Record<string, readonly { readonly physicianId: string; readonly displayName: string; readonly relation: 'referring' | 'reading' | 'associated' }[]>>;
    readonly sites?: readonly HubSiteView[];
  }>()(studyQuerySchema.extend({ physicianId: hubId.optional(), site: hubId.optional(), limit: z.number().int().min(1).max(HUB_PAGE_MAX).default(100), after: z.string().max(1000).regex(/^[A-Za-z0-9_-]+$/).optional() }).strict()),
  // Names that fit several physicians, waiting for an admin; the answer: one candidate or none (null).
  'physicians:reviews': call<{ readonly reviews: readonly MatchReviewView[] }>()(z.object({}).strict()),
  'physicians:resolve-review': call<Record<string, never>>()(z.object({ id: hubId, physicianId: hubId.nullable() }).strict()),
  // Actions → Add physician…: the caller's site's directory by surname, the physicians a study is on, adding and removing by hand (outbox).
  'physicians:directory': call<{ readonly physicians: readonly DirectoryEntryView[] }>()(z.object({ surname: z.string().trim().max(120).default('') }).strict()),
  'physicians:study': call<{ readonly physicians: readonly StudyPhysicianView[] }>()(z.object({ hubStudyId: hubId }).strict()),
  'physicians:link': call<CollectionOutcome>()(z.object({ studies: z.array(studyRef).min(1).max(1000), physicianId: hubId, forPhysicianId: hubId.optional() }).strict()),
  'physicians:unlink': call<CollectionOutcome>()(z.object({ study: studyRef, physicianId: hubId, forPhysicianId: hubId.optional() }).strict()),
  // Every study the hub lets this user see (their site's as its policy says, departments, shares, collections), paged like a worklist.
  // `site`: the Site filter of someone connected to several sites; `sites` in the answer: the sites they are connected to.
  'hub-studies:visible': call<{ readonly studies: readonly HubWorklistStudy[]; readonly total: number | null; readonly totalCapped: boolean; readonly nextCursor: string | null; readonly sites?: readonly HubSiteView[] }>()(
    studyQuerySchema.extend({ limit: z.number().int().min(1).max(HUB_PAGE_MAX).default(100), after: z.string().max(1000).regex(/^[A-Za-z0-9_-]+$/).optional(), site: hubId.optional() }).strict(),
  ),
  'collections:list': call<{ readonly collections: readonly CollectionView[] }>()(z.object({}).strict()),
  'collections:create': call<CollectionView>()(z.object({ name, description: z.string().trim().max(2000).default('') }).strict()),
  'collections:update': call<CollectionView>()(z.object({ id: hubId, name, description: z.string().trim().max(2000).default('') }).strict()),
  'collections:delete': call<Record<string, never>>()(z.object({ id: hubId }).strict()),
  'collections:members': call<{ readonly members: readonly CollectionMemberView[] }>()(z.object({ id: hubId }).strict()),
  'collections:set-member': call<{ readonly members: readonly CollectionMemberView[] }>()(
    z.object({ id: hubId, kind: z.enum(['user', 'group']), memberId: hubId, rights: collectionRightsSchema }).strict(),
  ),
  'collections:remove-member': call<{ readonly members: readonly CollectionMemberView[] }>()(z.object({ id: hubId, kind: z.enum(['user', 'group']), memberId: hubId }).strict()),
  // Issue 13: a hub study's zip saved where the person chooses (main asks; the hub decides who may).
  'studies:download': call<StudyDownloadOutcome>()(z.object({ hubStudyId: hubId, downloadId: z.string().uuid() }).strict()),
  'collections:add-studies': call<CollectionOutcome>()(
    z
      .object({
        collectionId: hubId,
        studies: z.array(studyRef).min(1).max(1000),
        // Only chosen series of one study (a teaching set rarely wants the scout); absent: the whole study.
        seriesUids: z.array(uid).min(1).max(500).optional(),
      })
      .strict()
      .refine((input) => input.seriesUids === undefined || input.studies.length === 1, { message: 'Chosen series belong to one study: add them one study at a time.', path: ['seriesUids'] }),
  ),
  'collections:remove-studies': call<CollectionOutcome>()(z.object({ collectionId: hubId, studies: z.array(studyRef).min(1).max(1000) }).strict()),
  'collections:studies': call<{ readonly studies: readonly HubWorklistStudy[]; readonly total: number | null; readonly totalCapped: boolean; readonly nextCursor: string | null }>()(
    studyQuerySchema.extend({ collectionId: hubId, limit: z.number().int().min(1).max(HUB_PAGE_MAX).default(100), after: z.string().max(1000).regex(/^[A-Za-z0-9_-]+$/).optional() }).strict(),
  ),
  'collections:candidates': call<{ readonly candidates: readonly { readonly kind: 'user' | 'group'; readonly id: string; readonly name: string }[] }>()(
    z.object({ id: hubId, q: z.string().trim().min(1).max(100) }).strict(),
  ),
  'access:requests': call<{ readonly incoming: readonly AccessRequestView[]; readonly mine: readonly AccessRequestView[] }>()(z.object({}).strict()),
  // The study as its hub id, or a link holding it (pasted from a mail or a chat).
  'access:request': call<AccessRequestView>()(
    z.object({ study: studyLinkOrId, message: z.string().trim().max(1000).default('') }).strict(),
  ),
  'access:decide': call<AccessRequestView>()(z.object({ id: hubId, approve: z.boolean() }).strict()),
  // Comments (issue 16): written offline-first through the outbox; the text's bounds are the hub's (one spelling).
  'comments:list': call<CommentsPage>()(z.object({ study: studyRef }).strict()),
  'comments:add': call<CommentOutcome>()(
    z
      .object({
        study: studyRef,
        text: commentTextSchema,
        anchor: viewerAnchorSchema.nullable().default(null),
        replyTo: hubId.nullable().default(null),
        mentions: z.array(z.object({ id: hubId, name: z.string().max(400) }).strict()).max(COMMENT_MAX_MENTIONS).default([]),
        // Mentioned people who cannot see the study, to share it with first (the normal share path, same outbox).
        shareWith: z.array(hubId).max(COMMENT_MAX_MENTIONS).default([]),
      })
      .strict(),
  ),
  'comments:edit': call<CommentOutcome>()(
    z.object({ study: studyRef, commentId: hubId, text: commentTextSchema, mentions: z.array(z.object({ id: hubId, name: z.string().max(400) }).strict()).max(COMMENT_MAX_MENTIONS).default([]) }).strict(),
  ),
  'comments:delete': call<CommentOutcome>()(z.object({ study: studyRef, commentId: hubId }).strict()),
  'comments:hide': call<CommentView>()(z.object({ commentId: hubId, hidden: z.boolean() }).strict()),
  'comments:history': call<{ readonly edits: readonly CommentEditView[] }>()(z.object({ commentId: hubId }).strict()),
  'comments:mentions': call<{ readonly people: readonly MentionCandidate[] }>()(z.object({ study: studyRef, q: z.string().trim().min(1).max(100) }).strict()),
  // Notifications (issue 16): the hub's inbox and preferences, as the signed-in person.
  'notifications:list': call<NotificationPage>()(z.object({ before: z.number().int().min(1).optional(), limit: z.number().int().min(1).max(200).default(50), unreadOnly: z.boolean().default(false) }).strict()),
  'notifications:mark-read': call<{ readonly unread: number }>()(z.union([z.object({ ids: z.array(z.number().int().min(1)).min(1).max(500) }).strict(), z.object({ all: z.literal(true) }).strict()])),
  'notifications:preferences': call<{ readonly preferences: readonly NotificationPreference[] }>()(z.object({}).strict()),
  'notifications:set-preferences': call<{ readonly preferences: readonly NotificationPreference[] }>()(
    z.object({ preferences: z.array(z.object({ kind: z.enum(NOTIFICATION_KINDS), delivery: z.enum(NOTIFICATION_DELIVERIES), osNotification: z.boolean().optional() }).strict()).min(1).max(50) }).strict(),
  ),
  // External users who connect (issue 14, part 3): the site's review (admin.connections) and the external user's own requests.
  'connections:site': call<{
    readonly connections: readonly SiteConnectionView[];
    readonly reviewCount: number;
    readonly settings: ConnectionSettingsView | null;
    /** The site's roles a connection may take (one role per connection). */
    readonly roles?: readonly { readonly id: string; readonly name: string }[];
  }>()(z.object({}).strict()),
  // One role per connection (issue 14): the site's role that decides what the connected person may do with its studies.
  'connections:set-role': call<SiteConnectionView>()(z.object({ connectionId: hubId, roleId: hubId }).strict()),
  'connections:assign': call<SiteConnectionView>()(z.object({ connectionId: hubId, physicianIds: z.array(hubId).max(500) }).strict()),
  'connections:decline': call<SiteConnectionView>()(z.object({ connectionId: hubId }).strict()),
  'connections:physicians': call<{ readonly physicians: readonly { readonly id: string; readonly name: string; readonly specialty: string | null }[] }>()(z.object({ q: z.string().trim().max(100) }).strict()),
  'connections:create-physician': call<{ readonly id: string; readonly name: string; readonly specialty: string | null }>()(
    z.object({ givenNames: z.string().trim().max(200), familyName: z.string().trim().min(1, 'a family name').max(120), specialty: z.string().trim().max(120) }).strict(),
  ),
  'connections:mine': call<{ readonly connections: readonly MyConnectionView[] }>()(z.object({}).strict()),
  'connections:request': call<MyConnectionView>()(z.object({ site: z.string().trim().min(1, 'the site’s name or connection code').max(200), kind: z.enum(CONNECTION_KINDS) }).strict()),
  'studies:set-private': call<PrivateOutcome>()(z.object({ studies: z.array(studyRef).min(1).max(1000), private: z.boolean() }).strict()),
  'viewer:open': call<ViewerStudy>()(z.object({ study: studyRef }).strict()),
  'viewer:close': call<Record<string, never>>()(z.object({ sessionId: z.string().regex(VIEWER_TOKEN_PATTERN, 'a viewing session') }).strict()),
  'viewer:settings': call<ViewerSettings>()(z.object({}).strict()),
  'viewer:set-settings': call<ViewerSettings>()(
    z.object({ cacheMegabytes: z.number().int().min(VIEWER_CACHE_MB.min, `at least ${VIEWER_CACHE_MB.min} MB`).max(VIEWER_CACHE_MB.max, `at most ${VIEWER_CACHE_MB.max} MB`) }).strict(),
  ),
  'dicom:status': call<DicomNetStatus>()(z.object({}).strict()),
  'dicom:set-listener': call<DicomNetStatus>()(
    z
      .object({
        enabled: z.boolean(),
        port: dicomPort,
        aeTitle,
        allowedAeTitles: z.array(aeTitle).max(200).default([]),
        allowedAddresses: z.array(z.string().trim().regex(/^[0-9a-fA-F.:]{2,45}$/, 'an IP address')).max(200).default([]),
        autoPublish: z.boolean().default(false),
      })
      .strict(),
  ),
  'dicom:save-node': call<DicomNodeView>()(dicomNodeInput),
  'dicom:remove-node': call<{ readonly removed: boolean }>()(z.object({ id: z.number().int().positive() }).strict()),
  'dicom:echo': call<{ readonly milliseconds: number }>()(z.union([z.object({ id: z.number().int().positive() }).strict(), z.object({ aeTitle, host: dicomHost, port: dicomPort }).strict()])),
  'dicom:send': call<{ readonly jobId: string }>()(
    z
      .object({
        nodeId: z.number().int().positive(),
        studies: z.array(uid).max(1000).default([]),
        series: z.array(z.object({ studyUid: uid, seriesUid: uid }).strict()).max(1000).default([]),
      })
      .strict()
      .refine((input) => input.studies.length + input.series.length > 0, 'Choose at least one study or series to send.'),
  ),
  'dicom:send-failures': call<{ readonly failures: readonly SendFailureView[] }>()(z.object({ jobId: dicomJobId }).strict()),
  'dicom:retry-send': call<{ readonly jobId: string }>()(z.object({ jobId: dicomJobId }).strict()),
  'dicom:query': call<{ readonly jobId: string }>()(
    z
      .object({
        nodeId: z.number().int().positive(),
        patientName: queryText,
        patientId: queryText,
        accessionNumber: queryText,
        dateFrom: queryDate,
        dateTo: queryDate,
        modality: z.string().trim().regex(/^[A-Z0-9]{0,16}$/, 'a modality (CT, MR…)').optional(),
      })
      .strict(),
  ),
  'dicom:query-page': call<QueryPage>()(z.object({ jobId: dicomJobId, offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(100) }).strict()),
  'dicom:query-series': call<{ readonly series: readonly RemoteSeriesView[] }>()(z.object({ nodeId: z.number().int().positive(), studyUid: uid }).strict()),
  'dicom:retrieve': call<{ readonly jobId: string }>()(
    z.object({ nodeId: z.number().int().positive(), items: z.array(z.object({ studyUid: uid, seriesUid: uid.optional() }).strict()).min(1).max(500) }).strict(),
  ),
  'dicom:priors': call<{ readonly jobId: string }>()(z.object({ nodeId: z.number().int().positive(), studyUid: uid }).strict()),
  'dicom:cancel': call<{ readonly cancelled: boolean }>()(z.object({ jobId: dicomJobId }).strict()),
} as const;


// The call names listed in contract.ts and the schemas here must be the same set.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const namesMatch: Same<keyof typeof CALLS, (typeof CALL_NAMES)[number]> = true;
void namesMatch;
