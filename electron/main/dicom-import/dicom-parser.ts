/**
 * dicom-parser ships one CommonJS bundle; under Node's ESM loader only its default export exists,
 * so it is loaded through `require` and typed from its declarations (which omit the ByteStream
 * and DataSet constructors that bare data sets need).
 */
import { createRequire } from 'node:module';
import type * as DicomParser from 'dicom-parser';

const require = createRequire(import.meta.url);

export type { ByteArrayParser, ByteStream, DataSet, Element } from 'dicom-parser';

export const dicomParser = require('dicom-parser') as typeof DicomParser & {
  readonly ByteStream: new (parser: DicomParser.ByteArrayParser, byteArray: Uint8Array, position: number) => DicomParser.ByteStream;
  readonly DataSet: new (parser: DicomParser.ByteArrayParser, byteArray: Uint8Array, elements: Record<string, DicomParser.Element>) => DicomParser.DataSet;
};
