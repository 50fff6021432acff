/**
 * Guest links as the owning site manages them: made, listed per study, found and revoked. Who
 * may do each is decided by the visibility rules (shared/permissions/visibility.ts, rule 7) in
 * server/routes/guest-links.ts; this module holds only the SQL. A link's events go on the trail
 * of each study it opens (the study's own site's), whoever made or revoked it.
 */
import type { Kysely, Transaction } from 'kysely';
import { recordAudit } from '../audit/audit-trail';
import type { GuestLinkTable, HubDatabase } from '../db/schema';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

/** The rows the visibility rules need, for the studies a request names. */
export function studiesForLinks(db: Db, studyIds: readonly string[]) {
  return db.selectFrom('studies').select(['id', 'account_id', 'uploader_id', 'private', 'summary']).where('id', 'in', studyIds).execute();
}

/** The same patient's other studies in a site (a link's priors), excluding those already named. */
export async function priorStudies(db: Db, accountId: string, patientIds: ReadonlySet<string>) {
  if (patientIds.size === 0) return [];
  return db.selectFrom('studies').select(['id', 'account_id', 'uploader_id', 'private', 'summary']).where('account_id', '=', accountId).where('patient_id', 'in', [...patientIds]).execute();
}

export interface NewGuestLink {
  readonly link: GuestLinkTable;
  /** The site of each study the link opens: its events go on that study's trail. */
  readonly studies: readonly { readonly id: string; readonly accountId: string }[];
  readonly detail: Readonly<Record<string, string | number | boolean | null>>;
}

export async function insertGuestLink(db: Kysely<HubDatabase>, { link, studies, detail }: NewGuestLink): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('guest_links').values(link).execute();
    await trx.insertInto('guest_link_studies').values(studies.map((study) => ({ link_id: link.id, study_id: study.id }))).execute();
    // One event per study the link opens (the link's options, never its token).
    for (const study of studies) {
      await recordAudit(trx, { at: link.created_at, accountId: study.accountId, studyId: study.id, trail: 'study', actorId: link.created_by, action: 'guest-link.create', detail: { linkId: link.id, ...detail } });
    }
  });
}

/** A study's links, newest first: every link to it, or only those `createdBy` made. */
export function guestLinksOfStudy(db: Db, studyId: string, createdBy: string | null) {
  let query = db
    .selectFrom('guest_links')
    .innerJoin('guest_link_studies', 'guest_link_studies.link_id', 'guest_links.id')
    .selectAll('guest_links')
    .where('guest_link_studies.study_id', '=', studyId);
  if (createdBy !== null) query = query.where('guest_links.created_by', '=', createdBy);
  return query.orderBy('guest_links.created_at', 'desc').execute();
}

/** One link by id, with who made it and the studies it opens (whatever site made it). */
export function guestLinkById(db: Db, id: string) {
  return db.selectFrom('guest_links').select(['id', 'created_by', 'revoked_at', 'study_ids']).where('id', '=', id).executeTakeFirst();
}

/** Revokes a link (once), recording it on the trail of each study it opens. */
export async function revokeGuestLink(db: Kysely<HubDatabase>, linkId: string, studies: readonly { readonly id: string; readonly account_id: string }[], actorId: string, at: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const revoked = await trx.updateTable('guest_links').set({ revoked_at: at }).where('id', '=', linkId).where('revoked_at', 'is', null).executeTakeFirst();
    if (Number(revoked.numUpdatedRows) === 0) return;
    for (const study of studies) {
      await recordAudit(trx, { at, accountId: study.account_id, studyId: study.id, trail: 'study', actorId, action: 'guest-link.revoke', detail: { linkId } });
    }
  });
}
