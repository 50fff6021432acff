/** The File Meta Information read back without parsing the data set (what a send addresses an instance by). */
import { describe, expect, it } from 'vitest';
import { CT_IMAGE_STORAGE, testUid, writeInstance } from '../dicom-write/synthetic-study';
import { part10Header, readPart10Meta } from './part10-meta';

describe('readPart10Meta', () => {
  it('reads the SOP class, instance and transfer syntax of a file, and where its data set starts', () => {
    const file = Buffer.from(
      writeInstance({ studyInstanceUid: testUid(1), seriesInstanceUid: testUid(1, 1), sopInstanceUid: testUid(1, 1, 7), rows: 8, columns: 8 }, { transferSyntaxUid: '1.2.840.10008.1.2' }),
    );
    const meta = readPart10Meta(file);
    expect(meta).toMatchObject({ sopClassUid: CT_IMAGE_STORAGE, sopInstanceUid: testUid(1, 1, 7), transferSyntaxUid: '1.2.840.10008.1.2' });
    // The data set starts with group 0008 right there.
    expect(file.readUInt16LE(meta!.dataSetOffset)).toBe(0x0008);
  });

  it('reads back what the listener writes in front of a received data set', () => {
    const header = part10Header({ sopClassUid: '1.2.3', sopInstanceUid: '1.2.3.44', transferSyntaxUid: '1.2.840.10008.1.2.1', sourceAeTitle: 'CT1' });
    expect(readPart10Meta(header)).toEqual({ sopClassUid: '1.2.3', sopInstanceUid: '1.2.3.44', transferSyntaxUid: '1.2.840.10008.1.2.1', dataSetOffset: header.length });
  });

  it('answers null for what is not a Part 10 file or is cut short', () => {
    const header = part10Header({ sopClassUid: '1.2.3', sopInstanceUid: '1.2.3.4', transferSyntaxUid: '1.2.840.10008.1.2.1', sourceAeTitle: '' });
    expect(readPart10Meta(Buffer.alloc(200))).toBeNull();
    expect(readPart10Meta(header.subarray(0, header.length - 10))).toBeNull();
    expect(readPart10Meta(Buffer.from('not dicom'))).toBeNull();
  });
});
