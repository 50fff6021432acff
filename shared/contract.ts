/**
 * The one contract between the renderer and main: every call the renderer may make (name →
 * input schema, output type) and every event main pushes. The preload bridge, the IPC binding,
 * the loopback HTTP transport and the renderer's api.ts are all derived from it, so a call cannot
 * exist on one side only. Input schemas live in contract-schemas.ts (main validates with them);
 * this file holds names and types only, so the renderer and preload do not bundle zod.
 */
import type { SitePolicy } from './permissions/site-policy';
import type { z } from 'zod';
import type { CALLS } from './contract-schemas';
import type { ImportProgress, ImportSummary } from './types/import';
import type { DicomNetStatus } from './types/dicom-net';
import type { SeriesSummary, StudySummary } from './types/study';

export interface StudyDetails {
  readonly study: StudySummary;
  readonly series: readonly SeriesSummary[];
}

export interface HostInfo {
  /** Electron offers a native folder picker; the browser transport asks for a path. */
  readonly kind: 'electron' | 'browser';
  readonly version: string;
  readonly platform: string;
}

/**
 * What the sync is doing, from what actually happened (electron/main/sync-client/sync-client.ts):
 * `online` is up to date with nothing waiting; `syncing` a run under way; `offline` the hub
 * unreachable; `not-answering` the hub took the connection but said nothing (frozen);
 * `hub-error` the hub answered but could not do it (`message` is its reason, e.g. its disk is
 * full); `session-expired` sign in again, nothing waiting is lost; `signed-out` nobody signed in.
 */
export interface SyncStatusView {
  readonly state: 'signed-out' | 'online' | 'syncing' | 'offline' | 'not-answering' | 'hub-error' | 'session-expired';
  readonly pending: number;
  /** The latest refused operations, newest first, with what they were about. */
  readonly rejected: readonly { readonly id: string; readonly kind: string; readonly reason: string; readonly studyUid: string | null; readonly target: string | null }[];
  readonly uploadsPending: number;
  readonly message: string | null;
  /** Operations and files whose last try failed, waiting for their next one. */
  readonly delayed: number;
  /** During a run: items sent of those the run set out to send. */
  readonly progress: { readonly done: number; readonly total: number } | null;
}

/** Imports the app stopped in the middle of (killed, machine off), offered again at start; and what the library held without an index row. */
export interface UnfinishedImportsView {
  readonly imports: readonly { readonly id: string; readonly paths: readonly string[]; readonly copyToLibrary: boolean; readonly startedAt: string }[];
  /** What the start found in the library and put right (null before it has looked). */
  readonly recovered: { readonly partialsRemoved: number; readonly orphansIndexed: number; readonly orphansRemoved: number } | null;
}

/** One item of the sync queue, as the Sync panel lists it. */
export interface SyncQueueItemView {
  readonly kind: 'operation' | 'file';
  readonly id: string;
  readonly what: string;
  readonly studyUid: string | null;
  readonly target: string | null;
  readonly state: 'waiting' | 'delayed' | 'refused';
  readonly reason: string | null;
  readonly attempts: number;
  readonly queuedAt: string | null;
  readonly failingSince: string | null;
  readonly nextAttemptAt: string | null;
}

export interface HubStatus {
  /** `embedded`: the hub runs inside this app; `remote`: a hub elsewhere; `off`: no hub. */
  readonly mode: 'embedded' | 'remote' | 'off';
  /** No hub chosen yet: the first-run screen offers to join one, create a site here, or wait. */
  readonly firstRun: boolean;
  /** The address this desktop talks to the hub at. */
  readonly url: string | null;
  /** The hub's name, as it says (null until it answered). */
  readonly hubName: string | null;
  /** The hub has no site yet: the setup screen creates it (with the setup code on a server hub). */
  readonly needsSetup: boolean;
  readonly user: { readonly name: string; readonly email: string; readonly role: string | null; readonly permissions: readonly string[] } | null;
  readonly sync: SyncStatusView;
  /** Whether the session token is encrypted at rest (the platform keychain). */
  readonly tokenEncrypted: boolean;
  /** Where the hub's links (guest links, invitations) point. */
  readonly publicUrl: string | null;
  /**
   * Who can open those links: only this computer (a loopback address), others (a real
   * address), nobody (the hub has no public address and refuses to make links), or not known
   * yet (the hub has not answered).
   */
  readonly linkReach: 'this-computer' | 'elsewhere' | 'none' | 'unknown';
  /** The hub inside this app, when it is the one in use. */
  readonly embedded: {
    readonly port: number;
    readonly lan: boolean;
    /** The public address the user set; null: this computer's loopback address. */
    readonly publicUrl: string | null;
    /** Addresses on this computer's local networks that could serve as its public address. */
    readonly lanAddresses: readonly string[];
  } | null;
  /** A remote hub's certificate the user chose to trust (a LAN hub's own), as its fingerprint. */
  readonly trustedFingerprint: string | null;
  /** Something to know that is not an error (the kept port was taken). */
  readonly notice: string | null;
}

/** A hub's certificate as the probe saw it, to show before the user trusts it. */
export interface HubCertificateView {
  /** SHA-256 fingerprint as Node prints it (`AB:CD:…`): what a pin stores. */
  readonly fingerprint256: string;
  /** `CN=…, O=…` */
  readonly subject: string;
  readonly issuer: string;
  /** ISO 8601. */
  readonly validFrom: string;
  readonly validTo: string;
  /** Issued by itself (no certificate authority vouches for it): usual for a hub on a local network. */
  readonly selfSigned: boolean;
}
/** What is at a hub address: the hub's name and sites, or what is wrong (with the certificate, where that is it). */
export type HubProbeView =
  | { readonly ok: true; readonly url: string; readonly name: string; readonly version: string; readonly sites: readonly string[] | null; readonly needsSetup: boolean; readonly certificate: HubCertificateView | null }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly certificate: HubCertificateView | null };
/** What switching hubs would let go of, said before it happens. */
export interface HubSwitchPreview {
  /** The hub in use (its name or address), or null when none is. */
  readonly hub: string | null;
  readonly pendingChanges: number;
  readonly pendingFiles: number;
  readonly cachedStudies: number;
}

/** A user of the site as an admin manages them: whether they may sign in, and whether wrong passwords locked them. */
export interface AdminUserView {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly role: string | null;
  readonly active: boolean;
  readonly locked: boolean;
}

export interface AdminOverview {
  readonly users: readonly AdminUserView[];
  readonly roles: readonly { readonly id: string; readonly name: string; readonly builtIn: boolean; readonly permissions: readonly string[] }[];
  readonly locations: readonly { readonly id: string; readonly name: string; readonly members: readonly { readonly id: string; readonly name: string }[] }[];
  readonly groups: readonly { readonly id: string; readonly name: string; readonly department: boolean; readonly members: readonly { readonly id: string; readonly name: string }[] }[];
  readonly worklists: readonly { readonly id: string; readonly kind: 'location' | 'group' | 'personal'; readonly name: string; readonly shareCode: string; readonly ownerId: string }[];
}

export interface GuestLinkView {
  readonly id: string;
  readonly state: 'active' | 'expired' | 'used-up' | 'revoked' | 'locked';
  readonly expiresAt: string;
  readonly uses: number;
  readonly maxUses: number | null;
  readonly protection: 'none' | 'pin' | 'birth-date';
  readonly allowDownload: boolean;
  readonly lastAccessAt: string | null;
  readonly note: string | null;
}

export type ShareTargetKind = 'location' | 'group' | 'user';
export interface ShareTargetView {
  readonly worklistId: string;
  readonly name: string;
  /** A person's role; empty for locations and groups. */
  readonly detail: string;
}
/** A worklist found by its share code: shown (name, site) before anything is shared into it. */
export interface ShareCodeWorklist {
  readonly id: string;
  readonly kind: 'location' | 'group' | 'personal';
  readonly name: string;
  readonly site: string | null;
  readonly shareCode: string;
}
/** What one Share Studies did, by target: how many went, were there already, wait, or were refused and why. */
export interface ShareOutcome {
  /** False when the hub could not be reached: everything waits in the outbox. */
  readonly online: boolean;
  readonly targets: readonly {
    readonly label: string;
    readonly shared: number;
    readonly alreadyShared: number;
    /** An address without an account: an invitation went out (or had already). */
    readonly invited: boolean;
    readonly pending: number;
    readonly refused: readonly { readonly study: string; readonly reason: string }[];
  }[];
}
export interface SharedWithView {
  readonly id: string;
  readonly target: { readonly kind: 'location' | 'group' | 'personal' | 'person'; readonly name: string; readonly email: string | null; readonly site: string | null };
  readonly sharedBy: { readonly id: string; readonly name: string };
  readonly sharedAt: string;
  readonly external: boolean;
  readonly invitationPending: boolean;
  readonly removable: boolean;
}
/** A study's sharing as this user may see it: live from the hub, or what is known offline. */
export interface StudySharingView {
  readonly hubStudyId: string | null;
  /** True when `shares` came from the hub just now. */
  readonly live: boolean;
  readonly message: string | null;
  readonly actions: readonly string[];
  readonly summary: StudySummary | null;
  readonly series: readonly SeriesSummary[];
  readonly shares: readonly SharedWithView[];
  /** Shares and removals this user queued that the hub has not taken (pending) or refused. */
  readonly queued: readonly { readonly id: string; readonly kind: string; readonly target: string; readonly state: 'pending' | 'refused'; readonly reason: string | null }[];
  /** This desktop's files of the study not yet confirmed by the hub, of those it sends (null: it sends none). */
  readonly files: { readonly waiting: number; readonly total: number } | null;
}
export interface ShareStateView {
  readonly shared: number;
  readonly pending: number;
  readonly refused: number;
}
export interface HubWorklistView {
  readonly id: string;
  readonly kind: 'location' | 'group' | 'personal';
  readonly name: string;
  readonly shareCode: string;
  readonly member: boolean;
}
export interface HubWorklistStudy {
  readonly hubStudyId: string;
  readonly private: boolean;
  readonly sharedAt: string;
  readonly summary: StudySummary;
  /** Why the hub lets this user see it ('department', 'collection', … : shared/permissions/visibility.ts), null when unknown. */
  readonly reason?: string | null;
  /** Its site, for someone of no site (their lists may span several sites: the Site column); absent for a site's own people. */
  readonly site?: HubSiteView | null;
}
/** A site as a list names it (issue 14: the Site column and filter). */
export interface HubSiteView {
  readonly id: string;
  readonly name: string;
}
export interface AuditEventView {
  readonly seq: number;
  readonly at: string;
  readonly action: string;
  readonly trail: 'study' | 'share' | 'account';
  readonly actor: { readonly id: string; readonly name: string; readonly email: string };
  readonly onBehalfOf: { readonly id: string; readonly name: string } | null;
  readonly studyId: string | null;
  readonly studyUid: string | null;
  /** The study as a person knows it, where the event names one. */
  readonly study: { readonly patientName: string | null; readonly accessionNumber: string | null; readonly studyDate: string | null } | null;
  readonly shareId: string | null;
  /** For events about a share: its target's name. */
  readonly target: string | null;
  readonly detail: Readonly<Record<string, unknown>>;
}

/**
 * The workstation lock (issue 18, item 13): who is signed in at this computer, and how someone
 * signs in while it is locked. Locked, main refuses every call that reads or changes patient
 * data; the renderer shows the lock screen and keeps no patient data.
 */
export interface WorkstationStatus {
  readonly locked: boolean;
  /** Why it is locked: the app just started, nobody was active for the lock time, someone locked it, or the hub session ended. */
  readonly reason: 'start' | 'idle' | 'manual' | 'signed-out' | null;
  /** The person signed in (null while locked). */
  readonly user: { readonly kind: 'hub' | 'local'; readonly name: string; readonly mayChangeLockTime: boolean } | null;
  /** Who was signed in before the lock, offered first on the lock screen (`login`: email or profile name). */
  readonly lastUser: { readonly kind: 'hub' | 'local'; readonly name: string; readonly login: string } | null;
  /** Minutes without activity after which the workstation locks itself. */
  readonly idleMinutes: number;
  /** Whose lock time it is: the signed-in hub user's site's (changed on the hub, for the whole site), or this computer's. */
  readonly lockTimeSetBy: 'site' | 'computer';
  /** How to sign in here: the hub account, a local profile (no hub used), or creating the first local profile. */
  readonly signIn: 'hub' | 'local-profile' | 'create-profile';
}

/** A site's viewing policy as the Organisation screen edits it, with whom it can name (issue 13). */
export interface OrganisationPolicyView {
  readonly policy: SitePolicy;
  readonly people: readonly { readonly id: string; readonly name: string }[];
  readonly roles: readonly { readonly id: string; readonly name: string }[];
}

export interface DepartmentView {
  readonly id: string;
  readonly name: string;
  readonly members: readonly { readonly id: string; readonly name: string }[];
}

/** What became of marking studies private (or not): done, waiting in the outbox, refused and why. */
export interface PrivateOutcome {
  /** False when the hub could not be reached: everything waits in the outbox. */
  readonly online: boolean;
  readonly changed: number;
  readonly pending: number;
  readonly refused: readonly { readonly study: string; readonly reason: string }[];
}

export type { CollectionMemberView, CollectionView } from './hub-api/collections';
export type { AccessRequestView } from './hub-api/access-requests';
export type { CommentEditView, CommentItem, CommentOutcome, CommentsPage, CommentView, MentionCandidate } from './comments/comment-schemas';

/** What became of putting studies into (or taking them out of) a collection, in the share-status style. */
export interface CollectionOutcome {
  readonly online: boolean;
  readonly changed: number;
  readonly already: number;
  readonly pending: number;
  readonly refused: readonly { readonly study: string; readonly reason: string }[];
}

/** What became of Download…: saved where main chose (the save dialog), or not (cancelled). */
export type StudyDownloadOutcome = { readonly saved: false } | { readonly saved: true; readonly path: string; readonly bytes: number };

/** Every call name; contract-schemas.ts checks at compile time that it matches CALLS. */
export const CALL_NAMES = [
  'host:info',
  'studies:query',
  'studies:details',
  'import:pick-folder',
  'import:start',
  'import:cancel',
  'import:unfinished',
  'import:resume',
  'import:dismiss',
  'hub:status',
  'hub:setup',
  'hub:sign-in',
  'hub:sign-out',
  'hub:sync-now',
  'hub:dismiss-refused',
  'sync:queue',
  'sync:retry',
  'sync:discard',
  'hub:probe',
  'hub:connect',
  'hub:switch-preview',
  'hub:embedded-settings',
  'hub:request-password-reset',
  'hub:change-password',
  'admin:overview',
  'admin:add-user',
  'admin:set-role-permissions',
  'admin:add-location',
  'admin:add-group',
  'admin:add-member',
  'admin:regenerate-share-code',
  'admin:set-user-active',
  'admin:unlock-user',
  'admin:send-password-reset',
  'guest-links:create',
  'guest-links:list',
  'guest-links:revoke',
  'sharing:targets',
  'sharing:lookup-code',
  'sharing:share',
  'sharing:remove',
  'sharing:study',
  'sharing:states',
  'hub-worklists:list',
  'hub-worklists:studies',
  'audit:query',
  'audit:export',
  'workstation:status',
  'workstation:sign-in-local',
  'workstation:create-profile',
  'workstation:lock',
  'workstation:activity',
  'workstation:set-idle-minutes',
  'dicom:status',
  'dicom:set-listener',
  'dicom:save-node',
  'dicom:remove-node',
  'dicom:echo',
  'dicom:send',
  'dicom:send-failures',
  'dicom:retry-send',
  'dicom:query',
  'dicom:query-page',
  'dicom:query-series',
  'dicom:retrieve',
  'dicom:priors',
  'dicom:cancel',
  'viewer:open',
  'viewer:close',
  'viewer:settings',
  'viewer:set-settings',
  'organisation:policy',
  'organisation:set-policy',
  'organisation:departments',
  'organisation:add-department',
  'organisation:rename-department',
  'organisation:delete-department',
  'organisation:add-department-member',
  'organisation:remove-department-member',
  'physicians:list',
  'physicians:save',
  'physicians:acts-for',
  'physicians:set-acts-for',
  'physicians:mine',
  'physicians:cases',
  'physicians:reviews',
  'physicians:resolve-review',
  'physicians:directory',
  'physicians:study',
  'physicians:link',
  'physicians:unlink',
  'studies:set-private',
  'hub-studies:visible',
  'studies:download',
  'collections:list',
  'collections:create',
  'collections:update',
  'collections:delete',
  'collections:members',
  'collections:set-member',
  'collections:remove-member',
  'collections:add-studies',
  'collections:remove-studies',
  'collections:studies',
  'collections:candidates',
  'access:requests',
  'access:request',
  'access:decide',
  'comments:list',
  'comments:add',
  'comments:edit',
  'comments:delete',
  'comments:hide',
  'comments:history',
  'comments:mentions',
  'notifications:list',
  'notifications:mark-read',
  'notifications:preferences',
  'notifications:set-preferences',
  'connections:site',
  'connections:assign',
  'connections:decline',
  'connections:physicians',
  'connections:create-physician',
  'connections:mine',
  'connections:request',
  'connections:set-role',
] as const;

export type CallName = keyof typeof CALLS;
/** What the renderer passes (defaults may be left out). */
export type CallInput<N extends CallName> = z.input<(typeof CALLS)[N]['input']>;
/** What main's handler receives, after validation and defaults. */
export type CallParsedInput<N extends CallName> = z.output<(typeof CALLS)[N]['input']>;
export type CallOutput<N extends CallName> = NonNullable<(typeof CALLS)[N]['output']>;

/** Errors carry a code for programs and a sentence for the person at the workstation. */
export interface ApiError {
  readonly code: string;
  readonly message: string;
}
export type CallResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ApiError };

export const isCallName = (name: unknown): name is CallName => typeof name === 'string' && (CALL_NAMES as readonly string[]).includes(name);

export interface ImportProgressEvent extends ImportProgress {
  readonly importId: string;
}
export interface ImportFinishedEvent {
  readonly importId: string;
  readonly summary: ImportSummary | null;
  /** Set when the import as a whole failed (not per-file errors, which are in the summary). */
  readonly error: ApiError | null;
}

/** Every event main pushes, by name → payload type (the values exist only to list the names). */
export interface EventPayloads {
  'import:progress': ImportProgressEvent;
  'import:finished': ImportFinishedEvent;
  /** The index changed: worklists should refresh what they show. */
  'data:changed': { readonly reason: 'import' | 'sync' };
  /** The hub connection or the sync status changed. */
  'hub:status': HubStatus;
  /** A join link (studyshare://join?hub=…) was opened on this computer: offer to join that hub. */
  'hub:join-link': { readonly url: string };
  /** The workstation locked or unlocked (or its lock time changed). */
  'workstation:state': WorkstationStatus;
  /** The DICOM listener and transfers changed (at most a few times a second). */
  'dicom:activity': DicomNetStatus;
  /** The signed-in person's notifications may have changed (the live signal or a pull): the bell reads again. */
  'notifications:changed': { readonly unread: number; readonly live: boolean };
  /** A study's zip being saved from the hub (Actions → Download…): bytes so far. */
  'download:progress': { readonly downloadId: string; readonly bytes: number };
}
export type EventName = keyof EventPayloads;
export const EVENT_NAMES: readonly EventName[] = ['import:progress', 'import:finished', 'data:changed', 'hub:status', 'hub:join-link', 'workstation:state', 'dicom:activity', 'notifications:changed', 'download:progress'];
export const isEventName = (name: unknown): name is EventName => typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name);

/** What the preload exposes as `window.studyshare`, and what the HTTP transport mimics. */
export interface StudyshareBridge {
  call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallResult<CallOutput<N>>>;
  on<E extends EventName>(name: E, listener: (payload: EventPayloads[E]) => void): () => void;
}

/** IPC channel names: the preload and the main binding both take them from here. */
export const IPC_CALL_CHANNEL = 'studyshare:call';
export const IPC_EVENT_CHANNEL = 'studyshare:event';
