/**
 * Keyed hashes (HMAC-SHA-256 with the hub's key, deidentify-key.ts) that stand in for what
 * identifies a study: its pseudonym ("Anonymous 7F3A", stable per study and site), a patient ID
 * of the same origin, and each UID mapped within its study — the same UID of the same study
 * always maps to the same new one, so series and instances still group, while without the key
 * nothing leads back. New UIDs are under 2.25 (a UUID-derived root: PS3.5 B.2), at most 44
 * characters. UIDs of the DICOM standard itself (SOP classes, transfer syntaxes: 1.2.840.10008.*)
 * name no patient and are kept.
 */
import { createHmac } from 'node:crypto';

function hmac(key: Buffer, ...parts: readonly string[]): string {
  return createHmac('sha256', key).update(parts.join('\u0000')).digest('hex');
}

/** The study's site and id: what a pseudonym is stable for. */
export interface StudyKey {
  readonly key: Buffer;
  readonly accountId: string;
  readonly studyId: string;
}

/** Four hexadecimal digits, upper case: "7F3A". */
export function pseudonymCode(study: StudyKey): string {
  return hmac(study.key, 'pseudonym', study.accountId, study.studyId).slice(0, 4).toUpperCase();
}

/** What lists and the viewer show for the patient's name: "Anonymous 7F3A". */
export function pseudonymName(study: StudyKey): string {
  return `Anonymous ${pseudonymCode(study)}`;
}

/** The patient ID shown instead: "ANON-7F3A" and four more digits of the same hash. */
export function pseudonymPatientId(study: StudyKey): string {
  return `ANON-${hmac(study.key, 'pseudonym', study.accountId, study.studyId).slice(0, 8).toUpperCase()}`;
}

const STANDARD_UID = /^1\.2\.840\.10008\./;

/** A UID of the study mapped to its stand-in (standard UIDs and empty values unchanged). */
export function mapUid(study: StudyKey, uid: string | null | undefined): string {
  const trimmed = (uid ?? '').replace(/\0+$/, '').trim();
  if (trimmed === '' || STANDARD_UID.test(trimmed)) return trimmed;
  return `2.25.${BigInt(`0x${hmac(study.key, 'uid', study.studyId, trimmed).slice(0, 32)}`).toString()}`;
}
