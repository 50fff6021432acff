/**
 * The one door to dcmjs-dimse (the DIMSE library we keep: pure JavaScript, so it runs wherever
 * the app does, unlike dicom-dimse-native's compiled addon). The package is a CommonJS/UMD build
 * whose named exports Node's ESM loader cannot see, so its namespace is taken from `default` when
 * that is where the loader put it.
 */
import * as namespace from 'dcmjs-dimse';

type Dimse = typeof namespace;
const loaded = namespace as Dimse & { readonly default?: Dimse };
export const dimse: Dimse = loaded.default ?? loaded;

// The library logs every PDU at info level to the console; patient data must not reach logs.
dimse.log.setLevel('silent');

export type Association = InstanceType<Dimse['association']['Association']>;
export type PresentationContext = InstanceType<Dimse['association']['PresentationContext']>;
export type DimseDataset = InstanceType<Dimse['Dataset']>;
export type CStoreRequest = InstanceType<Dimse['requests']['CStoreRequest']>;
export type CStoreResponse = InstanceType<Dimse['responses']['CStoreResponse']>;
export type CEchoRequest = InstanceType<Dimse['requests']['CEchoRequest']>;
export type CEchoResponse = InstanceType<Dimse['responses']['CEchoResponse']>;
