/**
 * For whom a delegate acts (issue 14, part 2): every change a case manager makes on a study of a
 * physician they act for is recorded as theirs, for that physician (`on_behalf_of`).
 *
 * How the client says for whom (decided here, documented in docs/architecture.md):
 * - an operation may name the physician (`forPhysicianId`): the worklist's doctor picker sends
 *   the chosen doctor. It must be an active physician the actor acts for who is on the study —
 *   otherwise the operation is refused, with why;
 * - without it ("All doctors"), the hub decides: the active physicians the actor acts for who
 *   are on the study; one → that one; several → the first by family name (the audit names one
 *   principal; the picker is how to choose another); none → the actor acts for themself.
 * Someone who acts for nobody always acts for themself (and naming a physician is refused).
 */
import type { Kysely, Transaction } from 'kysely';
import type { ViewerFacts } from '../../shared/permissions/visibility';
import type { HubDatabase } from '../db/schema';
import { HttpError } from '../http-error';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

export interface OnBehalfOf {
  readonly physicianId: string;
  /** The physician's own account, when they have one (audit_events.on_behalf_of references users). */
  readonly userId: string | null;
}

export async function onBehalfOf(db: Db, viewer: Pick<ViewerFacts, 'delegatedPhysicianIds'>, studyId: string, requested: string | null | undefined): Promise<OnBehalfOf | null> {
  const mine = [...(viewer.delegatedPhysicianIds ?? [])];
  if (mine.length === 0) {
    if (requested !== null && requested !== undefined) throw new HttpError(403, 'not-acting-for', 'You do not act for this physician.');
    return null;
  }
  let query = db
    .selectFrom('study_physicians as sp')
    .innerJoin('physicians as p', 'p.id', 'sp.physician_id')
    .select(['p.id', 'p.user_id'])
    .where('sp.study_id', '=', studyId)
    .where('p.active', '=', 1)
    .where('p.id', 'in', mine);
  if (requested !== null && requested !== undefined) {
    if (!mine.includes(requested)) throw new HttpError(403, 'not-acting-for', 'You do not act for this physician (any more).');
    query = query.where('p.id', '=', requested);
  }
  const found = await query.orderBy('p.family_name').orderBy('p.display_name').orderBy('p.id').limit(1).executeTakeFirst();
  if (found === undefined) {
    if (requested !== null && requested !== undefined) throw new HttpError(400, 'physician-not-on-study', 'This physician is not on this study: choose All doctors, or the doctor the study belongs to.');
    return null;
  }
  return { physicianId: found.id, userId: found.user_id };
}

/** The audit entry's fields for it. */
export const onBehalfFields = (who: OnBehalfOf | null) => ({ onBehalfOf: who?.userId ?? null, onBehalfOfPhysician: who?.physicianId ?? null });
