/**
 * A physician put on a study by hand (*associated*, Actions → Add physician…) and taken off again
 * (issue 14, part 3): one rule for the outbox operations (`physician.link` / `physician.unlink`,
 * server/sharing/operations.ts) and the direct route (server/routes/physicians.ts).
 *
 * Who may: whoever sees the study and may share it (studies.share; the same right that puts it on
 * someone's worklist). Which physician: one of the study's own site's directory (another site's
 * is unknown here, 404 — its ids are not probed across sites). Only *associated* links come off
 * by hand: referring and reading follow the files and the shares. A case manager's change is
 * recorded for the physician (`forPhysicianId`, server/physicians/acting-for.ts).
 */
import type { Transaction } from 'kysely';
import { studyAccess, type ViewerFacts } from '../../shared/permissions/visibility';
import { studyFacts } from '../access/access-facts';
import { recordAudit } from '../audit/audit-trail';
import { lockChangeFeed, recordChange } from '../db/change-feed';
import type { HubDatabase } from '../db/schema';
import { HttpError } from '../http-error';
import { onBehalfFields, onBehalfOf } from './acting-for';
import { linkStudyPhysician } from './physician-linking';
import { getPhysician } from './physicians-repository';

export interface HandLink {
  readonly studyId: string;
  readonly physicianId: string;
  readonly forPhysicianId?: string | null;
  readonly actorId: string;
  readonly at: string;
}

const studyNotFound = () => new HttpError(404, 'study-not-found', 'This study is not on the hub, or you cannot see it.');

/** The study, when the viewer sees it and may share it; else why not. */
async function shareableStudy(trx: Transaction<HubDatabase>, viewer: ViewerFacts, studyId: string) {
  const study = await trx.selectFrom('studies').select(['id', 'account_id', 'uploader_id', 'private']).where('id', '=', studyId).executeTakeFirst();
  const access = study === undefined ? null : studyAccess(await studyFacts(trx, study), viewer);
  if (study === undefined || access === null || !access.actions.has('view')) throw studyNotFound();
  if (!access.actions.has('share')) throw new HttpError(403, 'forbidden', 'Your role does not allow adding or removing physicians on studies.');
  return study;
}

/** Adds `physicianId` as associated; `{ added: false }` when it was on the study that way already. */
export async function linkByHand(trx: Transaction<HubDatabase>, viewer: ViewerFacts, link: HandLink): Promise<{ added: boolean; studyId: string }> {
  const study = await shareableStudy(trx, viewer, link.studyId);
  await getPhysician(trx, study.account_id, link.physicianId);
  const behalf = await onBehalfOf(trx, viewer, study.id, link.forPhysicianId);
  await lockChangeFeed(trx);
  const added = await linkStudyPhysician(trx, { studyId: study.id, physicianId: link.physicianId, relation: 'associated', source: 'manual', at: link.at, createdBy: link.actorId, onBehalfOf: behalf?.physicianId ?? null });
  if (!added) return { added: false, studyId: study.id };
  await recordChange(trx, study.id, link.at);
  await recordAudit(trx, { at: link.at, accountId: study.account_id, studyId: study.id, trail: 'study', actorId: link.actorId, action: 'physician.link', detail: { physician: link.physicianId, relation: 'associated' }, ...onBehalfFields(behalf) });
  return { added: true, studyId: study.id };
}

/** Takes an associated link off; `{ removed: false }` when there was none (already taken off). */
export async function unlinkByHand(trx: Transaction<HubDatabase>, viewer: ViewerFacts, link: HandLink): Promise<{ removed: boolean; studyId: string }> {
  const study = await shareableStudy(trx, viewer, link.studyId);
  await getPhysician(trx, study.account_id, link.physicianId);
  // Recorded for the doctor chosen, checked before the link goes (the physician may be the one leaving).
  const behalf = await onBehalfOf(trx, viewer, study.id, link.forPhysicianId);
  const other = await trx.selectFrom('study_physicians').select('relation').where('study_id', '=', study.id).where('physician_id', '=', link.physicianId).where('relation', '!=', 'associated').executeTakeFirst();
  await lockChangeFeed(trx);
  const result = await trx.deleteFrom('study_physicians').where('study_id', '=', study.id).where('physician_id', '=', link.physicianId).where('relation', '=', 'associated').executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) {
    if (other !== undefined) throw new HttpError(409, 'not-associated', 'This physician is on the study from its DICOM data or a share, not added by hand: it cannot be taken off here.');
    return { removed: false, studyId: study.id };
  }
  await recordChange(trx, study.id, link.at);
  await recordAudit(trx, { at: link.at, accountId: study.account_id, studyId: study.id, trail: 'study', actorId: link.actorId, action: 'physician.unlink', detail: { physician: link.physicianId, relation: 'associated' }, ...onBehalfFields(behalf) });
  return { removed: true, studyId: study.id };
}
