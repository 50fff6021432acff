/**
 * A small DICOM Part 10 writer: encodes a data set in any of the uncompressed, deflated or
 * encapsulated transfer syntaxes, with or without preamble and meta header. It exists so that
 * tests, benchmarks and the demo site generate their files from code instead of shipping blobs.
 */
import { deflateRawSync } from 'node:zlib';
import { TRANSFER_SYNTAX } from '../../../shared/dicom/transfer-syntax';

export type Vr =
  | 'AE' | 'AS' | 'AT' | 'CS' | 'DA' | 'DS' | 'DT' | 'FD' | 'FL' | 'IS' | 'LO' | 'LT' | 'OB' | 'OD'
  | 'OF' | 'OL' | 'OV' | 'OW' | 'PN' | 'SH' | 'SL' | 'SQ' | 'SS' | 'ST' | 'SV' | 'TM' | 'UC' | 'UI'
  | 'UL' | 'UN' | 'UR' | 'US' | 'UT' | 'UV';

/** Encapsulated pixel data: an (empty) basic offset table and one fragment per frame. */
export interface Fragments {
  readonly fragments: readonly Uint8Array[];
}

export type ElementValue =
  | string
  | readonly string[]
  | Uint8Array
  | readonly number[]
  | readonly DataElement[][]
  | Fragments;

export interface DataElement {
  /** (group << 16) | element, e.g. 0x00100010 for PatientName. */
  readonly tag: number;
  readonly vr: Vr;
  readonly value: ElementValue;
}

export interface WriteOptions {
  readonly transferSyntaxUid: string;
  /** Write the 128-byte preamble and `DICM` (default true). */
  readonly preamble?: boolean;
  /** Write the group 0002 file meta information (default true). */
  readonly metaHeader?: boolean;
  /** Encodes text values; Latin-1 by default. Tests pass raw bytes for other character sets. */
  readonly encodeText?: (text: string) => Uint8Array;
}

const LONG_LENGTH_VRS = new Set<Vr>(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const UNDEFINED_LENGTH = 0xffffffff;
const PIXEL_DATA = 0x7fe00010;

class ByteSink {
  private chunks: Uint8Array[] = [];
  length = 0;
  constructor(readonly littleEndian: boolean) {}

  bytes(data: Uint8Array): void {
    this.chunks.push(data);
    this.length += data.length;
  }
  uint16(value: number): void {
    const data = new Uint8Array(2);
    new DataView(data.buffer).setUint16(0, value, this.littleEndian);
    this.bytes(data);
  }
  uint32(value: number): void {
    const data = new Uint8Array(4);
    new DataView(data.buffer).setUint32(0, value, this.littleEndian);
    this.bytes(data);
  }
  ascii(text: string): void {
    this.bytes(Uint8Array.from(text, (c) => c.charCodeAt(0)));
  }
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

interface Encoding {
  readonly explicit: boolean;
  readonly littleEndian: boolean;
  readonly encodeText: (text: string) => Uint8Array;
}

const latin1 = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));

function numbers(vr: Vr, values: readonly number[], littleEndian: boolean): Uint8Array {
  const size = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, AT: 4, OW: 2 }[vr as string];
  if (size === undefined) throw new Error(`numbers are not a value of VR ${vr}`);
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((value, i) => {
    const at = i * size;
    switch (vr) {
      case 'US':
      case 'OW':
        view.setUint16(at, value, littleEndian);
        break;
      case 'SS':
        view.setInt16(at, value, littleEndian);
        break;
      case 'UL':
        view.setUint32(at, value, littleEndian);
        break;
      case 'SL':
        view.setInt32(at, value, littleEndian);
        break;
      case 'FL':
        view.setFloat32(at, value, littleEndian);
        break;
      case 'FD':
        view.setFloat64(at, value, littleEndian);
        break;
      case 'AT':
        view.setUint16(at, value >>> 16, littleEndian);
        view.setUint16(at + 2, value & 0xffff, littleEndian);
        break;
    }
  });
  return out;
}

/** Pads to even length: NUL for UI and binary VRs, space for text (PS3.5 §6.2). */
function padded(data: Uint8Array, vr: Vr): Uint8Array {
  if (data.length % 2 === 0) return data;
  const out = new Uint8Array(data.length + 1);
  out.set(data);
  out[data.length] = vr === 'UI' || vr.startsWith('O') || vr === 'UN' ? 0x00 : 0x20;
  return out;
}

function isFragments(value: ElementValue): value is Fragments {
  return typeof value === 'object' && value !== null && 'fragments' in value;
}

function writeHeader(sink: ByteSink, tag: number, vr: Vr, length: number, encoding: Encoding): void {
  sink.uint16(tag >>> 16);
  sink.uint16(tag & 0xffff);
  if (!encoding.explicit) {
    sink.uint32(length);
    return;
  }
  sink.ascii(vr);
  if (!LONG_LENGTH_VRS.has(vr) && length > 0xffff) {
    throw new Error(`a ${vr} value of ${length} bytes does not fit its 16-bit length field`);
  }
  if (LONG_LENGTH_VRS.has(vr)) {
    sink.uint16(0);
    sink.uint32(length);
  } else {
    sink.uint16(length);
  }
}

function writeItemTag(sink: ByteSink, element: number, length: number): void {
  sink.uint16(0xfffe);
  sink.uint16(element);
  sink.uint32(length);
}

function valueBytes(element: DataElement, encoding: Encoding): Uint8Array {
  const { vr, value } = element;
  if (value instanceof Uint8Array) {
    if (vr === 'OW' && !encoding.littleEndian) {
      const swapped = new Uint8Array(value.length);
      for (let i = 0; i + 1 < value.length; i += 2) {
        swapped[i] = value[i + 1];
        swapped[i + 1] = value[i];
      }
      return padded(swapped, vr);
    }
    return padded(value, vr);
  }
  if (typeof value === 'string') return padded(encoding.encodeText(value), vr);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    return padded(encoding.encodeText((value as readonly string[]).join('\\')), vr);
  }
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) {
    return numbers(vr, value, encoding.littleEndian);
  }
  throw new Error(`cannot encode value of ${element.tag.toString(16)}`);
}

function writeElements(sink: ByteSink, elements: readonly DataElement[], encoding: Encoding): void {
  const sorted = [...elements].sort((a, b) => a.tag - b.tag);
  for (const element of sorted) {
    const { tag, vr, value } = element;
    if (vr === 'SQ') {
      // Undefined-length sequences and items, the form most modalities write.
      writeHeader(sink, tag, vr, UNDEFINED_LENGTH, encoding);
      for (const item of value as readonly DataElement[][]) {
        writeItemTag(sink, 0xe000, UNDEFINED_LENGTH);
        writeElements(sink, item, encoding);
        writeItemTag(sink, 0xe00d, 0);
      }
      writeItemTag(sink, 0xe0dd, 0);
      continue;
    }
    if (isFragments(value)) {
      writeHeader(sink, tag, vr, UNDEFINED_LENGTH, encoding);
      writeItemTag(sink, 0xe000, 0);
      for (const fragment of value.fragments) {
        const data = padded(fragment, 'OB');
        writeItemTag(sink, 0xe000, data.length);
        sink.bytes(data);
      }
      writeItemTag(sink, 0xe0dd, 0);
      continue;
    }
    const data = valueBytes(element, encoding);
    writeHeader(sink, tag, vr, data.length, encoding);
    sink.bytes(data);
  }
}

function stringOf(elements: readonly DataElement[], tag: number): string {
  const found = elements.find((e) => e.tag === tag)?.value;
  return typeof found === 'string' ? found : '';
}

/** Encodes one data set as a DICOM file (or bare data set when preamble and meta are off). */
export function encodeDicom(elements: readonly DataElement[], options: WriteOptions): Uint8Array {
  const ts = options.transferSyntaxUid;
  const explicit = ts !== TRANSFER_SYNTAX.implicitLittleEndian;
  const littleEndian = ts !== TRANSFER_SYNTAX.explicitBigEndian;
  const encoding: Encoding = { explicit, littleEndian, encodeText: options.encodeText ?? latin1 };
  const encapsulated = elements.find((e) => e.tag === PIXEL_DATA && isFragments(e.value)) !== undefined;
  if (encapsulated && !explicit) throw new Error('encapsulated pixel data needs an explicit VR transfer syntax');

  const body = new ByteSink(littleEndian);
  writeElements(body, elements, encoding);
  let dataSet = body.toBytes();
  if (ts === TRANSFER_SYNTAX.deflatedExplicitLittleEndian) dataSet = Uint8Array.from(deflateRawSync(dataSet));

  const out = new ByteSink(true);
  if (options.preamble ?? true) {
    out.bytes(new Uint8Array(128));
    out.ascii('DICM');
  }
  if (options.metaHeader ?? true) {
    const meta = new ByteSink(true);
    const metaEncoding: Encoding = { explicit: true, littleEndian: true, encodeText: latin1 };
    writeElements(
      meta,
      [
        { tag: 0x00020001, vr: 'OB', value: Uint8Array.of(0, 1) },
        { tag: 0x00020002, vr: 'UI', value: stringOf(elements, 0x00080016) },
        { tag: 0x00020003, vr: 'UI', value: stringOf(elements, 0x00080018) },
        { tag: 0x00020010, vr: 'UI', value: ts },
        { tag: 0x00020012, vr: 'UI', value: '1.2.826.0.1.3680043.10.1234.1' },
        { tag: 0x00020013, vr: 'SH', value: 'STUDYSHARE' },
      ],
      metaEncoding,
    );
    const metaBytes = meta.toBytes();
    writeElements(out, [{ tag: 0x00020000, vr: 'UL', value: [metaBytes.length] }], metaEncoding);
    out.bytes(metaBytes);
  }
  out.bytes(dataSet);
  return out.toBytes();
}
