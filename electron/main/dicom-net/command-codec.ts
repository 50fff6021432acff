/**
 * The DIMSE command set (group 0000, always implicit VR little endian, PS3.7 §6.3 and §E) encoded
 * and decoded directly, for dcmjs-dimse's every message.
 *
 * Why: dcmjs-dimse encodes each command through dcmjs's naturalised data set (denaturalise, a
 * growing WriteBufferStream, a copy) and decodes each through dcmjs's full reader. The CPU
 * profile of the listener (bench:dimse, storescu → us) put that at about 0.7 ms a response and
 * as much again a request, plus the garbage it leaves (the collector took an eighth of the
 * time): the largest single cost of a C-STORE after the disk. A command holds at most a dozen
 * short elements of a fixed dictionary, so they are laid out here; anything outside it (a VR
 * with several values, an element this table does not know) returns null and the library's own
 * path runs, so nothing is lost. The test holds the table to dcmjs's dictionary and every
 * command the library builds to dcmjs's own bytes and values.
 */
type CommandVr = 'UL' | 'US' | 'UI' | 'AE' | 'LO';
interface Entry {
  readonly tag: number;
  readonly name: string;
  readonly vr: CommandVr;
}

/** Group 0000 as PS3.7 Annex E lists it (element, name as dcmjs names it, VR); the single-valued ones. */
const ENTRIES: readonly Entry[] = [
  { tag: 0x0000, name: 'CommandGroupLength', vr: 'UL' },
  { tag: 0x0002, name: 'AffectedSOPClassUID', vr: 'UI' },
  { tag: 0x0003, name: 'RequestedSOPClassUID', vr: 'UI' },
  { tag: 0x0100, name: 'CommandField', vr: 'US' },
  { tag: 0x0110, name: 'MessageID', vr: 'US' },
  { tag: 0x0120, name: 'MessageIDBeingRespondedTo', vr: 'US' },
  { tag: 0x0600, name: 'MoveDestination', vr: 'AE' },
  { tag: 0x0700, name: 'Priority', vr: 'US' },
  { tag: 0x0800, name: 'CommandDataSetType', vr: 'US' },
  { tag: 0x0900, name: 'Status', vr: 'US' },
  { tag: 0x0902, name: 'ErrorComment', vr: 'LO' },
  { tag: 0x0903, name: 'ErrorID', vr: 'US' },
  { tag: 0x1000, name: 'AffectedSOPInstanceUID', vr: 'UI' },
  { tag: 0x1001, name: 'RequestedSOPInstanceUID', vr: 'UI' },
  { tag: 0x1002, name: 'EventTypeID', vr: 'US' },
  { tag: 0x1008, name: 'ActionTypeID', vr: 'US' },
  { tag: 0x1020, name: 'NumberOfRemainingSuboperations', vr: 'US' },
  { tag: 0x1021, name: 'NumberOfCompletedSuboperations', vr: 'US' },
  { tag: 0x1022, name: 'NumberOfFailedSuboperations', vr: 'US' },
  { tag: 0x1023, name: 'NumberOfWarningSuboperations', vr: 'US' },
  { tag: 0x1030, name: 'MoveOriginatorApplicationEntityTitle', vr: 'AE' },
  { tag: 0x1031, name: 'MoveOriginatorMessageID', vr: 'US' },
];
export const COMMAND_ELEMENTS = ENTRIES;
const byName = new Map(ENTRIES.map((entry) => [entry.name, entry]));
const byTag = new Map(ENTRIES.map((entry) => [entry.tag, entry]));

/** String values padded to even length as PS3.5 §6.2 says: UIs with NUL, other text with a space. */
function stringValue(value: unknown, vr: CommandVr): Buffer | null {
  if (typeof value !== 'string' || value === '') return null;
  const padded = value.length % 2 === 0 ? value : value + (vr === 'UI' ? '\0' : ' ');
  return Buffer.from(padded, 'latin1');
}

/** The command's bytes with its group length in front; null when the library must do it. */
export function encodeCommand(elements: Readonly<Record<string, unknown>>): Buffer | null {
  const parts: { tag: number; value: Buffer }[] = [];
  for (const [name, value] of Object.entries(elements)) {
    // The group length is computed; `_vrMap` is dcmjs's note of VRs, nothing to encode.
    // An element set to undefined (a response built from a request copies them) is not written, as dcmjs does.
    if (name === 'CommandGroupLength' || name === '_vrMap' || value === undefined) continue;
    const entry = byName.get(name);
    if (entry === undefined || value === null) return null;
    let bytes: Buffer | null;
    if (entry.vr === 'US') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffff) return null;
      bytes = Buffer.alloc(2);
      bytes.writeUInt16LE(value, 0);
    } else if (entry.vr === 'UL') {
      return null;
    } else {
      bytes = stringValue(value, entry.vr);
    }
    if (bytes === null) return null;
    parts.push({ tag: entry.tag, value: bytes });
  }
  parts.sort((a, b) => a.tag - b.tag);
  const length = parts.reduce((sum, part) => sum + 8 + part.value.length, 0);
  const out = Buffer.alloc(12 + length);
  out.writeUInt32LE(0x00000000, 0);
  out.writeUInt32LE(4, 4);
  out.writeUInt32LE(length, 8);
  let offset = 12;
  for (const { tag, value } of parts) {
    // Implicit VR little endian: group (0000), element, 32-bit length, value.
    out.writeUInt16LE(0, offset);
    out.writeUInt16LE(tag, offset + 2);
    out.writeUInt32LE(value.length, offset + 4);
    value.copy(out, offset + 8);
    offset += 8 + value.length;
  }
  return out;
}

/** A received command's elements by name, as dcmjs would naturalise them; null when the library must read it. */
export function decodeCommand(buffer: Buffer): Record<string, unknown> | null {
  // As dcmjs's naturalised data set, down to its (empty) map of VRs.
  const elements: Record<string, unknown> = { _vrMap: {} };
  let offset = 0;
  while (offset < buffer.length) {
    if (offset + 8 > buffer.length) return null;
    const group = buffer.readUInt16LE(offset);
    const entry = byTag.get(buffer.readUInt16LE(offset + 2));
    const length = buffer.readUInt32LE(offset + 4);
    const start = offset + 8;
    offset = start + length;
    if (group !== 0 || entry === undefined || offset > buffer.length || length === 0) return null;
    switch (entry.vr) {
      case 'US':
        if (length !== 2) return null;
        elements[entry.name] = buffer.readUInt16LE(start);
        break;
      case 'UL':
        if (length !== 4) return null;
        elements[entry.name] = buffer.readUInt32LE(start);
        break;
      default: {
        // dcmjs drops the padding (NUL for UIs, spaces for text) and leading spaces of text.
        const text = buffer.toString('latin1', start, offset).replace(/[\0 ]+$/, '');
        elements[entry.name] = entry.vr === 'UI' ? text : text.trimStart();
      }
    }
  }
  return elements;
}
