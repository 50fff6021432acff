/**
 * Reads the header of one DICOM file (never its pixel data) into the attributes the study index
 * keeps. Accepts Part 10 files with or without the 128-byte preamble, bare data sets without
 * meta information, explicit and implicit VR, little and big endian, and deflated data sets.
 */
import { planCharacterSet, decodeText, type CharacterSetPlan } from '../../../shared/dicom/character-sets';
import { MEDIA_STORAGE_DIRECTORY_SOP_CLASS, TRANSFER_SYNTAX } from '../../../shared/dicom/transfer-syntax';
import { integerOrNull, isoDate, isoTime, personName, textOrNull, trimValue, uidOrNull } from '../../../shared/dicom/values';
import { BOMB_RATIO, BoundedInflater, DeflateError, MAX_HEADER_BYTES, MAX_INFLATED_HEADER_BYTES } from '../../../server/dicom/bounded-header';
import { dicomParser, type DataSet } from './dicom-parser';
import { ImportFileError } from './import-error';

export interface InstanceHeader {
  readonly transferSyntaxUid: string | null;
  readonly specificCharacterSet: string | null;
  readonly patient: {
    readonly name: string | null;
    readonly id: string | null;
    readonly issuer: string | null;
    readonly birthDate: string | null;
    readonly sex: string | null;
  };
  readonly study: {
    readonly uid: string;
    readonly date: string | null;
    readonly time: string | null;
    readonly accessionNumber: string | null;
    readonly description: string | null;
    readonly referringPhysicianName: string | null;
    /** Name of Physician(s) Reading Study (0008,1060): every value, each a PN, joined by `\`. */
    readonly readingPhysicianNames?: string | null;
    readonly institutionName: string | null;
    readonly studyId: string | null;
  };
  readonly series: {
    readonly uid: string;
    readonly modality: string | null;
    readonly number: number | null;
    readonly description: string | null;
    readonly bodyPart: string | null;
  };
  readonly instance: {
    readonly sopInstanceUid: string;
    readonly sopClassUid: string | null;
    readonly number: number | null;
    readonly rows: number | null;
    readonly columns: number | null;
    readonly frames: number | null;
  };
}

export type HeaderResult =
  | { readonly kind: 'instance'; readonly header: InstanceHeader }
  | { readonly kind: 'dicomdir' };

const PIXEL_DATA = 'x7fe00010';

/** Thrown inside parsing when the bytes at hand end before the header does. */
class NeedMoreBytes extends Error {}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  let text = '';
  for (let i = start; i < start + length && i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

const VR_PATTERN = /^(AE|AS|AT|CS|DA|DS|DT|FD|FL|IS|LO|LT|OB|OD|OF|OL|OV|OW|PN|SH|SL|SQ|SS|ST|SV|TM|UC|UI|UL|UN|UR|US|UT|UV)$/;

/**
 * A bare data set (no preamble, no meta) has to prove it is DICOM: its first element must be in
 * group 0008 (identifying) as every real-world one is, read in whichever byte order makes it so.
 */
function startBareDataSet(bytes: Uint8Array): DataSet {
  if (bytes.length < 8) throw new ImportFileError('not-dicom', 'Not a DICOM file: too short to hold a data set.');
  const groupLittle = bytes[0] | (bytes[1] << 8);
  const groupBig = (bytes[0] << 8) | bytes[1];
  const explicit = VR_PATTERN.test(ascii(bytes, 4, 2));
  let parser;
  if (groupLittle === 0x0008) parser = dicomParser.littleEndianByteArrayParser;
  else if (groupBig === 0x0008 && explicit) parser = dicomParser.bigEndianByteArrayParser;
  else throw new ImportFileError('not-dicom', 'Not a DICOM file: no DICM marker and no recognisable data set.');
  const dataSet = new dicomParser.DataSet(parser, bytes, {});
  dataSet.warnings = [];
  return dataSet;
}

/** Parses into `dataSet` (made by startBareDataSet), so what came before an error stays in it. */
function parseBareDataSet(dataSet: DataSet, bytes: Uint8Array): void {
  const stream = new dicomParser.ByteStream(dataSet.byteArrayParser, bytes, 0);
  if (VR_PATTERN.test(ascii(bytes, 4, 2))) dicomParser.parseDicomDataSetExplicit(dataSet, stream, bytes.length, { untilTag: PIXEL_DATA });
  else dicomParser.parseDicomDataSetImplicit(dataSet, stream, bytes.length, { untilTag: PIXEL_DATA });
}

/** dicom-parser throws strings, Errors, or `{ exception, dataSet }` wrappers around either. */
function parserMessage(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'exception' in error) return parserMessage(error.exception);
  return 'unreadable data set';
}

/**
 * How far the header could be read: `whole` (these bytes are the file, the data set ends in
 * them), `more` (more bytes may finish it), or `limit` (the bounded reader's limit was reached —
 * its last read, or a deflated data set inflating past its bound — so what was parsed is all
 * there will be).
 */
type Reach = 'whole' | 'more' | 'limit';

interface Parsed {
  readonly dataSet: DataSet;
  /** The data set was cut off by the limit: values running past the bytes are absent, not truncated. */
  readonly cutShort: boolean;
}

/** A data set cut off inside its elements still carries what came before (dicom-parser says so). */
function partialDataSet(error: unknown, part10: Uint8Array | null): DataSet | null {
  const partial = typeof error === 'object' && error !== null && 'dataSet' in error ? (error.dataSet as DataSet | undefined) : undefined;
  if (partial === undefined || Object.keys(partial.elements).length === 0) return null;
  if (part10 !== null) {
    // dicom-parser hands back the data set without the meta header it had read: add it again.
    try {
      Object.assign(partial.elements, dicomParser.readPart10Header(part10).elements);
    } catch {
      // no usable meta header: the data set alone
    }
  }
  return partial;
}

function parseDataSet(bytes: Uint8Array, complete: boolean, last: boolean, inflater: BoundedInflater): Parsed {
  let part10: Uint8Array | null = null;
  if (ascii(bytes, 128, 4) === 'DICM') part10 = bytes;
  else if (ascii(bytes, 0, 4) === 'DICM') {
    // Some writers drop the preamble but keep the marker: give the parser the layout it expects.
    part10 = new Uint8Array(128 + bytes.length);
    part10.set(bytes, 128);
  }
  let bare: DataSet | null = null;
  try {
    if (part10 === null) {
      bare = startBareDataSet(bytes);
      parseBareDataSet(bare, bytes);
      return { dataSet: bare, cutShort: false };
    }
    return { dataSet: dicomParser.parseDicom(part10, { untilTag: PIXEL_DATA, inflater: inflater.inflate }), cutShort: inflater.cut };
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    if (error instanceof DeflateError) throw new ImportFileError('corrupt', error.message);
    if (inflater.suspect) throw deflateBomb();
    const reach: Reach = inflater.cut || (!complete && last) ? 'limit' : complete ? 'whole' : 'more';
    if (reach === 'more') throw new NeedMoreBytes();
    if (reach === 'limit') {
      const partial = bare ?? partialDataSet(error, part10);
      if (partial !== null) return { dataSet: partial, cutShort: true };
      throw headerTooLong(inflater);
    }
    const message = parserMessage(error);
    if (/overrun|beyond|out of range|exceeds/i.test(message)) {
      throw new ImportFileError('truncated', 'The file is truncated: its data set ends before its last element.');
    }
    const detail = message.replace(/^dicomParser[.:]\s*/, '').replace(/[.\s]+$/, '');
    throw new ImportFileError('corrupt', `The DICOM data is corrupt and cannot be read (${detail}).`);
  }
}

function deflateBomb(): ImportFileError {
  return new ImportFileError('deflate-bomb', `The file is a deflate bomb: its data set inflates past ${MAX_INFLATED_HEADER_BYTES / 1024 ** 2} MiB at more than ${BOMB_RATIO}:1 before any image data.`);
}

function headerTooLong(inflater: BoundedInflater, missing?: string): ImportFileError {
  const bound = inflater.cut ? `inflates past ${MAX_INFLATED_HEADER_BYTES / 1024 ** 2} MiB` : `runs past ${MAX_HEADER_BYTES / 1024 ** 2} MiB`;
  return new ImportFileError('header-too-long', `The file's header ${bound}${missing === undefined ? '' : ` without its ${missing}`}; a header that long is not read further.`);
}

/** Raw value bytes of a top-level element, or null when absent or empty. */
function valueBytes(dataSet: DataSet, tag: string): Uint8Array | null {
  const element = dataSet.elements[tag];
  if (element === undefined || element.length === 0 || element.length === 0xffffffff) return null;
  const end = element.dataOffset + element.length;
  if (end > dataSet.byteArray.length) throw new NeedMoreBytes();
  return dataSet.byteArray.subarray(element.dataOffset, end);
}

function asciiValue(dataSet: DataSet, tag: string): string | null {
  const bytes = valueBytes(dataSet, tag);
  return bytes === null ? null : textOrNull(ascii(bytes, 0, bytes.length));
}

function unsignedShort(dataSet: DataSet, tag: string): number | null {
  const bytes = valueBytes(dataSet, tag);
  if (bytes === null || bytes.length < 2) return null;
  return dataSet.byteArrayParser.readUint16(bytes, 0);
}

/**
 * Reads the header attributes out of a parsed data set. Throws NeedMoreBytes when cut short by
 * the bytes at hand; `inflater` says whether the limit cut it (then it is all there will be).
 */
function extract({ dataSet, cutShort }: Parsed, complete: boolean, fileSize: number, inflater: BoundedInflater): HeaderResult {
  const pixelData = dataSet.elements[PIXEL_DATA];
  if (inflater.suspect && pixelData === undefined) throw deflateBomb();
  if (!complete && !cutShort && pixelData === undefined) throw new NeedMoreBytes();
  if (pixelData !== undefined && !pixelData.hadUndefinedLength) {
    // Offsets of a deflated data set count inflated bytes, so only a whole one can be measured.
    const deflated = asciiValue(dataSet, 'x00020010') === TRANSFER_SYNTAX.deflatedExplicitLittleEndian;
    const available = complete && !inflater.cut ? dataSet.byteArray.length : deflated ? Infinity : fileSize;
    if (pixelData.dataOffset + pixelData.length > available) {
      throw new ImportFileError('truncated', 'The file is truncated: its pixel data ends past the end of the file.');
    }
  }
  const mediaClass = asciiValue(dataSet, 'x00020002');
  if (mediaClass === MEDIA_STORAGE_DIRECTORY_SOP_CLASS || dataSet.elements.x00041220 !== undefined) {
    return { kind: 'dicomdir' };
  }

  const charsetRaw = asciiValue(dataSet, 'x00080005');
  const plan: CharacterSetPlan = planCharacterSet(charsetRaw === null ? [] : charsetRaw.split('\\'));
  const text = (tag: string): string | null => {
    const bytes = valueBytes(dataSet, tag);
    return bytes === null ? null : textOrNull(decodeText(bytes, plan));
  };
  // Multi-valued SH/LO: keep the first value, the one every viewer shows.
  const firstText = (tag: string): string | null => textOrNull(text(tag)?.split('\\')[0]);
  const name = (tag: string): string | null => {
    const bytes = valueBytes(dataSet, tag);
    return bytes === null ? null : personName(decodeText(bytes, plan, true).split('\\')[0]);
  };
  // 0008,1060 is multi-valued by design (several readers): keep every value, not just the first.
  const names = (tag: string): string | null => {
    const bytes = valueBytes(dataSet, tag);
    if (bytes === null) return null;
    const values = decodeText(bytes, plan, true)
      .split('\\')
      .map((value) => personName(value))
      .filter((value): value is string => value !== null);
    // The hub takes up to 1000 characters: keep whole names that fit, never half of one.
    let joined = '';
    for (const value of values) {
      const next = joined === '' ? value : `${joined}\\${value}`;
      if (next.length > 1000) break;
      joined = next;
    }
    return joined === '' ? null : joined;
  };
  const requiredUid = (tag: string, label: string): string => {
    const raw = asciiValue(dataSet, tag);
    const uid = uidOrNull(raw);
    if (uid === null && raw === null && cutShort) throw headerTooLong(inflater, label);
    if (uid === null) {
      throw new ImportFileError(
        'missing-uid',
        raw === null ? `The file has no ${label}.` : `The file's ${label} is not a valid UID.`,
      );
    }
    return uid;
  };

  const sex = asciiValue(dataSet, 'x00100040')?.toUpperCase() ?? null;
  const modality = asciiValue(dataSet, 'x00080060')?.toUpperCase() ?? null;
  return {
    kind: 'instance',
    header: {
      transferSyntaxUid: uidOrNull(asciiValue(dataSet, 'x00020010')),
      specificCharacterSet: charsetRaw,
      patient: {
        name: name('x00100010'),
        id: firstText('x00100020'),
        issuer: firstText('x00100021'),
        birthDate: isoDate(asciiValue(dataSet, 'x00100030')),
        sex: sex === null ? null : trimValue(sex).slice(0, 16),
      },
      study: {
        uid: requiredUid('x0020000d', 'Study Instance UID (0020,000D)'),
        date: isoDate(asciiValue(dataSet, 'x00080020')),
        time: isoTime(asciiValue(dataSet, 'x00080030')),
        accessionNumber: firstText('x00080050'),
        description: firstText('x00081030'),
        referringPhysicianName: name('x00080090'),
        readingPhysicianNames: names('x00081060'),
        institutionName: firstText('x00080080'),
        studyId: firstText('x00200010'),
      },
      series: {
        uid: requiredUid('x0020000e', 'Series Instance UID (0020,000E)'),
        modality: modality === null ? null : modality.split('\\')[0].slice(0, 16),
        number: integerOrNull(asciiValue(dataSet, 'x00200011')),
        description: firstText('x0008103e'),
        bodyPart: asciiValue(dataSet, 'x00180015'),
      },
      instance: {
        sopInstanceUid: requiredUid('x00080018', 'SOP Instance UID (0008,0018)'),
        sopClassUid: uidOrNull(asciiValue(dataSet, 'x00080016')),
        number: integerOrNull(asciiValue(dataSet, 'x00200013')),
        rows: unsignedShort(dataSet, 'x00280010'),
        columns: unsignedShort(dataSet, 'x00280011'),
        frames: integerOrNull(asciiValue(dataSet, 'x00280008')),
      },
    },
  };
}

/**
 * Parses header bytes: the first `bytes.length` bytes of a file of `fileSize` bytes. When they
 * are not the whole file and the header runs past them, returns null so the caller can read more.
 */
export function parseInstanceHeader(bytes: Uint8Array, fileSize: number = bytes.length, last: boolean = bytes.length >= fileSize): HeaderResult | null {
  if (fileSize === 0) throw new ImportFileError('empty-file', 'The file is empty.');
  const complete = bytes.length >= fileSize;
  // A new one per parse: it records whether this parse hit the inflation bound.
  const inflater = new BoundedInflater();
  let parsed: Parsed | null = null;
  try {
    parsed = parseDataSet(bytes, complete, last, inflater);
    return extract(parsed, complete, fileSize, inflater);
  } catch (error) {
    if (error instanceof NeedMoreBytes) {
      if (parsed?.cutShort === true || inflater.cut || (last && !complete)) throw headerTooLong(inflater);
      if (!complete) return null;
      throw new ImportFileError('truncated', 'The file is truncated: an element runs past the end of the file.');
    }
    throw error;
  }
}
