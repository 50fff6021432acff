/**
 * A DICOM instance's bytes de-identified for a viewer who sees its study de-identified
 * (visibility rule 14), with dcmjs: parsed (dcmjs.data.DicomMessage), cleaned, written back.
 * PS3.15 basic application level confidentiality profile, as far as a viewer needs:
 * - dcmjs's own basic-profile list (dcmjs.anonymizer.cleanTags: names, IDs, dates, institution,
 *   physicians, descriptions, comments…) emptied, plus the newer keywords its list spells in an
 *   older form (EXTRA_KEYWORDS);
 * - at every depth (sequences too): every person name, date, date-time and time emptied, every
 *   private element removed, and every UID not of the standard mapped within its study
 *   (pseudonyms.ts), the file meta's Media Storage SOP Instance UID included — so series and
 *   instances still group and the same instance fetched twice has the same UIDs;
 * - Patient's Name and ID replaced by the study's pseudonym; Patient Identity Removed YES and
 *   the method named (0012,0062/0063).
 * Pixel Data is left as it is: text burned into the pixels is not found here (out of scope,
 * docs/architecture.md). A file dcmjs cannot read is refused (`DeidentifyError`), never sent
 * as it is.
 */
import { createRequire } from 'node:module';
import { mapUid, pseudonymName, pseudonymPatientId, type StudyKey } from './pseudonyms';

interface Element {
  vr: string;
  Value?: unknown[];
  _rawValue?: unknown;
}
type Dict = Record<string, Element>;

const PIXEL_DATA = '7FE00010';
const PATIENT_NAME = '00100010';
const PATIENT_ID = '00100020';
const MEDIA_STORAGE_SOP_INSTANCE_UID = '00020003';

/** Basic-profile attributes dcmjs's list names by older keywords (so its lookup misses them). */
const EXTRA_KEYWORDS = [
  'OtherPatientIDsSequence',
  'ReferencedPatientSequence',
  'ReferencedStudySequence',
  'ReferencedPerformedProcedureStepSequence',
  'ReferringPhysicianIdentificationSequence',
  'PhysiciansOfRecordIdentificationSequence',
  'PerformingPhysicianIdentificationSequence',
  'PhysiciansReadingStudyIdentificationSequence',
  'OperatorIdentificationSequence',
  'RequestAttributesSequence',
  'IssuerOfPatientIDQualifiersSequence',
  'PatientInsurancePlanCodeSequence',
  'ReferencedPatientAliasSequence',
  'InstitutionCodeSequence',
  'InstitutionalDepartmentTypeCodeSequence',
  'StationName',
  'DeviceSerialNumber',
  'PatientTelephoneNumbers',
  'PatientAge',
  'PatientSize',
  'PatientWeight',
  'PatientAddress',
];

/** The part of dcmjs this module uses (dcmjs ships no type declarations). */
interface Dcmjs {
  readonly data: {
    readonly DicomMessage: { readFile(buffer: ArrayBuffer): { meta: Dict; dict: Dict; write(): ArrayBuffer } };
    readonly DicomMetaDictionary: { readonly nameMap: Record<string, { tag: string } | undefined> };
  };
  readonly anonymizer: { cleanTags(dict: Dict, replace: Record<string, string>, names: readonly string[]): void; getTagsNameToEmpty(): string[] };
}

// dcmjs is CommonJS without an ESM-detectable export list: required as part10-dcmjs.ts does.
const dcmjs = createRequire(import.meta.url)('dcmjs') as Dcmjs;

export class DeidentifyError extends Error {}

function tagOf(keyword: string): string | null {
  const entry = dcmjs.data.DicomMetaDictionary.nameMap[keyword];
  return entry === undefined ? null : entry.tag.replace(/[(),]/g, '').toUpperCase();
}

const EXTRA_TAGS = EXTRA_KEYWORDS.map(tagOf).filter((tag): tag is string => tag !== null);

function set(element: Element, value: unknown[]): void {
  element.Value = value;
  delete element._rawValue;
}

/** The walk at every depth: private elements out; names, dates and times emptied; UIDs mapped. */
function clean(dict: Dict, study: StudyKey): void {
  for (const [tag, element] of Object.entries(dict)) {
    if (Number.parseInt(tag.slice(0, 4), 16) % 2 === 1) {
      delete dict[tag];
      continue;
    }
    if (tag === PIXEL_DATA) continue;
    switch (element.vr) {
      case 'PN':
      case 'DA':
      case 'DT':
      case 'TM':
        set(element, []);
        break;
      case 'UI':
        set(element, (element.Value ?? []).map((uid) => (typeof uid === 'string' ? mapUid(study, uid) : uid)));
        break;
      case 'SQ':
        for (const item of (element.Value ?? []) as Dict[]) clean(item, study);
        break;
      default:
        break;
    }
  }
}

export function deidentifyDicom(bytes: Uint8Array, study: StudyKey): Buffer {
  let file: { meta: Dict; dict: Dict; write: () => ArrayBuffer };
  try {
    const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    file = dcmjs.data.DicomMessage.readFile(copy);
  } catch {
    throw new DeidentifyError('This instance could not be read to be de-identified, so it is not shown.');
  }
  const { meta, dict } = file;
  // dcmjs's basic-profile list first (top level), then the walk at every depth.
  dcmjs.anonymizer.cleanTags(dict, {}, dcmjs.anonymizer.getTagsNameToEmpty());
  for (const tag of EXTRA_TAGS) if (dict[tag] !== undefined) set(dict[tag], []);
  clean(dict, study);
  if (meta[MEDIA_STORAGE_SOP_INSTANCE_UID] !== undefined) set(meta[MEDIA_STORAGE_SOP_INSTANCE_UID], (meta[MEDIA_STORAGE_SOP_INSTANCE_UID].Value ?? []).map((uid) => mapUid(study, String(uid))));
  dict[PATIENT_NAME] = { vr: 'PN', Value: [{ Alphabetic: pseudonymName(study).replace(' ', '^') }] };
  dict[PATIENT_ID] = { vr: 'LO', Value: [pseudonymPatientId(study)] };
  dict['00120062'] = { vr: 'CS', Value: ['YES'] };
  dict['00120063'] = { vr: 'LO', Value: ['PS3.15 Basic Profile (Studyshare, dcmjs)'] };
  try {
    return Buffer.from(file.write());
  } catch {
    throw new DeidentifyError('This instance could not be written de-identified, so it is not shown.');
  }
}
