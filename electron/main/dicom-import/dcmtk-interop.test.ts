/**
 * Cross-checks the header reader against files written by DCMTK (an independent implementation):
 * dump2dcm builds a file from a text dump, dcmconv re-encodes it in every transfer syntax it
 * writes, with and without file meta information, and converts its character set to UTF-8.
 * CI installs dcmtk; on a developer machine without it these tests say so instead of running.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TRANSFER_SYNTAX } from '../../../shared/dicom/transfer-syntax';
import { testUid } from '../dicom-write/synthetic-study';
import { parseInstanceHeader } from './instance-header';
import { dcmtkAvailable } from '../test-support/dcmtk-available';

const available = dcmtkAvailable('dcmconv');

const DUMP = `
(0008,0005) CS [ISO_IR 100]
(0008,0016) UI [1.2.840.10008.5.1.4.1.1.7]
(0008,0018) UI [${testUid(42, 1, 1)}]
(0008,0020) DA [20231124]
(0008,0030) TM [141516]
(0008,0050) SH [DCMTK-ACC]
(0008,0060) CS [OT]
(0008,0064) CS [WSD]
(0008,1030) LO [Hüftgelenk rechts]
(0010,0010) PN [Grüße^Jörg=]
(0010,0020) LO [DCMTK-1]
(0010,0030) DA [19640229]
(0010,0040) CS [M]
(0020,000d) UI [${testUid(42)}]
(0020,000e) UI [${testUid(42, 1)}]
(0020,0011) IS [4]
(0020,0013) IS [7]
(0028,0002) US 1
(0028,0004) CS [MONOCHROME2]
(0028,0010) US 2
(0028,0011) US 2
(0028,0100) US 8
(0028,0101) US 8
(0028,0102) US 7
(0028,0103) US 0
(7fe0,0010) OB 01\\02\\03\\04
`;

describe.skipIf(!available)('files written by DCMTK', () => {
  // One folder for the whole block: every test converts the same base file.
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-dcmtk-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const dump = path.join(dir, 'base.dump');
  writeFileSync(dump, Buffer.from(DUMP, 'latin1'));
  const base = path.join(dir, 'base.dcm');
  execFileSync('dump2dcm', ['+te', dump, base]);

  const expected = {
    patient: { name: 'Grüße^Jörg=', id: 'DCMTK-1', birthDate: '1964-02-29', sex: 'M' },
    study: { uid: testUid(42), date: '2023-11-24', time: '14:15:16', accessionNumber: 'DCMTK-ACC', description: 'Hüftgelenk rechts' },
    series: { uid: testUid(42, 1), modality: 'OT', number: 4 },
    instance: { sopInstanceUid: testUid(42, 1, 1), number: 7, rows: 2, columns: 2 },
  };

  it.each([
    ['+ti', TRANSFER_SYNTAX.implicitLittleEndian],
    ['+te', TRANSFER_SYNTAX.explicitLittleEndian],
    ['+tb', TRANSFER_SYNTAX.explicitBigEndian],
    ['+td', TRANSFER_SYNTAX.deflatedExplicitLittleEndian],
  ])('reads dcmconv %s output, as a file and as a bare data set', (option, transferSyntaxUid) => {
    const file = path.join(dir, `${option}.dcm`);
    execFileSync('dcmconv', [option, base, file]);
    const parsed = parseInstanceHeader(readFileSync(file));
    expect(parsed).toMatchObject({ kind: 'instance', header: { ...expected, transferSyntaxUid } });

    if (option === '+td') return; // a deflated data set cannot be told apart without its meta header
    const bare = path.join(dir, `${option}-bare.dcm`);
    execFileSync('dcmconv', [option, '-F', base, bare]);
    expect(parseInstanceHeader(readFileSync(bare))).toMatchObject({ kind: 'instance', header: expected });
  });

  it('reads the same names after DCMTK converts the file to UTF-8', () => {
    const file = path.join(dir, 'utf8.dcm');
    execFileSync('dcmconv', ['+U8', base, file]);
    const parsed = parseInstanceHeader(readFileSync(file));
    expect(parsed).toMatchObject({ kind: 'instance', header: { ...expected, specificCharacterSet: 'ISO_IR 192' } });
  });
});
