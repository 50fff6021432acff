/**
 * The Part 10 preamble and File Meta Information (PS3.10 §7.1) put in front of a data set
 * received over the network, so that what lands in the library is a file any DICOM reader opens.
 *
 * Why not dcmjs here: encoding these six elements through dcmjs's naturalised data set cost
 * 1.4 ms per instance (measured), which alone would cap the listener under 700 instances/s.
 * Group 0002 is always explicit VR little endian, and its elements are short strings and one
 * OB, so they are laid out directly; the test checks the bytes against dcmjs's encoding.
 */
export const IMPLEMENTATION_CLASS_UID = '1.2.826.0.1.3680043.10.1234.1';
export const IMPLEMENTATION_VERSION = 'STUDYSHARE';

export interface MetaFacts {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  readonly sourceAeTitle: string;
}

/** One explicit-VR little-endian element with a short (16-bit) length: UI, SH, AE, UL. */
function shortElement(element: number, vr: 'UI' | 'SH' | 'AE' | 'UL', value: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16LE(0x0002, 0);
  header.writeUInt16LE(element, 2);
  header.write(vr, 4, 'latin1');
  header.writeUInt16LE(value.length, 6);
  return Buffer.concat([header, value]);
}

/** Text padded to even length: UIDs with NUL, other strings with a space (PS3.5 §6.2). */
function text(value: string, pad: '\0' | ' '): Buffer {
  return Buffer.from(value.length % 2 === 0 ? value : value + pad, 'latin1');
}

export function part10Header(facts: MetaFacts): Buffer {
  // (0002,0001) OB: explicit VR with a 32-bit length after two reserved bytes.
  const version = Buffer.from([0x02, 0x00, 0x01, 0x00, 0x4f, 0x42, 0, 0, 2, 0, 0, 0, 0x00, 0x01]);
  const parts = [
    version,
    shortElement(0x0002, 'UI', text(facts.sopClassUid, '\0')),
    shortElement(0x0003, 'UI', text(facts.sopInstanceUid, '\0')),
    shortElement(0x0010, 'UI', text(facts.transferSyntaxUid, '\0')),
    shortElement(0x0012, 'UI', text(IMPLEMENTATION_CLASS_UID, '\0')),
    shortElement(0x0013, 'SH', text(IMPLEMENTATION_VERSION, ' ')),
  ];
  if (facts.sourceAeTitle !== '') parts.push(shortElement(0x0016, 'AE', text(facts.sourceAeTitle, ' ')));
  const group = Buffer.concat(parts);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(group.length, 0);
  const preamble = Buffer.alloc(132);
  preamble.write('DICM', 128, 'latin1');
  return Buffer.concat([preamble, shortElement(0x0000, 'UL', groupLength), group]);
}

export interface ReadMeta {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  /** Where the data set starts in the file (after the preamble and group 0002). */
  readonly dataSetOffset: number;
}

/**
 * The File Meta Information of a Part 10 file, read from its first bytes (group 0002 is always
 * explicit VR little endian): what a send needs to propose and address the instance without
 * parsing the data set. Null when the file has no usable meta (the caller parses it whole).
 */
export function readPart10Meta(head: Buffer): ReadMeta | null {
  if (head.length < 144 || head.toString('latin1', 128, 132) !== 'DICM') return null;
  if (head.readUInt16LE(132) !== 0x0002 || head.readUInt16LE(134) !== 0x0000 || head.toString('latin1', 136, 138) !== 'UL') return null;
  const end = 144 + head.readUInt32LE(140);
  if (end > head.length) return null;
  const values = new Map<number, string>();
  let offset = 144;
  while (offset + 8 <= end) {
    if (head.readUInt16LE(offset) !== 0x0002) return null;
    const element = head.readUInt16LE(offset + 2);
    const vr = head.toString('latin1', offset + 4, offset + 6);
    // OB, OW, UN, SQ, UT, UC, UR have two reserved bytes and a 32-bit length (PS3.5 §7.1.2).
    const long = ['OB', 'OW', 'OF', 'OD', 'OL', 'OV', 'SQ', 'UC', 'UR', 'UT', 'UN', 'SV', 'UV'].includes(vr);
    const length = long ? head.readUInt32LE(offset + 8) : head.readUInt16LE(offset + 6);
    const start = offset + (long ? 12 : 8);
    if (start + length > end) return null;
    if (vr === 'UI') values.set(element, head.toString('latin1', start, start + length).replace(/[\0 ]+$/, ''));
    offset = start + length;
  }
  const sopClassUid = values.get(0x0002);
  const sopInstanceUid = values.get(0x0003);
  const transferSyntaxUid = values.get(0x0010);
  if (!sopClassUid || !sopInstanceUid || !transferSyntaxUid) return null;
  return { sopClassUid, sopInstanceUid, transferSyntaxUid, dataSetOffset: end };
}
