/** The hub's tables as Kysely sees them (one interface per table, column types as stored). */
import type { ColumnType, Generated } from 'kysely';

export interface AccountTable {
  id: string;
  name: string;
  created_at: string;
  /** The site's workstation lock time, 1–240 minutes (migration 0160). */
  workstation_lock_minutes: Generated<number>;
  /** The site's viewing policy, shared/permissions/site-policy.ts (migration 0200). */
  viewing_policy: Generated<'participated' | 'department' | 'site'>;
  /** 1 when an uploader holding studies.private may mark their own studies private (migration 0200). */
  uploader_marks_private: Generated<number>;
  /** Who may download the site's studies (migration 0240, visibility rule 13). */
  download_policy: Generated<'nobody' | 'viewers' | 'roles'>;
  /** Raised by one at each change of the site's viewing policy; the change feed carries it (migration 0260). */
  policy_generation: Generated<number>;
  /** 1: under 'participated', members see their department colleagues' studies de-identified (migration 0250, visibility rule 14). */
  deidentified_department: Generated<number>;
  /** What people type to find the site when asking to connect (migration 0330; unique on the hub). */
  connection_code: string | null;
  /** 1 while the site takes connection requests from external users (migration 0330). */
  accepts_connections: Generated<number>;
}
/** People and roles who see their whole site whatever its viewing policy (migration 0200). */
/** The roles whose people may download a site's studies under its 'roles' download policy (migration 0240). */
export interface DownloadRoleTable {
  account_id: string;
  role_id: string;
}
export interface WholeSiteGrantTable {
  account_id: string;
  kind: 'user' | 'role';
  subject_id: string;
}
/** A collection: a named list of study references shared with members (migration 0210). */
export interface CollectionTable {
  id: string;
  /** The creator's site (null for an external creator); whose trail its events go on. */
  account_id: string | null;
  name: string;
  description: string;
  created_by: string;
  created_at: string;
  /** Set when deleted: kept so that a late add is refused with "was deleted". */
  deleted_at: string | null;
}
export interface CollectionMemberTable {
  collection_id: string;
  member_kind: 'user' | 'group';
  member_id: string;
  /** JSON array of shared/permissions/collections.ts rights. */
  rights: string;
  added_at: string;
}
export interface CollectionStudyTable {
  collection_id: string;
  study_id: string;
  /** JSON array of SeriesInstanceUIDs when only some series were added; null for the whole study. */
  series_uids: string | null;
  added_by: string;
  added_at: string;
  /** Set when taken out of the collection: the change feed then tells its members it left them. */
  removed_at: string | null;
}
export interface RoleTable {
  id: string;
  account_id: string;
  name: string;
  /** JSON array of permission keys from shared/permissions/catalogue. */
  permissions: string;
  built_in: number;
}
export interface UserTable {
  id: string;
  /** Null for external users. */
  account_id: string | null;
  email: string;
  name: string;
  password_hash: string;
  role_id: string | null;
  active: number;
  created_at: string;
  /** 1 for the hub's operator, who may create further sites (migration 0330). */
  hub_operator: Generated<number>;
}
export interface SessionTable {
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  /** When the session was last used (written at most once a minute), for the idle timeout (migration 0150). */
  last_seen_at: string;
}
export interface LocationTable {
  id: string;
  account_id: string;
  name: string;
}
export interface GroupTable {
  id: string;
  account_id: string;
  name: string;
  department: number;
}
export interface MembershipTable {
  owner_id: string;
  user_id: string;
}
export interface WorklistTable {
  id: string;
  kind: 'location' | 'group' | 'personal';
  owner_id: string;
  account_id: string | null;
  name: string;
  share_code: string;
}
export interface StudyTable {
  id: string;
  account_id: string;
  study_uid: string;
  uploader_id: string;
  private: number;
  /** JSON of the shared StudySummary (read back for a page's rows; never searched or sorted). */
  summary: string;
  updated_at: string;
  // The summary's sortable fields as the local index stores them: '' for absent (keyset paging
  // compares row values, which NULLs would break), the name as its sort key (migration 0090).
  patient_name: Generated<string>;
  patient_name_key: Generated<string>;
  patient_id: Generated<string>;
  patient_birth_date: Generated<string>;
  study_date: Generated<string>;
  accession_number: Generated<string>;
  study_description: Generated<string>;
  /** Distinct, sorted, joined by `\`. */
  modalities: Generated<string>;
  series_count: Generated<number>;
  instance_count: Generated<number>;
}
/** The folded words of a study's searchable fields (shared/study-search.ts). */
export interface StudyTermTable {
  term: string;
  study_id: string;
}
export interface StudyModalityTable {
  study_id: string;
  modality: string;
}
/** The studies a guest link opens. */
export interface GuestLinkStudyTable {
  link_id: string;
  study_id: string;
}
export interface ShareTable {
  /** Generated by the client, so that a retried share is the same share. */
  id: string;
  study_id: string;
  worklist_id: string | null;
  user_id: string | null;
  shared_by: string;
  created_at: string;
  removed_at: string | null;
  removed_by: string | null;
  /** The study's site (copied: a study never changes site), for lists to prune shares by index (migration 0130). */
  study_account_id: string;
  /** 1 for a share by email to someone outside the study's site: its events go on its own trail. */
  external: Generated<number>;
  /** The directory physician a case manager shared for (migration 0300). */
  on_behalf_of_physician: Generated<string | null>;
}
export interface InvitationTable {
  id: string;
  /** SHA-256 of the registration link's token. */
  token_hash: string;
  /** The user row made (inactive) for the invited address; registering activates it. */
  user_id: string;
  account_id: string;
  invited_by: string;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
  /** Set when a newer link replaced this one (it had expired): at most one open invitation per person. */
  superseded_at: string | null;
}
export interface PasswordResetTable {
  /** SHA-256 of the reset link's token (hashToken): the token itself is never stored. */
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  /** When the link was used, or when a later reset made it void. */
  used_at: string | null;
}
export interface AuditEventTable {
  seq: Generated<number>;
  at: string;
  /** The site whose trail this is: the study's owner, or the actor's site for site-wide events. */
  account_id: string;
  study_id: string | null;
  share_id: string | null;
  /** `study`: on the study's trail; `share`: on an external share's own trail; `account`: neither. */
  trail: 'study' | 'share' | 'account';
  actor_id: string;
  on_behalf_of: string | null;
  /** The directory physician a case manager acted for (migration 0300). */
  on_behalf_of_physician: Generated<string | null>;
  action: string;
  /** JSON with ids and options only: never patient data. */
  detail: string;
}
export interface MailTable {
  seq: Generated<number>;
  to_address: string;
  subject: string;
  body: string;
  created_at: string;
  sent_at: string | null;
  attempts: Generated<number>;
  last_error: string | null;
  /** The hub process sending it now (see mail-queue.ts), and since when; null when nobody is. */
  claimed_by: Generated<string | null>;
  claimed_at: Generated<string | null>;
}
export interface OperationTable {
  id: string;
  user_id: string;
  kind: string;
  result: string;
  applied_at: string;
}
export interface ChangeTable {
  seq: Generated<number>;
  study_id: string;
  at: string;
  /** Set on a change addressed to one person only: the study may have left them (migration 0230). */
  for_user_id: string | null;
}
export interface StudyFileTable {
  study_id: string;
  sop_instance_uid: string;
  size: number;
  sha256: string;
  blob: string;
  uploaded_at: string;
  series_uid: string | null;
  series_number: number | null;
  series_description: string | null;
  modality: string | null;
  instance_number: number | null;
}
export interface GuestSessionTable {
  token_hash: string;
  link_id: string;
  expires_at: string;
}
export interface GuestLinkTable {
  id: string;
  /** SHA-256 of the link's token: the token itself is never stored. */
  token_hash: string;
  account_id: string;
  created_by: string;
  /** JSON array of hub study ids. */
  study_ids: string;
  expires_at: string;
  max_uses: number | null;
  uses: number;
  pin_kind: 'none' | 'pin' | 'birth-date';
  pin_hash: string | null;
  max_attempts: number;
  failed_attempts: number;
  locked_at: string | null;
  allow_download: number;
  include_priors: number;
  note: string | null;
  revoked_at: string | null;
  created_at: string;
  last_access_at: string | null;
}
export interface GuestAccessTable {
  seq: Generated<number>;
  link_id: string;
  at: string;
  address: string;
  event: string;
}
/** One @fastify/rate-limit counter: hits in the window that ends at `resets_at` (migration 0150). */
export interface RateLimitTable {
  /** `<group>|<source address>`. */
  key: string;
  hits: number;
  resets_at: string;
}
/** Wrong passwords given for an address (known to the hub or not), for back-off and lock (migration 0150). */
export interface SignInFailureTable {
  /** Trimmed and lower-case, as sign-in compares addresses. */
  email: string;
  failures: number;
  last_failure_at: string;
  locked_at: string | null;
}
/** A resumable upload (server/files/upload-sessions.ts). */
export interface UploadSessionTable {
  id: string;
  study_id: string;
  sop_instance_uid: string;
  user_id: string;
  size: number;
  sha256: string;
  correction: number;
  received: number;
  created_at: string;
  updated_at: string;
}

/** One received chunk of a resumable upload: a blob of its own until the upload completes. */
export interface UploadChunkTable {
  upload_id: string;
  start: number;
  size: number;
  blob: string;
}

/** The row the hub writes at start to prove its database takes writes. */
export interface HubWriteCheckTable {
  id: number;
  checked_at: string;
}

/** Someone asking to see a study they cannot (migration 0220); approving makes a direct share. */
export interface AccessRequestTable {
  id: string;
  study_id: string;
  requester_id: string;
  message: string;
  created_at: string;
  decision: 'approved' | 'denied' | null;
  decided_by: string | null;
  decided_at: string | null;
  /** The direct share an approval made (removable like any other). */
  share_id: string | null;
}
/** A comment on a study (migration 0400, server/comments/). Never deleted: a delete or a hide keeps its place in its thread. */
export interface CommentTable {
  id: string;
  study_id: string;
  author_id: string;
  reply_to: string | null;
  text: string;
  /** JSON of shared/viewer/viewer-anchor.ts ViewerAnchor, or null (the whole study). */
  anchor: string | null;
  series_uid: string | null;
  sop_uid: string | null;
  frame: number | null;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  hidden_at: string | null;
  hidden_by: string | null;
  /** The study's comment revision at this comment's last change (the change feed tells desktops). */
  revision: number;
}
/** A comment's earlier texts, one row per edit (migration 0400). */
export interface CommentEditTable {
  comment_id: string;
  text: string;
  /** When this text stopped being the current one. */
  replaced_at: string;
  seq: Generated<number>;
}
/** The people a comment mentions (migration 0400). */
export interface CommentMentionTable {
  comment_id: string;
  user_id: string;
}
/** A notification for one person (migration 0430, server/notifications/). */
export interface NotificationTable {
  seq: Generated<number>;
  user_id: string;
  /** shared/notifications/notification-kinds.ts NotificationKind. */
  kind: string;
  actor_id: string | null;
  study_id: string | null;
  comment_id: string | null;
  collection_id: string | null;
  /** JSON of shared/viewer/viewer-anchor.ts ViewerAnchor. */
  anchor: string | null;
  delivery: 'app' | 'email' | 'digest';
  created_at: string;
  read_at: string | null;
  digested_at: string | null;
}
/** How one person wants one kind delivered (migration 0430); no row means 'app'. */
export interface NotificationPreferenceTable {
  user_id: string;
  kind: string;
  delivery: 'app' | 'email' | 'digest' | 'off';
  /** 1 when an urgent kind may raise the operating system's notification on the desktop. */
  os_notification: Generated<number>;
}
/** One claim per digest day: the hub process that inserts it sends that day's digests. */
export interface NotificationDigestRunTable {
  day: string;
  claimed_by: string;
  claimed_at: string;
  done_at: string | null;
}
/** A site's physician directory (migration 0300, server/physicians/). */
export interface PhysicianTable {
  id: string;
  account_id: string;
  display_name: string;
  family_name: string;
  given_names: string;
  /** shared/physicians/name-key.ts of the display name. */
  name_key: string;
  /** JSON array of DICOM person names the physician also answers to. */
  aliases: string;
  identifier: string | null;
  specialty: string | null;
  /** The account linked when the physician signs in. */
  user_id: string | null;
  active: number;
  created_at: string;
  updated_at: string;
}
/** Every name key a physician answers to (display name and aliases): the matching index. */
export interface PhysicianNameTable {
  account_id: string;
  name_key: string;
  physician_id: string;
}
/** The DICOM physician names a study arrived with, by key (for relinking after a directory change). */
export interface StudyPhysicianNameTable {
  study_id: string;
  relation: 'referring' | 'reading';
  name_key: string;
  dicom_name: string;
  account_id: string;
}
export interface StudyPhysicianTable {
  study_id: string;
  physician_id: string;
  relation: 'referring' | 'reading' | 'associated';
  source: 'dicom' | 'share' | 'manual';
  created_at: string;
  created_by: string | null;
  on_behalf_of: string | null;
  /** Copies of the study's date and private flag, kept by triggers (migration 0500): one doctor's list walks them in order. */
  study_date: Generated<string>;
  study_private: Generated<number>;
}
/** A DICOM name that matched several physicians: an admin chooses. */
export interface PhysicianMatchReviewTable {
  id: string;
  account_id: string;
  study_id: string;
  relation: 'referring' | 'reading';
  dicom_name: string;
  name_key: string;
  /** JSON array of physician ids. */
  candidate_ids: string;
  created_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
  chosen_physician_id: string | null;
}
/** Someone acting for a physician: a case manager of the site, or a connected external user. */
export interface PhysicianDelegateTable {
  user_id: string;
  physician_id: string;
  account_id: string;
  kind: 'case-manager' | 'external';
  assigned_by: string;
  assigned_at: string;
}
/** A physician whose existing studies are being relinked in the background, and how far it got. */
export interface PhysicianRelinkTable {
  physician_id: string;
  account_id: string;
  after_study_id: Generated<string>;
  requested_at: string;
  finished_at: string | null;
  /** One more with each request for the physician (migration 0510): a step records progress only for the generation it read. */
  generation: Generated<number>;
}
/** Someone without a site asking to connect to one (migration 0330, server/connections/). */
export interface SiteConnectionTable {
  id: string;
  user_id: string;
  account_id: string;
  kind: 'physician' | 'practice-manager' | 'external-rep';
  status: 'review' | 'assigned' | 'declined';
  created_at: string;
  decided_by: string | null;
  decided_at: string | null;
  /** The site's role that applies to the person on its studies (migration 0440; visibility rule 15); null: none set yet. */
  role_id: ColumnType<string | null, string | null | undefined, string | null>;
}
/** The hub's own settings, one row (migration 0330). */
export interface HubSettingsTable {
  id: number;
  sites_may_sign_up: number;
}
/** A sign-up's emailed link (migration 0330): only its hash is kept; used once. */
export interface EmailVerificationTable {
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}
/** The hub's own keys by name (migration 0250): never sent, never logged. */
export interface HubSecretTable {
  name: string;
  value: string;
  created_at: string;
}
export interface HubDatabase {
  hub_secrets: HubSecretTable;
  site_connections: SiteConnectionTable;
  hub_settings: HubSettingsTable;
  email_verifications: EmailVerificationTable;
  physicians: PhysicianTable;
  physician_names: PhysicianNameTable;
  study_physician_names: StudyPhysicianNameTable;
  study_physicians: StudyPhysicianTable;
  physician_match_reviews: PhysicianMatchReviewTable;
  physician_delegates: PhysicianDelegateTable;
  physician_relinks: PhysicianRelinkTable;
  notifications: NotificationTable;
  notification_preferences: NotificationPreferenceTable;
  notification_digest_runs: NotificationDigestRunTable;
  access_requests: AccessRequestTable;
  whole_site_grants: WholeSiteGrantTable;
  download_roles: DownloadRoleTable;
  collections: CollectionTable;
  collection_members: CollectionMemberTable;
  collection_studies: CollectionStudyTable;
  upload_sessions: UploadSessionTable;
  upload_chunks: UploadChunkTable;
  hub_write_checks: HubWriteCheckTable;
  rate_limits: RateLimitTable;
  sign_in_failures: SignInFailureTable;
  invitations: InvitationTable;
  password_resets: PasswordResetTable;
  audit_events: AuditEventTable;
  mails: MailTable;
  guest_links: GuestLinkTable;
  guest_access: GuestAccessTable;
  guest_sessions: GuestSessionTable;
  studies: StudyTable;
  study_terms: StudyTermTable;
  study_modalities: StudyModalityTable;
  guest_link_studies: GuestLinkStudyTable;
  shares: ShareTable;
  operations: OperationTable;
  changes: ChangeTable;
  study_files: StudyFileTable;
  accounts: AccountTable;
  roles: RoleTable;
  comments: CommentTable;
  comment_edits: CommentEditTable;
  comment_mentions: CommentMentionTable;
  users: UserTable;
  sessions: SessionTable;
  locations: LocationTable;
  groups: GroupTable;
  location_members: MembershipTable;
  group_members: MembershipTable;
  worklists: WorklistTable;
}
