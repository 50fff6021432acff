/** Makes the viewer's test corpus (scripts/test-data/viewer-corpus.py: pydicom, DCMTK, GDCM) in a folder and reads what it expects. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './app-harness';

export interface ExpectedSeries {
  readonly name: string;
  readonly description: string;
  readonly transferSyntax: string;
  /** 0-based frame of the instance the region is read from. */
  readonly frame: number;
  /** x, y, width, height */
  readonly region: readonly [number, number, number, number];
  readonly channels: 1 | 3;
  readonly values: readonly number[];
  readonly tolerance: number;
}

export interface BadSeries {
  readonly series: string;
  /** 1-based images that must say they cannot be shown. */
  readonly damaged: readonly number[];
  readonly damage?: 'truncate-after-import';
  readonly file?: string;
}

export interface ViewerCorpus {
  readonly folder: string;
  readonly study: string;
  readonly badStudy: string;
  readonly series: readonly ExpectedSeries[];
  readonly bad: readonly BadSeries[];
}

/** Python with pydicom and numpy: Debian's, not a pyenv one first on PATH. */
export const PYTHON = process.env.STUDYSHARE_PYTHON ?? '/usr/bin/python3';

export function makeViewerCorpus(folder: string): ViewerCorpus {
  execFileSync(PYTHON, [path.join(ROOT, 'scripts/test-data/viewer-corpus.py'), folder], { stdio: ['ignore', 'ignore', 'inherit'] });
  const expected = JSON.parse(readFileSync(path.join(folder, 'expected.json'), 'utf8')) as Omit<ViewerCorpus, 'folder'>;
  return { folder: path.join(folder, 'files'), ...expected };
}

/** Escapes text for a RegExp. */
export const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
