/**
 * What the demo contains. A handful of showcase studies for the viewer — a chest CT with a prior
 * (a nodule that grew), its radiograph, an MR brain in three contrasts, a coronary angiogram as
 * cine runs, a screening mammogram for a woman — each in a different transfer syntax; then a
 * worklist's worth of smaller studies whose patients, descriptions, modalities and body parts
 * agree (a mammogram is a woman's, an MR brain shows a brain), sharing a few encoded images so
 * that generating them stays quick.
 */
import { TRANSFER_SYNTAX } from '../../../shared/dicom/transfer-syntax';
import { FAMILY_NAMES } from '../dicom-write/sample-names';
import { COMPRESSED_SYNTAX } from '../dicom-write/pixel-codecs';
import { SOP_CLASS, type DemoPatient, type DemoSeries, type DemoStudy } from './demo-headers';
import { CT_WINDOWS, CtAnatomyCache, HeadLabelCache, writeCrChest, writeCtChest, writeHead, writeMammoCc, writeXaCine } from './demo-modalities';
import type { DemoOutput } from './demo-output';
import { seededRandom } from './phantoms/random';

const INSTITUTION = 'Demo Hospital';
/** Referring physicians; the demo site's physician and referrer among them, so their worklists fill. */
const REFERRERS = ['Physician^Paula^^Dr', 'Referrer^Rob^^Dr', 'Okafor^Chidi^^Dr', 'Lindqvist^Maja^^Dr', 'Moreau^Étienne^^Dr', 'Brennan^Siobhan^^Dr'];

const SHOWCASE_PATIENTS = {
  chest: { id: 'DH0001001', name: 'Walker^Robert', sex: 'M', birthDate: '19610412' },
  brain: { id: 'DH0001002', name: 'Fischer^Anna', sex: 'F', birthDate: '19790922' },
  heart: { id: 'DH0001003', name: 'Rossi^Marco', sex: 'M', birthDate: '19570305' },
  breast: { id: 'DH0001004', name: 'Nakamura^Yuki', sex: 'F', birthDate: '19680703' },
} as const satisfies Record<string, DemoPatient>;

const CT_SCANNER = { manufacturer: 'Demo Medical', model: 'Demo CT 128' };
const MR_SCANNER = { manufacturer: 'Demo Medical', model: 'Demo MR 1.5T' };
const XA_SYSTEM = { manufacturer: 'Demo Medical', model: 'Demo Cath Lab' };
const CR_READER = { manufacturer: 'Demo Medical', model: 'Demo CR Reader' };
const MG_SYSTEM = { manufacturer: 'Demo Medical', model: 'Demo Mammo DR' };

/** Chest CT: 60 slices of 5 mm from the apices to the upper abdomen. */
export const CHEST_DEPTHS = Array.from({ length: 60 }, (_, i) => -5 + i * 5);

/** MR brain: 24 axial slices, 6 mm apart, from the skull base to the vertex. */
export const BRAIN_HEIGHTS = Array.from({ length: 24 }, (_, i) => -6 + i * 6);

/** The showcase: few studies, full series. */
export async function writeShowcase(out: DemoOutput, ct: CtAnatomyCache, head: HeadLabelCache): Promise<void> {
  const chestNow: DemoStudy = { index: 1, patient: SHOWCASE_PATIENTS.chest, date: '20261103', time: '091500', accession: 'DH26110301', description: 'CT Chest w/o contrast', referringPhysician: REFERRERS[0], institution: INSTITUTION };
  const chestPrior: DemoStudy = { ...chestNow, index: 2, date: '20251029', time: '143000', accession: 'DH25102914', description: 'CT Chest w/o contrast' };
  const chestXr: DemoStudy = { ...chestNow, index: 3, date: '20261020', time: '104500', accession: 'DH26102007', description: 'XR Chest PA' };
  const ctSeries = (number: number, description: string): DemoSeries => ({ number, modality: 'CT', description, bodyPart: 'CHEST', sopClassUid: SOP_CLASS.ct, ...CT_SCANNER });
  // The current scan: soft-tissue kernel uncompressed, lung kernel in JPEG-LS lossless; a 9 mm nodule.
  const now = { noduleRadius: 4.5, noise: 9, noiseSeed: 101 };
  await writeCtChest(out, chestNow, ctSeries(2, 'Thorax 5.0 mm mediastinum'), { depths: CHEST_DEPTHS, sliceThickness: 5, zOfApex: -30, scan: now, kernel: 'Br40', windows: [CT_WINDOWS.mediastinum, CT_WINDOWS.lung, CT_WINDOWS.bone], contrast: false, transferSyntaxUid: TRANSFER_SYNTAX.explicitLittleEndian }, ct);
  await writeCtChest(out, chestNow, ctSeries(3, 'Thorax 5.0 mm lung'), { depths: CHEST_DEPTHS, sliceThickness: 5, zOfApex: -30, scan: { ...now, noise: 16 }, kernel: 'Bl64', windows: [CT_WINDOWS.lung, CT_WINDOWS.mediastinum], contrast: false, transferSyntaxUid: COMPRESSED_SYNTAX.jpegLsLossless }, ct);
  // A year before: the nodule smaller, the table elsewhere, RLE.
  await writeCtChest(out, chestPrior, ctSeries(2, 'Thorax 5.0 mm mediastinum'), { depths: CHEST_DEPTHS, sliceThickness: 5, zOfApex: 112, scan: { noduleRadius: 3, noise: 10, noiseSeed: 202 }, kernel: 'Br40', windows: [CT_WINDOWS.mediastinum, CT_WINDOWS.lung], contrast: false, transferSyntaxUid: COMPRESSED_SYNTAX.rleLossless }, ct);
  await writeCrChest(out, chestXr, { number: 1, modality: 'CR', description: 'Chest PA', bodyPart: 'CHEST', sopClassUid: SOP_CLASS.cr, ...CR_READER }, COMPRESSED_SYNTAX.jpegLsLossless, ct.seed);

  const brain: DemoStudy = { index: 4, patient: SHOWCASE_PATIENTS.brain, date: '20261110', time: '081000', accession: 'DH26111003', description: 'MR Brain w/o contrast', referringPhysician: REFERRERS[2], institution: INSTITUTION };
  const mrSeries = (number: number, description: string): DemoSeries => ({ number, modality: 'MR', description, bodyPart: 'BRAIN', sopClassUid: SOP_CLASS.mr, ...MR_SCANNER });
  const mr = { heights: BRAIN_HEIGHTS, matrix: 256, fieldOfView: 230, sliceThickness: 5 };
  await writeHead(out, brain, mrSeries(1, 'AX T1 SE'), { ...mr, contrast: 'T1', noiseSeed: 1, transferSyntaxUid: TRANSFER_SYNTAX.implicitLittleEndian }, head);
  await writeHead(out, brain, mrSeries(2, 'AX T2 TSE'), { ...mr, contrast: 'T2', noiseSeed: 2, transferSyntaxUid: COMPRESSED_SYNTAX.jpeg2000Lossless }, head);
  await writeHead(out, brain, mrSeries(3, 'AX FLAIR'), { ...mr, contrast: 'FLAIR', noiseSeed: 3, transferSyntaxUid: COMPRESSED_SYNTAX.jpegLossless }, head);

  const angio: DemoStudy = { index: 5, patient: SHOWCASE_PATIENTS.heart, date: '20261112', time: '132000', accession: 'DH26111209', description: 'XA Coronary Angiography', referringPhysician: REFERRERS[3], institution: INSTITUTION };
  const xaSeries = (number: number, description: string): DemoSeries => ({ number, modality: 'XA', description, bodyPart: 'HEART', sopClassUid: SOP_CLASS.xa, ...XA_SYSTEM });
  await writeXaCine(out, angio, xaSeries(1, 'LCA RAO 30 CAU 20'), { frames: 30, frameTime: 66.7, primaryAngle: -30, secondaryAngle: -20, seed: 3, transferSyntaxUid: COMPRESSED_SYNTAX.jpegBaseline, encoding: { quality: 92 } });
  await writeXaCine(out, angio, xaSeries(2, 'LCA LAO 40 CRA 25'), { frames: 24, frameTime: 66.7, primaryAngle: 40, secondaryAngle: 25, seed: 4, transferSyntaxUid: TRANSFER_SYNTAX.explicitLittleEndian });

  const mammo: DemoStudy = { index: 6, patient: SHOWCASE_PATIENTS.breast, date: '20261105', time: '111500', accession: 'DH26110512', description: 'Mammo Screening Bilateral', referringPhysician: REFERRERS[5], institution: INSTITUTION };
  await writeMammoCc(out, mammo, { number: 1, modality: 'MG', description: 'R CC / L CC', bodyPart: 'BREAST', sopClassUid: SOP_CLASS.mammoForPresentation, ...MG_SYSTEM }, [{ laterality: 'R', calcifications: 0 }, { laterality: 'L', calcifications: 7 }], COMPRESSED_SYNTAX.htj2kLossless, 21);
}

/** What a worklist study can be: the description, who it suits, and how to make its images. */
interface FillerKind {
  readonly description: string;
  readonly sex?: 'F' | 'M';
  readonly minAge: number;
  readonly maxAge: number;
  readonly weight: number;
  readonly write: (out: DemoOutput, study: DemoStudy, ct: CtAnatomyCache, head: HeadLabelCache) => Promise<void>;
}

const fillerCt = (description: string, depths: readonly number[], bodyPart: string) => async (out: DemoOutput, study: DemoStudy, ct: CtAnatomyCache) =>
  writeCtChest(out, study, { number: 2, modality: 'CT', description, bodyPart, sopClassUid: SOP_CLASS.ct, ...CT_SCANNER }, { depths, sliceThickness: 10, zOfApex: -30, scan: { noduleRadius: 0, noise: 10, noiseSeed: 7 }, kernel: 'Br40', windows: [CT_WINDOWS.mediastinum, CT_WINDOWS.lung], contrast: false, transferSyntaxUid: COMPRESSED_SYNTAX.jpegLsLossless, encoding: { reuseKey: `filler-ct-${bodyPart}` } }, ct);

const FILLER_KINDS: readonly FillerKind[] = [
  { description: 'CT Chest w/o contrast', minAge: 35, maxAge: 90, weight: 3, write: fillerCt('Thorax 10 mm key image', [150], 'CHEST') },
  { description: 'CT Abdomen upper w/o contrast', minAge: 30, maxAge: 90, weight: 1, write: fillerCt('Upper abdomen 10 mm key image', [285], 'ABDOMEN') },
  {
    description: 'CT Head w/o contrast',
    minAge: 18,
    maxAge: 95,
    weight: 2,
    write: (out, study, _ct, head) =>
      writeHead(out, study, { number: 2, modality: 'CT', description: 'Head 5 mm', bodyPart: 'HEAD', sopClassUid: SOP_CLASS.ct, ...CT_SCANNER }, { contrast: 'CT', heights: [42], matrix: 512, fieldOfView: 230, sliceThickness: 5, noiseSeed: 9, transferSyntaxUid: COMPRESSED_SYNTAX.jpegLsLossless, encoding: { reuseKey: 'filler-ct-head' } }, head),
  },
  {
    description: 'MR Brain w/wo contrast',
    minAge: 10,
    maxAge: 85,
    weight: 3,
    write: async (out, study, _ct, head) => {
      const plan = { heights: [42, 60], matrix: 256, fieldOfView: 230, sliceThickness: 5, transferSyntaxUid: COMPRESSED_SYNTAX.jpeg2000Lossless };
      const series = (number: number, description: string): DemoSeries => ({ number, modality: 'MR', description, bodyPart: 'BRAIN', sopClassUid: SOP_CLASS.mr, ...MR_SCANNER });
      await writeHead(out, study, series(1, 'AX T1 SE'), { ...plan, contrast: 'T1', noiseSeed: 11, encoding: { reuseKey: 'filler-t1' } }, head);
      await writeHead(out, study, series(2, 'AX T2 TSE'), { ...plan, contrast: 'T2', noiseSeed: 12, encoding: { reuseKey: 'filler-t2' } }, head);
    },
  },
  {
    description: 'XR Chest PA',
    minAge: 18,
    maxAge: 95,
    weight: 3,
    write: (out, study, ct) =>
      writeCrChest(out, study, { number: 1, modality: 'CR', description: 'Chest PA', bodyPart: 'CHEST', sopClassUid: SOP_CLASS.cr, ...CR_READER }, COMPRESSED_SYNTAX.jpeg2000, ct.seed, { rate: 80, reuseKey: 'filler-cr' }),
  },
  {
    description: 'Mammo Screening Bilateral',
    sex: 'F',
    minAge: 40,
    maxAge: 75,
    weight: 2,
    write: (out, study) =>
      writeMammoCc(out, study, { number: 1, modality: 'MG', description: 'R CC / L CC', bodyPart: 'BREAST', sopClassUid: SOP_CLASS.mammoForPresentation, ...MG_SYSTEM }, [{ laterality: 'R', calcifications: 0 }, { laterality: 'L', calcifications: 7 }], COMPRESSED_SYNTAX.jpeg2000, 21, { rate: 100, reuseKey: 'filler-mg' }),
  },
  {
    description: 'XA Coronary Angiography',
    minAge: 45,
    maxAge: 85,
    weight: 1,
    write: (out, study) =>
      writeXaCine(out, study, { number: 1, modality: 'XA', description: 'LCA RAO 30 CAU 20', bodyPart: 'HEART', sopClassUid: SOP_CLASS.xa, ...XA_SYSTEM }, { frames: 8, frameTime: 66.7, primaryAngle: -30, secondaryAngle: -20, seed: 3, transferSyntaxUid: COMPRESSED_SYNTAX.jpegBaseline, encoding: { quality: 80, reuseKey: 'filler-xa' } }),
  },
];

const FEMALE_GIVEN = ['Mary', 'Patricia', 'Jennifer', 'Linda', 'Elizabeth', 'Susan', 'Sarah', 'Karen', 'Anna', 'Sophie', 'Élodie', 'Chloé', 'Giulia', 'Ingrid', 'Zofia', 'Inês', 'Aoife', 'Mei', 'Priya', 'Fatima', 'Olivia', 'Emma'];
const MALE_GIVEN = ['James', 'John', 'Robert', 'Michael', 'William', 'David', 'Richard', 'Thomas', 'Jürgen', 'Lukas', 'Hugo', 'Marco', 'Sven', 'Piotr', 'João', 'Seán', 'Hiroshi', 'Wei', 'Arjun', 'Omar', 'Noah', 'Liam'];

const day = (date: Date): string => date.toISOString().slice(0, 10).replaceAll('-', '');

/** The worklist's studies: `count` of them over about 120 patients, two years of dates. */
export async function writeFillers(out: DemoOutput, ct: CtAnatomyCache, head: HeadLabelCache, count: number, firstIndex: number): Promise<void> {
  const random = seededRandom(2024);
  const patients: DemoPatient[] = Array.from({ length: Math.max(1, Math.round(count * 0.4)) }, (_, i) => {
    const sex = random() < 0.52 ? 'F' : 'M';
    const given = sex === 'F' ? FEMALE_GIVEN : MALE_GIVEN;
    const born = new Date(Date.UTC(1932 + Math.floor(random() * 80), Math.floor(random() * 12), 1 + Math.floor(random() * 28)));
    return { id: `DH${String(2000000 + i * 37).padStart(7, '0')}`, name: `${FAMILY_NAMES[Math.floor(random() * FAMILY_NAMES.length)]}^${given[Math.floor(random() * given.length)]}`, sex, birthDate: day(born) };
  });
  const totalWeight = FILLER_KINDS.reduce((sum, kind) => sum + kind.weight, 0);
  for (let n = 0; n < count; n++) {
    let pick = random() * totalWeight;
    const kind = FILLER_KINDS.find((k) => (pick -= k.weight) < 0) ?? FILLER_KINDS[0];
    const date = new Date(Date.UTC(2024, 11, 1) + Math.floor(random() * 700) * 86_400_000);
    const ageOn = (p: DemoPatient): number => (date.getTime() - Date.UTC(Number(p.birthDate.slice(0, 4)), Number(p.birthDate.slice(4, 6)) - 1, Number(p.birthDate.slice(6, 8)))) / (365.25 * 86_400_000);
    // The first patient (from a random start) whom this exam suits.
    const start = Math.floor(random() * patients.length);
    let patient = patients[start];
    for (let i = 0; i < patients.length; i++) {
      const candidate = patients[(start + i) % patients.length];
      const age = ageOn(candidate);
      if ((kind.sex === undefined || kind.sex === candidate.sex) && age >= kind.minAge && age <= kind.maxAge) {
        patient = candidate;
        break;
      }
    }
    const index = firstIndex + n;
    const study: DemoStudy = {
      index,
      patient,
      date: day(date),
      time: `${String(7 + Math.floor(random() * 11)).padStart(2, '0')}${String(Math.floor(random() * 60)).padStart(2, '0')}00`,
      accession: `DH${day(date).slice(2)}${String(index).padStart(3, '0')}`,
      description: kind.description,
      referringPhysician: REFERRERS[Math.floor(random() * REFERRERS.length)],
      institution: INSTITUTION,
    };
    await kind.write(out, study, ct, head);
  }
}
