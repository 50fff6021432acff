import { describe, expect, it } from 'vitest';
import { TRANSFER_SYNTAX } from '../../../shared/dicom/transfer-syntax';
import { encodeDicom } from '../dicom-write/dicom-writer';
import { instanceElements, testUid, writeInstance, type InstanceSpec } from '../dicom-write/synthetic-study';
import { ImportFileError } from './import-error';
import { parseInstanceHeader, type InstanceHeader } from './instance-header';

const spec: InstanceSpec = {
  patientName: 'Doe^Jane^^Dr',
  patientId: 'PID-0042',
  patientBirthDate: '19700315',
  patientSex: 'F',
  studyInstanceUid: testUid(7),
  studyDate: '20240610',
  studyTime: '083012.5',
  accessionNumber: 'ACC123',
  studyDescription: 'CT Chest w/o contrast',
  referringPhysicianName: 'House^Gregory',
  institutionName: 'Princeton Plainsboro',
  seriesInstanceUid: testUid(7, 1),
  modality: 'CT',
  seriesNumber: 3,
  seriesDescription: 'Axial 1mm',
  sopInstanceUid: testUid(7, 1, 9),
  instanceNumber: 9,
  rows: 32,
  columns: 24,
};

function header(bytes: Uint8Array): InstanceHeader {
  const result = parseInstanceHeader(bytes);
  if (result?.kind !== 'instance') throw new Error(`expected an instance, got ${JSON.stringify(result)}`);
  return result.header;
}

function failure(bytes: Uint8Array): ImportFileError {
  try {
    parseInstanceHeader(bytes);
  } catch (error) {
    if (error instanceof ImportFileError) return error;
    throw error;
  }
  throw new Error('expected the file to be refused');
}

const expectedHeader = {
  patient: { name: 'Doe^Jane^^Dr', id: 'PID-0042', issuer: null, birthDate: '1970-03-15', sex: 'F' },
  study: {
    uid: spec.studyInstanceUid,
    date: '2024-06-10',
    time: '08:30:12',
    accessionNumber: 'ACC123',
    description: 'CT Chest w/o contrast',
    referringPhysicianName: 'House^Gregory',
    institutionName: 'Princeton Plainsboro',
    studyId: null,
  },
  series: { uid: spec.seriesInstanceUid, modality: 'CT', number: 3, description: 'Axial 1mm', bodyPart: null },
  instance: { sopInstanceUid: spec.sopInstanceUid, sopClassUid: '1.2.840.10008.5.1.4.1.1.2', number: 9, rows: 32, columns: 24, frames: null },
};

describe('parseInstanceHeader: transfer syntaxes and file layouts', () => {
  it.each(Object.entries(TRANSFER_SYNTAX))('reads a Part 10 file in %s', (_name, transferSyntaxUid) => {
    const parsed = header(writeInstance(spec, { transferSyntaxUid }));
    expect(parsed).toMatchObject(expectedHeader);
    expect(parsed.transferSyntaxUid).toBe(transferSyntaxUid);
  });

  it.each([
    ['implicit little endian', TRANSFER_SYNTAX.implicitLittleEndian],
    ['explicit little endian', TRANSFER_SYNTAX.explicitLittleEndian],
    ['explicit big endian', TRANSFER_SYNTAX.explicitBigEndian],
  ])('reads a bare %s data set without preamble or meta header', (_name, transferSyntaxUid) => {
    const parsed = header(writeInstance(spec, { transferSyntaxUid, preamble: false, metaHeader: false }));
    expect(parsed).toMatchObject(expectedHeader);
    expect(parsed.transferSyntaxUid).toBeNull();
  });

  it('reads a file that has the DICM marker and meta header but no preamble', () => {
    const full = writeInstance(spec);
    expect(header(full.subarray(128))).toMatchObject(expectedHeader);
  });

  it('stops before pixel data: a header read from the first bytes of a large file is complete', () => {
    const big = writeInstance({ ...spec, rows: 512, columns: 512 });
    expect(big.length).toBeGreaterThan(500_000);
    const head = parseInstanceHeader(big.subarray(0, 4096), big.length);
    expect(head).toMatchObject({
      kind: 'instance',
      header: { ...expectedHeader, instance: { ...expectedHeader.instance, rows: 512, columns: 512 } },
    });
  });

  it('asks for more bytes when the header is longer than what was read', () => {
    const longHeader = writeInstance({
      ...spec,
      extra: [{ tag: 0x00081080, vr: 'UT', value: 'x'.repeat(100_000) }],
    });
    expect(parseInstanceHeader(longHeader.subarray(0, 65_536), longHeader.length)).toBeNull();
    expect(parseInstanceHeader(longHeader)).toMatchObject({ kind: 'instance', header: expectedHeader });
  });

  it('reads a deflated header from a partial read', () => {
    const deflated = writeInstance({ ...spec, rows: 256, columns: 256 }, { transferSyntaxUid: TRANSFER_SYNTAX.deflatedExplicitLittleEndian });
    const cut = Math.floor(deflated.length / 2);
    expect(parseInstanceHeader(deflated.subarray(0, cut), deflated.length)).toMatchObject({
      kind: 'instance',
      header: { ...expectedHeader, instance: { ...expectedHeader.instance, rows: 256, columns: 256 } },
    });
  });

  it('reads nested sequences without losing the top-level attributes after them', () => {
    const withSequence = writeInstance({
      ...spec,
      extra: [
        {
          tag: 0x00081110,
          vr: 'SQ',
          value: [[{ tag: 0x00081150, vr: 'UI', value: '1.2.3' }, { tag: 0x00081155, vr: 'UI', value: '1.2.3.4' }]],
        },
      ],
    }, { transferSyntaxUid: TRANSFER_SYNTAX.implicitLittleEndian });
    expect(header(withSequence)).toMatchObject(expectedHeader);
  });

  it('recognises a DICOMDIR', () => {
    const dicomdir = encodeDicom(
      [
        { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.1.3.10' },
        { tag: 0x00080018, vr: 'UI', value: testUid(99) },
        { tag: 0x00041130, vr: 'CS', value: 'STUDYSHARE' },
        { tag: 0x00041220, vr: 'SQ', value: [[{ tag: 0x00041430, vr: 'CS', value: 'PATIENT' }]] },
      ],
      { transferSyntaxUid: TRANSFER_SYNTAX.explicitLittleEndian },
    );
    expect(parseInstanceHeader(dicomdir)).toEqual({ kind: 'dicomdir' });
  });
});

describe('parseInstanceHeader: bad input gets a clear reason', () => {
  it('refuses an empty file', () => {
    expect(failure(new Uint8Array(0))).toMatchObject({ code: 'empty-file', message: 'The file is empty.' });
  });

  it('refuses a file that is not DICOM', () => {
    expect(failure(new TextEncoder().encode('%PDF-1.7 this is a report, not an image'))).toMatchObject({ code: 'not-dicom' });
    expect(failure(Uint8Array.of(1, 2, 3))).toMatchObject({ code: 'not-dicom' });
  });

  it('refuses a file whose pixel data is cut off', () => {
    const full = writeInstance({ ...spec, rows: 64, columns: 64 });
    expect(failure(full.subarray(0, full.length - 100))).toMatchObject({ code: 'truncated' });
  });

  it('notices cut-off pixel data from the first bytes and the file size alone', () => {
    const full = writeInstance({ ...spec, rows: 256, columns: 256 });
    expect(() => parseInstanceHeader(full.subarray(0, 4096), full.length - 1000)).toThrow(/truncated/);
  });

  it('refuses a file cut off inside its header', () => {
    const full = writeInstance(spec);
    const cut = full.subarray(0, 400);
    expect(['truncated', 'corrupt', 'missing-uid']).toContain(failure(cut).code);
  });

  it('refuses a file cut off inside an implicit VR header', () => {
    const full = writeInstance(spec, { transferSyntaxUid: TRANSFER_SYNTAX.implicitLittleEndian });
    expect(['truncated', 'corrupt', 'missing-uid']).toContain(failure(full.subarray(0, 300)).code);
  });

  it('refuses corrupt deflated data', () => {
    const full = writeInstance(spec, { transferSyntaxUid: TRANSFER_SYNTAX.deflatedExplicitLittleEndian });
    const metaEnd = full.length - 40;
    const corrupt = Uint8Array.from(full);
    corrupt.fill(0xff, metaEnd - 200, metaEnd);
    expect(['corrupt', 'truncated', 'missing-uid']).toContain(failure(corrupt).code);
  });

  it('refuses a file without a Study Instance UID, naming the attribute', () => {
    const bytes = encodeDicom(
      instanceElements(spec, TRANSFER_SYNTAX.explicitLittleEndian).filter((e) => e.tag !== 0x0020000d),
      { transferSyntaxUid: TRANSFER_SYNTAX.explicitLittleEndian },
    );
    expect(failure(bytes)).toMatchObject({ code: 'missing-uid', message: 'The file has no Study Instance UID (0020,000D).' });
  });

  it('refuses a UID that is not a UID', () => {
    const bytes = writeInstance({ ...spec, seriesInstanceUid: '1.2.abc' });
    expect(failure(bytes)).toMatchObject({ code: 'missing-uid', message: "The file's Series Instance UID (0020,000E) is not a valid UID." });
  });

  it('refuses a file with a DICM marker and garbage after it', () => {
    const garbage = new Uint8Array(1000).fill(0x41);
    garbage.set(new TextEncoder().encode('DICM'), 128);
    expect(['corrupt', 'truncated']).toContain(failure(garbage).code);
  });
});

describe('parseInstanceHeader: character sets in files', () => {
  const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

  it.each([
    ['ISO_IR 100', 'ISO_IR 100', hex('4275635e4ae972f46d65'), 'Buc^Jérôme'],
    ['ISO 2022 IR 87', '\\ISO 2022 IR 87', hex('59616d6164615e5461726f753d1b24423b3345441b28425e1b244242404f3a1b2842'), 'Yamada^Tarou=山田^太郎'],
    ['ISO 2022 IR 149', '\\ISO 2022 IR 149', hex('486f6e675e47696c646f6e673d1b242943fbf35e1b242943d1ced4d7'), 'Hong^Gildong=洪^吉洞'],
    ['GB18030', 'GB18030', hex('57616e675e5869616f446f6e673dcdf55ed0a1b6ab3d'), 'Wang^XiaoDong=王^小东='],
    ['ISO_IR 192', 'ISO_IR 192', new TextEncoder().encode('Müller^Zoë=ミュラー'), 'Müller^Zoë=ミュラー'],
  ])('decodes the patient name in %s', (_name, charset, bytes, expected) => {
    for (const transferSyntaxUid of [TRANSFER_SYNTAX.implicitLittleEndian, TRANSFER_SYNTAX.explicitBigEndian]) {
      const parsed = header(writeInstance({ ...spec, specificCharacterSet: charset, patientName: bytes }, { transferSyntaxUid }));
      expect(parsed.patient.name).toBe(expected);
      expect(parsed.specificCharacterSet).toBe(charset);
    }
  });

  it('decodes descriptions and institution names with the same character set', () => {
    const parsed = header(
      writeInstance({
        ...spec,
        specificCharacterSet: 'ISO_IR 144',
        studyDescription: hex('bbeedae1d5dcd1e3e0d3'),
        institutionName: hex('b0ddddd0'),
      }),
    );
    expect(parsed.study.description).toBe('Люксембург');
    expect(parsed.study.institutionName).toBe('Анна');
  });
});
