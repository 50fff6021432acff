/**
 * The audit trail: who did what to which study, when, on whose behalf. Written in the same
 * transaction as the change it records, so there is no change without its event. Details hold
 * ids and options, never patient data: the trail is exported and mailed around.
 *
 * Three trails share one table: a study's (everything done to it by its site and the people it
 * was shared with inside the ecosystem), an external share's own (what its recipient did through
 * it, kept off the study's trail), and the site's (events about no study).
 */
import type { Kysely, Transaction } from 'kysely';
import type { AuditAction } from '../../shared/audit-actions';
import type { AuditEventView } from '../../shared/contract';
import type { ViewerFacts } from '../../shared/permissions/visibility';
import { studyVisibleSql } from '../access/visibility-sql';
import type { AuditEventTable, HubDatabase } from '../db/schema';
import { physicianLabel } from '../../shared/physicians/name-key';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

export interface AuditEntry {
  readonly at: string;
  readonly accountId: string;
  readonly studyId?: string | null;
  readonly shareId?: string | null;
  readonly trail: AuditEventTable['trail'];
  readonly actorId: string;
  readonly onBehalfOf?: string | null;
  /** The directory physician a case manager acted for (shown "… for Dr …"); see server/physicians/acting-for.ts. */
  readonly onBehalfOfPhysician?: string | null;
  readonly action: AuditAction;
  readonly detail?: Readonly<Record<string, string | number | boolean | null>>;
}

export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      at: entry.at,
      account_id: entry.accountId,
      study_id: entry.studyId ?? null,
      share_id: entry.shareId ?? null,
      trail: entry.trail,
      actor_id: entry.actorId,
      on_behalf_of: entry.onBehalfOf ?? null,
      on_behalf_of_physician: entry.onBehalfOfPhysician ?? null,
      action: entry.action,
      detail: JSON.stringify(entry.detail ?? {}),
    })
    .execute();
}

export interface AuditFilter {
  readonly accountId: string;
  readonly studyId?: string;
  readonly shareId?: string;
  readonly actorId?: string;
  readonly action?: AuditAction;
  /** ISO dates (YYYY-MM-DD), inclusive. */
  readonly from?: string;
  readonly to?: string;
  /** Events before this sequence number (paging backwards from the newest). */
  readonly before?: number;
  readonly limit: number;
}


/**
 * Whether the caller may read a study's trail: a study of their site (the trail is the site's)
 * that they may see — decided by the same SQL condition as every list, so an auditor who may not
 * see a private study cannot read what was done to it either. Their audit permission is checked
 * by the route before.
 */
export async function mayReadStudyTrail(db: Db, viewer: ViewerFacts, accountId: string, studyId: string): Promise<boolean> {
  const row = await db.selectFrom('studies').select('id').where('id', '=', studyId).where('account_id', '=', accountId).where(studyVisibleSql(viewer, 'studies')).executeTakeFirst();
  return row !== undefined;
}

/** The same for a share's own trail: a share of a study of their site that they may see. */
export async function mayReadShareTrail(db: Db, viewer: ViewerFacts, accountId: string, shareId: string): Promise<boolean> {
  const row = await db
    .selectFrom('shares')
    .innerJoin('studies', 'studies.id', 'shares.study_id')
    .select('shares.id')
    .where('shares.id', '=', shareId)
    .where('studies.account_id', '=', accountId)
    .where(studyVisibleSql(viewer, 'studies'))
    .executeTakeFirst();
  return row !== undefined;
}

/** Newest first. A study's trail leaves out what happened through its external shares. */
export async function queryAudit(db: Db, filter: AuditFilter): Promise<AuditEventView[]> {
  let query = db
    .selectFrom('audit_events as e')
    .innerJoin('users as actor', 'actor.id', 'e.actor_id')
    .leftJoin('users as principal', 'principal.id', 'e.on_behalf_of')
    // A case manager's principal is a directory physician (who may have no account): named from the directory.
    .leftJoin('physicians as principal_physician', 'principal_physician.id', 'e.on_behalf_of_physician')
    .leftJoin('studies', 'studies.id', 'e.study_id')
    // The share an event is about, named by its target: a worklist, or a person (an address until they register).
    .leftJoin('shares as share', 'share.id', 'e.share_id')
    .leftJoin('worklists as target_list', 'target_list.id', 'share.worklist_id')
    .leftJoin('users as target_user', 'target_user.id', 'share.user_id')
    .select([
      'e.seq',
      'e.at',
      'e.action',
      'e.trail',
      'e.study_id',
      'e.share_id',
      'e.detail',
      'e.on_behalf_of',
      'actor.id as actor_id',
      'actor.name as actor_name',
      'actor.email as actor_email',
      'principal.name as principal_name',
      'e.on_behalf_of_physician',
      'principal_physician.display_name as principal_physician_name',
      'studies.study_uid',
      'studies.patient_name',
      'studies.accession_number',
      'studies.study_date',
      'target_list.name as target_list_name',
      'target_user.name as target_user_name',
    ])
    .where('e.account_id', '=', filter.accountId);
  if (filter.studyId !== undefined) query = query.where('e.study_id', '=', filter.studyId).where('e.trail', '=', 'study');
  if (filter.shareId !== undefined) query = query.where('e.share_id', '=', filter.shareId);
  if (filter.actorId !== undefined) query = query.where('e.actor_id', '=', filter.actorId);
  if (filter.action !== undefined) query = query.where('e.action', '=', filter.action);
  if (filter.from !== undefined) query = query.where('e.at', '>=', filter.from);
  // `to` is a day: everything before the next midnight.
  if (filter.to !== undefined) query = query.where('e.at', '<', `${filter.to}T99`);
  if (filter.before !== undefined) query = query.where('e.seq', '<', filter.before);
  const rows = await query.orderBy('e.seq', 'desc').limit(filter.limit).execute();
  return rows.map((row) => ({
    seq: row.seq,
    at: row.at,
    action: row.action,
    trail: row.trail,
    actor: { id: row.actor_id, name: row.actor_name, email: row.actor_email },
    onBehalfOf:
      row.on_behalf_of_physician !== null
        ? { id: row.on_behalf_of_physician, name: physicianLabel(row.principal_physician_name ?? '') }
        : row.on_behalf_of === null
          ? null
          : { id: row.on_behalf_of, name: row.principal_name ?? '' },
    studyId: row.study_id,
    studyUid: row.study_uid,
    // '' is how the search columns store "none" (migration 0090).
    study: row.study_uid === null ? null : { patientName: row.patient_name || null, accessionNumber: row.accession_number || null, studyDate: row.study_date || null },
    shareId: row.share_id,
    target: row.target_list_name ?? row.target_user_name ?? null,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
  }));
}

/** RFC 4180 CSV; a cell that a spreadsheet would run as a formula is prefixed with a quote. */
export function auditCsv(events: readonly AuditEventView[]): string {
  const cell = (value: unknown): string => {
    let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  // The study by accession and date (and UID), not by the patient's name: an export travels (by
  // mail, to a shared drive) where the screen does not, and those identify the study to its site.
  const header = ['time', 'action', 'trail', 'actor', 'actor email', 'on behalf of', 'accession', 'study date', 'study instance uid', 'share id', 'target', 'detail'];
  const lines = events.map((e) =>
    [e.at, e.action, e.trail, e.actor.name, e.actor.email, e.onBehalfOf?.name ?? '', e.study?.accessionNumber ?? '', e.study?.studyDate ?? '', e.studyUid ?? '', e.shareId ?? '', e.target ?? '', Object.keys(e.detail).length === 0 ? '' : e.detail]
      .map(cell)
      .join(','),
  );
  return `${[header.join(','), ...lines].join('\r\n')}\r\n`;
}
