/**
 * The direct command codec against dcmjs's: every kind of command dcmjs-dimse builds (requests
 * and responses of C-ECHO, C-STORE, C-FIND, C-MOVE, C-GET, with odd and even UIDs, error
 * comments, sub-operation counts) encodes to the same bytes and decodes to the same elements;
 * what the table does not cover is left to the library (null).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { COMMAND_ELEMENTS, decodeCommand, encodeCommand } from './command-codec';
import { dimse, libraryCommandCodec } from './dimse';

const { requests, responses, Dataset } = dimse;
// dcmjs ships no types; only its dictionary is read here.
const dictionary = (createRequire(import.meta.url)('dcmjs') as { data: { DicomMetaDictionary: { nameMap: Record<string, { tag: string; vr: string } | undefined> } } }).data.DicomMetaDictionary.nameMap;
const CT = '1.2.840.10008.5.1.4.1.1.2';

function commands(): Record<string, unknown>[] {
  const store = new requests.CStoreRequest(new Dataset({ SOPClassUID: CT, SOPInstanceUID: '1.2.3.4.5' }));
  store.setMessageId(7);
  const storeEven = new requests.CStoreRequest(new Dataset({ SOPClassUID: CT, SOPInstanceUID: '1.2.3.4.56' }));
  storeEven.setMessageId(65535);
  const storeRsp = responses.CStoreResponse.fromRequest(store);
  storeRsp.setStatus(0);
  const refused = responses.CStoreResponse.fromRequest(store);
  refused.setStatus(0xa700);
  refused.setErrorComment('The disk of the library is full: the instance was not stored.');
  const find = requests.CFindRequest.createStudyFindRequest({ PatientName: 'A*' });
  find.setMessageId(3);
  const findRsp = responses.CFindResponse.fromRequest(find);
  findRsp.setStatus(0xff00);
  const move = requests.CMoveRequest.createStudyMoveRequest('STUDYSHARE', '1.2.3');
  move.setMessageId(4);
  const moveRsp = responses.CMoveResponse.fromRequest(move);
  moveRsp.setStatus(0xff00);
  moveRsp.setRemaining(12);
  moveRsp.setCompleted(3);
  moveRsp.setFailures(0);
  moveRsp.setWarnings(1);
  const get = requests.CGetRequest.createStudyGetRequest('1.2.3');
  get.setMessageId(5);
  const echo = new requests.CEchoRequest();
  echo.setMessageId(1);
  const echoRsp = responses.CEchoResponse.fromRequest(echo);
  echoRsp.setStatus(0);
  return [store, storeEven, storeRsp, refused, find, findRsp, move, moveRsp, get, echo, echoRsp].map((command) => {
    const c = command as unknown as { getCommandDataset(): { getElements(): Record<string, unknown> } };
    return c.getCommandDataset().getElements();
  });
}

describe('DIMSE command codec', () => {
  it('encodes every command as dcmjs does, byte for byte, and decodes it to the same elements', () => {
    const all = commands();
    expect(all.length).toBe(11);
    for (const elements of all) {
      const ours = encodeCommand(elements);
      const theirs = libraryCommandCodec.encode(elements);
      expect(ours, JSON.stringify(elements)).not.toBeNull();
      expect(ours?.toString('hex')).toBe(theirs.toString('hex'));
      expect(decodeCommand(theirs)).toEqual(libraryCommandCodec.decode(theirs));
    }
  });

  it('names and types each element as the dictionary of dcmjs does', () => {
    for (const entry of COMMAND_ELEMENTS) {
      const known = dictionary[entry.name];
      expect(known, entry.name).toBeDefined();
      expect([known?.tag, known?.vr]).toEqual([`(0000,${entry.tag.toString(16).padStart(4, '0').toUpperCase()})`, entry.vr]);
    }
  });

  it('leaves to the library what its table does not cover', () => {
    expect(encodeCommand({ CommandField: 1, PatientName: 'X' })).toBeNull();
    expect(encodeCommand({ CommandField: 70000 })).toBeNull();
    expect(encodeCommand({ AffectedSOPClassUID: '' })).toBeNull();
    // A data set element (group 0008) in a command, a value cut short, an empty value.
    expect(decodeCommand(Buffer.from('0800160008000000312e322e3300', 'hex'))).toBeNull();
    expect(decodeCommand(Buffer.from('000000010200000001', 'hex'))).toBeNull();
    expect(decodeCommand(Buffer.from('0000020000000000', 'hex'))).toBeNull();
  });
});
