/**
 * The one door to dcmjs-dimse (the DIMSE library we keep: pure JavaScript, so it runs wherever
 * the app does, unlike dicom-dimse-native's compiled addon). The package is a CommonJS/UMD build
 * whose named exports Node's ESM loader cannot see, so its namespace is taken from `default` when
 * that is where the loader put it.
 */
import { createRequire } from 'node:module';
import * as namespace from 'dcmjs-dimse';
import { decodeCommand, encodeCommand } from './command-codec';

type Dimse = typeof namespace;
const loaded = namespace as Dimse & { readonly default?: Dimse };
export const dimse: Dimse = loaded.default ?? loaded;

// The library logs every PDU at info level to the console; patient data must not reach logs.
dimse.log.setLevel('silent');

/**
 * Every DIMSE command (group 0000) is encoded and decoded by command-codec.ts instead of
 * through dcmjs's naturalised data sets (the listener's largest CPU cost; see there). The
 * library has no option for it, so its two Dataset methods are wrapped here, once: commands
 * the codec covers take the direct path, everything else (data sets, unusual commands) the
 * library's own, unchanged.
 */
interface DatasetInternals {
  getElements(): Record<string, unknown>;
  // Properties, not methods: they are taken off the prototype and called with `this` given.
  getDenaturalizedCommandDataset: (this: DatasetInternals, writeOptions?: unknown) => Buffer;
  _fromElementsBuffer: (this: DatasetInternals, buffer: Buffer, transferSyntaxUid: string, readOptions?: unknown) => Record<string, unknown>;
}
const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
const datasetMethods = dimse.Dataset.prototype as unknown as DatasetInternals;
const libraryEncode = datasetMethods.getDenaturalizedCommandDataset;
const libraryDecode = datasetMethods._fromElementsBuffer;
datasetMethods.getDenaturalizedCommandDataset = function (this: DatasetInternals, writeOptions?: unknown): Buffer {
  return encodeCommand(this.getElements()) ?? libraryEncode.call(this, writeOptions);
};
datasetMethods._fromElementsBuffer = function (this: DatasetInternals, buffer: Buffer, transferSyntaxUid: string, readOptions?: unknown): Record<string, unknown> {
  // A command is group 0000 in implicit VR little endian; a data set never starts with group 0000.
  if (transferSyntaxUid === IMPLICIT_VR_LITTLE_ENDIAN && buffer.length >= 8 && buffer.readUInt16LE(0) === 0) {
    const elements = decodeCommand(buffer);
    if (elements !== null) return elements;
  }
  return libraryDecode.call(this, buffer, transferSyntaxUid, readOptions);
};

/**
 * The library gathers every received command and data set in a `memorystream` and takes it out
 * with `toBuffer`, which allocates with the deprecated `new Buffer(size)`: Node then walks the
 * stack to see whether the caller is inside node_modules, for each of the first 10,000 calls
 * (0.15 ms per message in the listener's profile: a tenth of an instance's budget at 660/s).
 * The same bytes are gathered with `Buffer.concat` instead, on the copy of the module the
 * library itself loads.
 */
interface MemoryStreamQueue {
  queue: (Buffer | string | Buffer[])[];
}
const memoryStream = createRequire(createRequire(import.meta.url).resolve('dcmjs-dimse'))('memorystream') as { createWriteStream(): object };
const memoryWritable = Object.getPrototypeOf(memoryStream.createWriteStream()) as { toBuffer(this: MemoryStreamQueue): Buffer };
memoryWritable.toBuffer = function (this: MemoryStreamQueue): Buffer {
  return Buffer.concat(this.queue.map((data) => (Buffer.isBuffer(data) ? data : Array.isArray(data) ? data[0] : Buffer.from(data))));
};
export const memoryStreamForTest = memoryStream;

/** The library's own command coding, for the test that holds command-codec.ts to it. */
export const libraryCommandCodec = {
  encode: (elements: Record<string, unknown>): Buffer => libraryEncode.call(new dimse.Dataset(elements) as unknown as DatasetInternals),
  decode: (buffer: Buffer): Record<string, unknown> => libraryDecode.call(new dimse.Dataset({}) as unknown as DatasetInternals, buffer, IMPLICIT_VR_LITTLE_ENDIAN, { ignoreErrors: true }),
};

export type Association = InstanceType<Dimse['association']['Association']>;
export type PresentationContext = InstanceType<Dimse['association']['PresentationContext']>;
export type DimseDataset = InstanceType<Dimse['Dataset']>;
export type CStoreRequest = InstanceType<Dimse['requests']['CStoreRequest']>;
export type CStoreResponse = InstanceType<Dimse['responses']['CStoreResponse']>;
export type CEchoRequest = InstanceType<Dimse['requests']['CEchoRequest']>;
export type CEchoResponse = InstanceType<Dimse['responses']['CEchoResponse']>;
