import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/temp-dir';
import { COMPRESSED_SYNTAX } from '../dicom-write/pixel-codecs';
import { SOP_CLASS, type DemoSeries, type DemoStudy } from './demo-headers';
import { CT_WINDOWS, CtAnatomyCache, HeadLabelCache, writeCtChest, writeHead, writeXaCine } from './demo-modalities';
import { DemoOutput } from './demo-output';

const study: DemoStudy = {
  index: 900,
  patient: { id: 'T1', name: 'Test^Patient', sex: 'M', birthDate: '19700101' },
  date: '20260101',
  time: '080000',
  accession: 'T900',
  description: 'CT Chest w/o contrast',
  referringPhysician: 'Physician^Paula',
  institution: 'Demo Hospital',
};
const series = (number: number, modality: string, sopClassUid: string): DemoSeries => ({ number, modality, description: 'test', bodyPart: 'CHEST', manufacturer: 'Demo', model: 'Demo', sopClassUid });

/** Writes a few series of each costly kind into `folder`, from fresh caches. */
async function writeSample(folder: string): Promise<Map<string, Buffer>> {
  const out = new DemoOutput(folder);
  const ct = new CtAnatomyCache(11);
  await writeCtChest(out, study, series(1, 'CT', SOP_CLASS.ct), { depths: [40, 190], sliceThickness: 5, zOfApex: 0, scan: { noduleRadius: 4, noise: 9, noiseSeed: 1 }, kernel: 'Br40', windows: [CT_WINDOWS.mediastinum], contrast: false, transferSyntaxUid: COMPRESSED_SYNTAX.jpegLsLossless }, ct);
  await writeHead(out, study, series(2, 'MR', SOP_CLASS.mr), { contrast: 'T2', heights: [48], matrix: 256, fieldOfView: 230, sliceThickness: 5, noiseSeed: 2, transferSyntaxUid: COMPRESSED_SYNTAX.rleLossless }, new HeadLabelCache(5));
  await writeXaCine(out, study, series(3, 'XA', SOP_CLASS.xa), { frames: 4, frameTime: 66.7, primaryAngle: -30, secondaryAngle: -20, seed: 3, transferSyntaxUid: '1.2.840.10008.1.2.1' });
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(folder, { recursive: true, encoding: 'utf8' })) {
    if (name.endsWith('.dcm')) files.set(name, readFileSync(path.join(folder, name)));
  }
  return files;
}

describe('demo series', () => {
  it('are the same bytes on every run: seeded noise, texture and trees, no clock, no randomness from outside', async () => {
    const first = await writeSample(tempDir());
    const second = await writeSample(tempDir());
    expect([...first.keys()].sort()).toEqual(['900/1/1.dcm', '900/1/2.dcm', '900/2/1.dcm', '900/3/1.dcm']);
    for (const [name, bytes] of first) expect(second.get(name)?.equals(bytes), name).toBe(true);
    // And a different noise seed gives a different scan of the same anatomy.
    const out = new DemoOutput(tempDir());
    const ct = new CtAnatomyCache(11);
    await writeCtChest(out, study, series(1, 'CT', SOP_CLASS.ct), { depths: [40], sliceThickness: 5, zOfApex: 0, scan: { noduleRadius: 4, noise: 9, noiseSeed: 99 }, kernel: 'Br40', windows: [CT_WINDOWS.mediastinum], contrast: false, transferSyntaxUid: COMPRESSED_SYNTAX.jpegLsLossless }, ct);
    expect(readFileSync(path.join(out.folder, '900/1/1.dcm')).equals(first.get('900/1/1.dcm') ?? Buffer.alloc(0))).toBe(false);
  });
});
