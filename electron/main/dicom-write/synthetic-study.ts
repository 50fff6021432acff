/**
 * Builds realistic instances (patient, study, series, image modules) for tests, benchmarks and
 * the demo site. Text is written in Latin-1 unless the caller supplies raw bytes for a value.
 */
import { TRANSFER_SYNTAX } from '../../../shared/dicom/transfer-syntax';
import { encodeDicom, type DataElement, type WriteOptions } from './dicom-writer';

export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
export const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';
export const SECONDARY_CAPTURE_STORAGE = '1.2.840.10008.5.1.4.1.1.7';

/** A UID under the project's test root; `parts` keep them unique and readable in failures. */
export function testUid(...parts: readonly number[]): string {
  return ['1.2.826.0.1.3680043.10.1234', ...parts].join('.');
}

type Text = string | Uint8Array;

export interface InstanceSpec {
  readonly specificCharacterSet?: string;
  readonly patientName?: Text;
  readonly patientId?: string;
  readonly patientBirthDate?: string;
  readonly patientSex?: string;
  readonly studyInstanceUid: string;
  readonly studyDate?: string;
  readonly studyTime?: string;
  readonly accessionNumber?: string;
  readonly studyDescription?: Text;
  readonly referringPhysicianName?: Text;
  readonly institutionName?: Text;
  readonly seriesInstanceUid: string;
  readonly modality?: string;
  readonly seriesNumber?: number;
  readonly seriesDescription?: Text;
  readonly sopInstanceUid: string;
  readonly sopClassUid?: string;
  readonly instanceNumber?: number;
  /** Image size; 0 writes no pixel data at all (e.g. a structured report). */
  readonly rows?: number;
  readonly columns?: number;
  readonly extra?: readonly DataElement[];
}

function textElement(tag: number, vr: DataElement['vr'], value: Text | undefined): DataElement[] {
  return value === undefined ? [] : [{ tag, vr, value }];
}

/** A smooth 16-bit gradient: cheap to make, and visibly right when a viewer renders it. */
export function gradientPixels(rows: number, columns: number): Uint8Array {
  const pixels = new Uint8Array(rows * columns * 2);
  const view = new DataView(pixels.buffer);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < columns; x++) view.setUint16((y * columns + x) * 2, ((x + y) * 4095) / (rows + columns), true);
  }
  return pixels;
}

export function instanceElements(spec: InstanceSpec, transferSyntaxUid: string): DataElement[] {
  const rows = spec.rows ?? 16;
  const columns = spec.columns ?? 16;
  const encapsulated =
    transferSyntaxUid !== TRANSFER_SYNTAX.implicitLittleEndian &&
    transferSyntaxUid !== TRANSFER_SYNTAX.explicitLittleEndian &&
    transferSyntaxUid !== TRANSFER_SYNTAX.explicitBigEndian &&
    transferSyntaxUid !== TRANSFER_SYNTAX.deflatedExplicitLittleEndian;
  const image: DataElement[] =
    rows === 0
      ? []
      : [
          { tag: 0x00280002, vr: 'US', value: [1] },
          { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
          { tag: 0x00280010, vr: 'US', value: [rows] },
          { tag: 0x00280011, vr: 'US', value: [columns] },
          { tag: 0x00280100, vr: 'US', value: [16] },
          { tag: 0x00280101, vr: 'US', value: [12] },
          { tag: 0x00280102, vr: 'US', value: [11] },
          { tag: 0x00280103, vr: 'US', value: [0] },
          encapsulated
            ? { tag: 0x7fe00010, vr: 'OB', value: { fragments: [gradientPixels(rows, columns).subarray(0, 64)] } }
            : { tag: 0x7fe00010, vr: 'OW', value: gradientPixels(rows, columns) },
        ];
  return [
    ...textElement(0x00080005, 'CS', spec.specificCharacterSet),
    { tag: 0x00080016, vr: 'UI', value: spec.sopClassUid ?? CT_IMAGE_STORAGE },
    { tag: 0x00080018, vr: 'UI', value: spec.sopInstanceUid },
    ...textElement(0x00080020, 'DA', spec.studyDate),
    ...textElement(0x00080030, 'TM', spec.studyTime),
    ...textElement(0x00080050, 'SH', spec.accessionNumber),
    { tag: 0x00080060, vr: 'CS', value: spec.modality ?? 'CT' },
    ...textElement(0x00080080, 'LO', spec.institutionName),
    ...textElement(0x00080090, 'PN', spec.referringPhysicianName),
    ...textElement(0x00081030, 'LO', spec.studyDescription),
    ...textElement(0x0008103e, 'LO', spec.seriesDescription),
    ...textElement(0x00100010, 'PN', spec.patientName),
    ...textElement(0x00100020, 'LO', spec.patientId),
    ...textElement(0x00100030, 'DA', spec.patientBirthDate),
    ...textElement(0x00100040, 'CS', spec.patientSex),
    { tag: 0x0020000d, vr: 'UI', value: spec.studyInstanceUid },
    { tag: 0x0020000e, vr: 'UI', value: spec.seriesInstanceUid },
    { tag: 0x00200011, vr: 'IS', value: String(spec.seriesNumber ?? 1) },
    { tag: 0x00200013, vr: 'IS', value: String(spec.instanceNumber ?? 1) },
    ...image,
    ...(spec.extra ?? []),
  ];
}

export function writeInstance(spec: InstanceSpec, options: Partial<WriteOptions> = {}): Uint8Array {
  const transferSyntaxUid = options.transferSyntaxUid ?? TRANSFER_SYNTAX.explicitLittleEndian;
  return encodeDicom(instanceElements(spec, transferSyntaxUid), { ...options, transferSyntaxUid });
}
