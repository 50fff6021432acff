/**
 * The viewer benches' series: a 512×512 16-bit CT of `slices` images, uncompressed (`raw/`) and
 * JPEG 2000 lossless (`j2k/`), made once by scripts/test-data/ct-series.py and kept in
 * .bench/viewer/ct-<slices> (bench:viewer and bench:viewer-peer measure the same files).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

export const BENCH_ROOT = path.resolve(import.meta.dirname, '../..');
const PYTHON = process.env.STUDYSHARE_PYTHON ?? '/usr/bin/python3';

export function viewerCorpus(slices: number): string {
  const folder = path.join(BENCH_ROOT, '.bench/viewer', `ct-${slices}`);
  if (!existsSync(path.join(folder, 'j2k', `${String(slices).padStart(4, '0')}.dcm`))) {
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
    console.log(`making ${slices} CT slices, uncompressed and JPEG 2000 (once; kept in ${path.relative(BENCH_ROOT, folder)})…`);
    const made = spawnSync(PYTHON, [path.join(BENCH_ROOT, 'scripts/test-data/ct-series.py'), folder, String(slices), '--j2k'], { stdio: 'inherit' });
    if (made.status !== 0) throw new Error('ct-series.py failed (needs python3-pydicom, python3-numpy, libgdcm-tools)');
  }
  return folder;
}
