/**
 * Tests read generated DICOM back with implementations independent of ours: pydicom for headers
 * and pixels, dcmtk and GDCM to decompress, OpenJPH for HTJ2K (in dicom-probe.py).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** Header fields and pixel values as pydicom reads them. */
export interface Probe {
  readonly transferSyntax: string;
  /** Values at the requested points (or every value, row by row, with `all`), rescaled. */
  readonly values?: number[];
  readonly mean?: number;
  readonly [field: string]: unknown;
}

export interface ProbeRequest {
  readonly path: string;
  readonly frame?: number;
  readonly points?: ReadonlyArray<readonly [number, number]>;
  readonly all?: boolean;
}

const PROBE = path.join(import.meta.dirname, 'dicom-probe.py');

export function probe(files: readonly ProbeRequest[]): Probe[] {
  // Debian's python3 has pydicom; a pyenv python on PATH may not.
  const run = spawnSync('/usr/bin/python3', [PROBE], { input: JSON.stringify({ files }), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`dicom-probe failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Probe[];
}

const DECODERS: Readonly<Record<string, readonly string[]>> = {
  '1.2.840.10008.1.2.5': ['dcmdrle'],
  '1.2.840.10008.1.2.4.50': ['dcmdjpeg'],
  '1.2.840.10008.1.2.4.70': ['dcmdjpeg'],
  '1.2.840.10008.1.2.4.80': ['dcmdjpls'],
  '1.2.840.10008.1.2.4.81': ['dcmdjpls'],
  '1.2.840.10008.1.2.4.90': ['gdcmconv', '--raw'],
  '1.2.840.10008.1.2.4.91': ['gdcmconv', '--raw'],
};

/** A native copy of a compressed file made by dcmtk or GDCM, written to `target`; native files
 * and HTJ2K (which the probe decodes with OpenJPH) are returned as they are. */
export function decompressed(file: string, syntax: string, target: string): string {
  const command = DECODERS[syntax];
  if (command === undefined) return file;
  const run = spawnSync(command[0], [...command.slice(1), file, target], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${command[0]} could not decode ${file}: ${run.stderr}`);
  return target;
}
