/**
 * The one module every route imports to answer a viewer who sees a study de-identified
 * (visibility rule 14, `view-deidentified`): whether it must, and the study's key to do it with.
 * Lists, search, details, the viewer's manifest and the instances the viewer fetches all go
 * through here, so one rule decides and one set of keyed hashes answers:
 * - row fields: deidentify-study.ts;
 * - DICOM bytes: deidentify-dicom.ts (dcmjs);
 * - pseudonyms and UIDs: pseudonyms.ts, keyed by the hub's own key (deidentify-key.ts).
 */
import type { Kysely, Transaction } from 'kysely';
import type { StudyAccess } from '../../shared/permissions/visibility';
import type { HubDatabase } from '../db/schema';
import { deidentifyKey } from './deidentify-key';
import type { StudyKey } from './pseudonyms';

export { deidentifyDicom, DeidentifyError } from './deidentify-dicom';
export { deidentifyManifest, deidentifySeries, deidentifySummary } from './deidentify-study';
export { mapUid, pseudonymName, type StudyKey } from './pseudonyms';
export { isSealedCursorValue, openCursorValue, sealCursorValue } from './sealed-cursor';
export { deidentifyKey } from './deidentify-key';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

/** True when this access shows the study de-identified only (never together with `view`). */
export function seenDeidentified(access: Pick<StudyAccess, 'actions'>): boolean {
  return access.actions.has('view-deidentified') && !access.actions.has('view');
}

/** The key a study's facts are de-identified with. */
export async function studyKey(db: Db, study: { readonly id: string; readonly account_id: string }): Promise<StudyKey> {
  return { key: await deidentifyKey(db), accountId: study.account_id, studyId: study.id };
}
