/**
 * Access requests in the hub's tables (migration 0220). Asking needs only a session and a study
 * the asker cannot see; answering is for the study's uploader and its site's admins. An approval
 * is an ordinary direct share to the requester (made here as share.create would, in the same
 * transaction as the answer, with both on the study's trail), so it is removed like any other.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AccessRequestView } from '../../shared/hub-api/access-requests';
import { studyAccess, type ViewerFacts } from '../../shared/permissions/visibility';
import type { StudySummary } from '../../shared/types/study';
import { studyFacts, viewerFacts } from '../access/access-facts';
import { recordAudit } from '../audit/audit-trail';
import { onBehalfFields, onBehalfOf } from '../physicians/acting-for';
import type { Actor } from '../auth/sessions';
import { lockChangeFeed, recordChange } from '../db/change-feed';
import type { HubDatabase } from '../db/schema';
import { HttpError } from '../http-error';
import { notify } from '../notifications/notify';
import { siteAdminIds } from '../notifications/recipients';

const NOT_FOUND = new HttpError(404, 'not-found', 'This study is not on the hub (any more).');

/** How an answerer knows the study: description, date, accession (never the patient's name in a list a requester also reads). */
function studyLabel(summary: string): string {
  const study = JSON.parse(summary) as StudySummary;
  return [study.studyDescription, study.studyDate, study.accessionNumber].filter((part) => part !== null && part !== '').join(' · ') || 'A study';
}

type Row = { id: string; study_id: string; requester_id: string; message: string; created_at: string; decision: 'approved' | 'denied' | null; decided_at: string | null; name: string; email: string; summary: string };

function view(row: Row, showStudy: boolean): AccessRequestView {
  return {
    id: row.id,
    studyId: row.study_id,
    study: showStudy ? studyLabel(row.summary) : 'A study you cannot see yet',
    requester: { id: row.requester_id, name: row.name, email: row.email },
    message: row.message,
    createdAt: row.created_at,
    decision: row.decision,
    decidedAt: row.decided_at,
  };
}

const rows = (db: Kysely<HubDatabase>) =>
  db
    .selectFrom('access_requests as r')
    .innerJoin('users as u', 'u.id', 'r.requester_id')
    .innerJoin('studies as s', 's.id', 'r.study_id')
    .select(['r.id', 'r.study_id', 'r.requester_id', 'r.message', 'r.created_at', 'r.decision', 'r.decided_at', 'u.name', 'u.email', 's.summary']);

async function studyWithAccess(db: Kysely<HubDatabase>, viewer: ViewerFacts, studyId: string) {
  const study = await db.selectFrom('studies').select(['id', 'account_id', 'uploader_id', 'private']).where('id', '=', studyId).executeTakeFirst();
  if (study === undefined) throw NOT_FOUND;
  return { study, sees: studyAccess(await studyFacts(db, study), viewer).actions.has('view') };
}

export async function requestAccess(db: Kysely<HubDatabase>, actor: Actor, viewer: ViewerFacts, studyId: string, message: string, at: string): Promise<AccessRequestView> {
  const { study, sees } = await studyWithAccess(db, viewer, studyId);
  if (sees) throw new HttpError(409, 'already-visible', 'You can already see this study.');
  const id = randomUUID();
  await db.transaction().execute(async (trx) => {
    // One open request per study and person (the index): asking again keeps the first.
    const inserted = await trx.insertInto('access_requests').values({ id, study_id: studyId, requester_id: actor.userId, message, created_at: at, decision: null, decided_by: null, decided_at: null, share_id: null }).onConflict((oc) => oc.doNothing()).executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) {
      await recordAudit(trx, { at, accountId: study.account_id, studyId, trail: 'study', actorId: actor.userId, action: 'access.request', detail: { request: id } });
      // Issue 16: whoever may answer (the uploader, the site's admins) is told.
      const answerers = new Set([study.uploader_id, ...(await siteAdminIds(trx, study.account_id))]);
      await notify(trx, [...answerers].map((userId) => ({ userId, kind: 'access-request.created' as const, actorId: actor.userId, studyId })), at);
    }
  });
  const row = await rows(db).where('r.study_id', '=', studyId).where('r.requester_id', '=', actor.userId).orderBy('r.created_at', 'desc').executeTakeFirstOrThrow();
  return view(row, false);
}

/** Whether this person answers requests for the study: its uploader, or an admin of its site. */
const answers = (actor: Actor, study: { account_id: string; uploader_id: string }) => study.uploader_id === actor.userId || (actor.accountId === study.account_id && actor.permissions.has('admin.users'));

export async function accessRequestsFor(db: Kysely<HubDatabase>, actor: Actor): Promise<{ incoming: AccessRequestView[]; mine: AccessRequestView[] }> {
  const admin = actor.accountId !== null && actor.permissions.has('admin.users');
  const delegated = actor.permissions.has('studies.share') ? [...((await viewerFacts(db, actor)).delegatedPhysicianIds ?? [])] : [];
  const incoming = await rows(db)
    .where('r.decision', 'is', null)
    .where((eb) => {
      const answered = [eb('s.uploader_id', '=', actor.userId)];
      if (admin) answered.push(eb('s.account_id', '=', actor.accountId));
      // Issue 14: requests for studies of the physicians a case manager acts for reach them too
      // (decideAccessRequest checks they may share the study before an answer counts).
      if (delegated.length > 0) answered.push(eb('s.id', 'in', eb.selectFrom('study_physicians as sp').select('sp.study_id').where('sp.physician_id', 'in', delegated)));
      return eb.or(answered);
    })
    .orderBy('r.created_at')
    .limit(200)
    .execute();
  const mine = await rows(db).where('r.requester_id', '=', actor.userId).orderBy('r.created_at', 'desc').limit(100).execute();
  return { incoming: incoming.map((row) => view(row, true)), mine: mine.map((row) => view(row, row.decision === 'approved')) };
}

export async function decideAccessRequest(db: Kysely<HubDatabase>, actor: Actor, requestId: string, approve: boolean, at: string): Promise<AccessRequestView> {
  // A case manager's answer is theirs, for the physician of the study they act for (issue 14).
  const viewer = await viewerFacts(db, actor);
  await db.transaction().execute(async (trx) => {
    const request = await trx.selectFrom('access_requests').selectAll().where('id', '=', requestId).executeTakeFirst();
    const study = request === undefined ? undefined : await trx.selectFrom('studies').select(['id', 'account_id', 'uploader_id', 'private']).where('id', '=', request.study_id).executeTakeFirst();
    if (request === undefined || study === undefined) throw new HttpError(404, 'not-found', 'No such request for a study of yours.');
    const behalf = await onBehalfOf(trx, viewer, study.id, undefined);
    // A case manager answers for a physician on the study when they may share it themselves (an approval is a share).
    if (!answers(actor, study) && (behalf === null || !studyAccess(await studyFacts(trx, study), viewer).actions.has('share'))) throw new HttpError(404, 'not-found', 'No such request for a study of yours.');
    const decision = approve ? 'approved' : 'denied';
    if (request.decision !== null) {
      if (request.decision === decision) return;
      throw new HttpError(409, 'already-decided', `This request was already ${request.decision}.`);
    }
    let shareId: string | null = null;
    if (approve) {
      // A direct share to the requester, as share.create makes it (one live share per study and person).
      await lockChangeFeed(trx);
      shareId = randomUUID();
      await trx
        .insertInto('shares')
        .values({ id: shareId, study_id: study.id, worklist_id: null, user_id: request.requester_id, shared_by: actor.userId, created_at: at, removed_at: null, removed_by: null, study_account_id: study.account_id, on_behalf_of_physician: behalf?.physicianId ?? null })
        .onConflict((oc) => oc.doNothing())
        .execute();
      const live = await trx.selectFrom('shares').select('id').where('study_id', '=', study.id).where('user_id', '=', request.requester_id).where('removed_at', 'is', null).executeTakeFirstOrThrow();
      if (live.id === shareId) await recordAudit(trx, { at, accountId: study.account_id, studyId: study.id, shareId, trail: 'study', actorId: actor.userId, action: 'share.create', detail: { target: 'person', accessRequest: requestId }, ...onBehalfFields(behalf) });
      shareId = live.id;
      await recordChange(trx, study.id, at);
    }
    await trx.updateTable('access_requests').set({ decision, decided_by: actor.userId, decided_at: at, share_id: shareId }).where('id', '=', requestId).where('decision', 'is', null).execute();
    await recordAudit(trx, { at, accountId: study.account_id, studyId: study.id, trail: 'study', actorId: actor.userId, action: 'access.decide', detail: { request: requestId, decision }, ...onBehalfFields(behalf) });
    // Issue 16: the requester learns the answer; a denial names no study (they cannot see it, and the inbox would hide it).
    await notify(trx, [{ userId: request.requester_id, kind: 'access-request.decided', actorId: actor.userId, ...(approve ? { studyId: study.id } : {}) }], at);
  });
  const row = await rows(db).where('r.id', '=', requestId).executeTakeFirstOrThrow();
  return view(row, true);
}
