/** The viewer's settings on this computer (the cache bound), in `viewer-settings.json` in the data folder. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { VIEWER_CACHE_MB, type ViewerSettings } from '../../../shared/viewer/viewer-types';

const FILE = 'viewer-settings.json';

export function readViewerSettings(dataDir: string): ViewerSettings {
  try {
    const value = (JSON.parse(readFileSync(path.join(dataDir, FILE), 'utf8')) as { cacheMegabytes?: unknown }).cacheMegabytes;
    if (typeof value === 'number' && Number.isInteger(value) && value >= VIEWER_CACHE_MB.min && value <= VIEWER_CACHE_MB.max) return { cacheMegabytes: value };
  } catch {
    // Absent or unreadable: the default.
  }
  return { cacheMegabytes: VIEWER_CACHE_MB.default };
}

export function writeViewerSettings(dataDir: string, settings: ViewerSettings): void {
  writeFileSync(path.join(dataDir, FILE), JSON.stringify(settings), { mode: 0o600 });
}
