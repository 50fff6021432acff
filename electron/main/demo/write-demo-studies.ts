/**
 * Generates the demo's DICOM files into a folder (deterministically: the same files on every
 * machine) and says what it wrote and how long it took. Files go to a temporary folder first
 * and are renamed into place, so an interrupted run never leaves a half-made demo behind.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { CtAnatomyCache, HeadLabelCache } from './demo-modalities';
import { writeFillers, writeShowcase } from './demo-catalogue';
import { DemoOutput, type DemoSeriesReport } from './demo-output';

/** Showcase studies (index 1–6) come first; the worklist's studies are numbered after them. */
export const SHOWCASE_STUDIES = 6;

export interface DemoWriteResult {
  readonly series: readonly DemoSeriesReport[];
  readonly studies: number;
  readonly files: number;
  readonly bytes: number;
  readonly milliseconds: number;
}

export async function writeDemoStudies(folder: string, options: { readonly fillerStudies: number }): Promise<DemoWriteResult> {
  const started = performance.now();
  const partial = `${folder}.partial`;
  rmSync(partial, { recursive: true, force: true });
  const out = new DemoOutput(partial);
  const ct = new CtAnatomyCache(11);
  const head = new HeadLabelCache(5);
  await writeShowcase(out, ct, head);
  await writeFillers(out, ct, head, options.fillerStudies, SHOWCASE_STUDIES + 1);
  if (existsSync(folder)) rmSync(folder, { recursive: true, force: true });
  renameSync(partial, folder);
  return {
    series: out.reports,
    studies: SHOWCASE_STUDIES + options.fillerStudies,
    files: out.reports.reduce((sum, report) => sum + report.files, 0),
    bytes: out.reports.reduce((sum, report) => sum + report.bytes, 0),
    milliseconds: performance.now() - started,
  };
}
