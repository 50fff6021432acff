/**
 * What the listener accepts and the DIMSE statuses it answers with. Pure data and rules.
 *
 * Storage SOP classes: every image storage class, structured reports, encapsulated PDF and CDA,
 * presentation states, key object selection and segmentations — the objects a reading
 * workstation keeps. Raw data, waveforms and RT plans are refused at association time (the
 * index could hold them, but nothing here can show them, and a PACS keeps them anyway).
 */
import { dimse } from './dimse';

const STORAGE_ROOT = '1.2.840.10008.5.1.4.1.1.';

/** Classes not in the library's StorageClass list that a reading room still receives. */
const EXTRA_STORAGE_CLASSES = [
  '1.2.840.10008.5.1.4.1.1.11.1', // Grayscale Softcopy Presentation State
  '1.2.840.10008.5.1.4.1.1.11.2', // Color Softcopy Presentation State
  '1.2.840.10008.5.1.4.1.1.11.3', // Pseudo-Color Softcopy Presentation State
  '1.2.840.10008.5.1.4.1.1.11.4', // Blending Softcopy Presentation State
  '1.2.840.10008.5.1.4.1.1.88.34', // Comprehensive 3D SR
  '1.2.840.10008.5.1.4.1.1.88.59', // Key Object Selection
  '1.2.840.10008.5.1.4.1.1.88.68', // Radiopharmaceutical Radiation Dose SR
  '1.2.840.10008.5.1.4.1.1.66.4', // Segmentation
  '1.2.840.10008.5.1.4.1.1.6', // Ultrasound Image (retired, still sent by old machines)
  '1.2.840.10008.5.1.4.1.1.3', // Ultrasound Multi-frame (retired)
  '1.2.840.10008.5.1.4.1.1.5', // Nuclear Medicine Image (retired)
  '1.2.840.10008.5.1.4.1.1.12.3', // X-Ray Angiographic Bi-Plane (retired)
  '1.2.840.10008.5.1.4.1.1.1.1.1', // Digital X-Ray for Processing
] as const;

export const ACCEPTED_STORAGE_CLASSES: ReadonlySet<string> = new Set([
  ...Object.values(dimse.constants.StorageClass as Record<string, string>),
  ...EXTRA_STORAGE_CLASSES,
]);

export function isAcceptedStorageClass(uid: string): boolean {
  return uid.startsWith(STORAGE_ROOT) && ACCEPTED_STORAGE_CLASSES.has(uid);
}

export const VERIFICATION_SOP_CLASS = '1.2.840.10008.1.1';

/**
 * Transfer syntaxes the import reads a header from (the header parser handles the uncompressed
 * ones and deflate; for encapsulated ones it stops at Pixel Data), stored as received.
 */
export const ACCEPTED_TRANSFER_SYNTAXES: readonly string[] = [
  '1.2.840.10008.1.2.1', // Explicit VR Little Endian
  '1.2.840.10008.1.2', // Implicit VR Little Endian
  '1.2.840.10008.1.2.1.99', // Deflated Explicit VR Little Endian
  '1.2.840.10008.1.2.2', // Explicit VR Big Endian (retired, still sent)
  '1.2.840.10008.1.2.5', // RLE Lossless
  '1.2.840.10008.1.2.4.50', // JPEG Baseline
  '1.2.840.10008.1.2.4.51', // JPEG Extended
  '1.2.840.10008.1.2.4.57', // JPEG Lossless
  '1.2.840.10008.1.2.4.70', // JPEG Lossless SV1
  '1.2.840.10008.1.2.4.80', // JPEG-LS Lossless
  '1.2.840.10008.1.2.4.81', // JPEG-LS Near-Lossless
  '1.2.840.10008.1.2.4.90', // JPEG 2000 Lossless
  '1.2.840.10008.1.2.4.91', // JPEG 2000
  '1.2.840.10008.1.2.4.201', // HTJ2K Lossless
  '1.2.840.10008.1.2.4.202', // HTJ2K Lossless RPCL
  '1.2.840.10008.1.2.4.203', // HTJ2K
  '1.2.840.10008.1.2.4.110', // JPEG XL Lossless
  '1.2.840.10008.1.2.4.111', // JPEG XL Recompression
  '1.2.840.10008.1.2.4.112', // JPEG XL
  '1.2.840.10008.1.2.4.100', // MPEG-2 MP@ML
  '1.2.840.10008.1.2.4.102', // MPEG-4 AVC/H.264
];

const UNCOMPRESSED_FOR_ECHO = ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'];

/**
 * The transfer syntax to accept among those proposed: the first the caller lists that we take.
 * The caller's order is its preference (a modality lists its compressed syntax first to keep
 * the images as acquired); re-ranking by ours made a JPEG 2000 sender decompress for us.
 */
export function chooseTransferSyntax(abstractSyntax: string, proposed: readonly string[]): string | null {
  const acceptable = abstractSyntax === VERIFICATION_SOP_CLASS ? UNCOMPRESSED_FOR_ECHO : ACCEPTED_TRANSFER_SYNTAXES;
  return proposed.find((syntax) => acceptable.includes(syntax)) ?? null;
}

/** C-STORE response statuses (PS3.4 B.2.3 and PS3.7 C). */
export const STORE_STATUS = {
  success: 0x0000,
  /** Refused: Out of Resources (the disk is full). */
  outOfResources: 0xa700,
  /** Error: Data Set does not match SOP Class. */
  dataSetMismatch: 0xa900,
  /** Error: Cannot understand (the bytes are not a readable data set). */
  cannotUnderstand: 0xc000,
  /** Refused: SOP Class not supported. */
  sopClassNotSupported: 0x0122,
  /** Failure: processing failure. */
  processingFailure: 0x0110,
} as const;

export type StoreStatus = (typeof STORE_STATUS)[keyof typeof STORE_STATUS];
