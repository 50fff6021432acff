/**
 * Where Download… saves when the host has no save dialog (browser mode, issue 13 part 1): a
 * `downloads` folder in the app's data folder, under a name that does not overwrite an earlier
 * download (`study-1a2b3c4d.zip`, then `study-1a2b3c4d (2).zip`, …). The name is main's own.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export function freeDownloadPath(folder: string, suggestedName: string): Promise<string> {
  mkdirSync(folder, { recursive: true });
  const { name, ext } = path.parse(path.basename(suggestedName));
  for (let n = 1; ; n++) {
    const candidate = path.join(folder, n === 1 ? `${name}${ext}` : `${name} (${n})${ext}`);
    if (!existsSync(candidate) && !existsSync(`${candidate}.part`)) return Promise.resolve(candidate);
  }
}
