/**
 * The demo's people and the DICOM modules every demo image shares (patient, general study,
 * general series, general equipment, SOP common), so that one patient's name, sex and birth
 * date, a study's accession and referring physician, read the same on every file.
 */
import { testUid } from '../dicom-write/synthetic-study';
import type { NaturalDataset } from '../dicom-write/part10-dcmjs';
import type { PixelFormat } from '../dicom-write/pixel-codecs';

/** The demo's UIDs live under the project's test root, in their own branch. */
export const demoUid = (...parts: readonly number[]): string => testUid(7100, ...parts);

export interface DemoPatient {
  readonly id: string;
  /** DICOM PN: Family^Given. */
  readonly name: string;
  readonly sex: 'F' | 'M';
  /** YYYYMMDD */
  readonly birthDate: string;
}

export interface DemoStudy {
  /** Index among the demo's studies: the UID branch and the folder name. */
  readonly index: number;
  readonly patient: DemoPatient;
  /** YYYYMMDD */
  readonly date: string;
  /** HHMMSS */
  readonly time: string;
  readonly accession: string;
  readonly description: string;
  readonly referringPhysician: string;
  readonly institution: string;
}

export interface DemoSeries {
  readonly number: number;
  readonly modality: string;
  readonly description: string;
  readonly bodyPart: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly sopClassUid: string;
}

export const SOP_CLASS = {
  ct: '1.2.840.10008.5.1.4.1.1.2',
  mr: '1.2.840.10008.5.1.4.1.1.4',
  cr: '1.2.840.10008.5.1.4.1.1.1',
  mammoForPresentation: '1.2.840.10008.5.1.4.1.1.1.2',
  xa: '1.2.840.10008.5.1.4.1.1.12.1',
} as const;

export const studyUid = (study: DemoStudy): string => demoUid(study.index);
export const seriesUid = (study: DemoStudy, series: DemoSeries): string => demoUid(study.index, series.number);
export const instanceUid = (study: DemoStudy, series: DemoSeries, instance: number): string => demoUid(study.index, series.number, instance);
export const frameOfReferenceUid = (study: DemoStudy): string => demoUid(study.index, 0, 1);

/** Age at the study, as DICOM writes it (e.g. 064Y). */
export function patientAge(birthDate: string, studyDate: string): string {
  const years = (date: string): number => Number(date.slice(0, 4)) + (Number(date.slice(4, 6)) - 1) / 12 + (Number(date.slice(6, 8)) - 1) / 365;
  return `${String(Math.floor(years(studyDate) - years(birthDate))).padStart(3, '0')}Y`;
}

/** DS values are at most 16 characters: round rather than let a long float break the file. */
export function ds(value: number): number {
  return Number(value.toFixed(Math.abs(value) >= 1000 ? 2 : 4));
}

/** Patient, study, series, equipment and SOP common modules of one image. */
export function commonModules(study: DemoStudy, series: DemoSeries, instance: number, imageType: readonly string[]): NaturalDataset {
  const { patient } = study;
  // Series start a few minutes apart, as a real exam unfolds.
  const seriesTime = addMinutes(study.time, series.number * 3);
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    ImageType: [...imageType],
    SOPClassUID: series.sopClassUid,
    SOPInstanceUID: instanceUid(study, series, instance),
    StudyDate: study.date,
    SeriesDate: study.date,
    ContentDate: study.date,
    StudyTime: study.time,
    SeriesTime: seriesTime,
    ContentTime: seriesTime,
    AccessionNumber: study.accession,
    Modality: series.modality,
    Manufacturer: series.manufacturer,
    InstitutionName: study.institution,
    ReferringPhysicianName: study.referringPhysician,
    StudyDescription: study.description,
    SeriesDescription: series.description,
    ManufacturerModelName: series.model,
    PatientName: patient.name,
    PatientID: patient.id,
    PatientBirthDate: patient.birthDate,
    PatientSex: patient.sex,
    PatientAge: patientAge(patient.birthDate, study.date),
    BodyPartExamined: series.bodyPart,
    DeviceSerialNumber: 'DEMO-0001',
    SoftwareVersions: 'studyshare-demo 1',
    StudyInstanceUID: studyUid(study),
    SeriesInstanceUID: seriesUid(study, series),
    StudyID: String(1000 + study.index),
    SeriesNumber: series.number,
    InstanceNumber: instance,
  };
}

/** The Image Pixel module for a format. */
export function pixelModule(format: PixelFormat): NaturalDataset {
  return {
    SamplesPerPixel: format.samplesPerPixel,
    PhotometricInterpretation: format.photometricInterpretation,
    Rows: format.rows,
    Columns: format.columns,
    BitsAllocated: format.bitsAllocated,
    BitsStored: format.bitsStored,
    HighBit: format.bitsStored - 1,
    PixelRepresentation: format.pixelRepresentation,
    ...(format.samplesPerPixel === 3 ? { PlanarConfiguration: 0 } : {}),
  };
}

function addMinutes(time: string, minutes: number): string {
  const total = Number(time.slice(0, 2)) * 60 + Number(time.slice(2, 4)) + minutes;
  return `${String(Math.floor(total / 60) % 24).padStart(2, '0')}${String(total % 60).padStart(2, '0')}${time.slice(4, 6) || '00'}`;
}

/** Little-endian bytes of a typed array's samples (the machine is little endian; Node's are). */
export function bytesOf(samples: Int16Array | Uint16Array | Uint8Array): Uint8Array {
  return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
}

/** A window that shows most of an image: the 1st to 99th percentile of a sample of its values. */
export function percentileWindow(values: ArrayLike<number>, low = 0.01, high = 0.99, above = -Infinity): { center: number; width: number } {
  const sample: number[] = [];
  const step = Math.max(1, Math.floor(values.length / 20000));
  for (let i = 0; i < values.length; i += step) if (values[i] > above) sample.push(values[i]);
  sample.sort((a, b) => a - b);
  const lo = sample[Math.floor(low * (sample.length - 1))] ?? 0;
  const hi = sample[Math.floor(high * (sample.length - 1))] ?? 1;
  return { center: Math.round((lo + hi) / 2), width: Math.max(1, Math.round(hi - lo)) };
}
