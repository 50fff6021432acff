/**
 * Whether a DCMTK tool runs here, for tests that check our files against DCMTK's. Outside CI a
 * machine without DCMTK skips those tests; in CI its absence is an error (.ci/run installs it).
 */
import { execFileSync } from 'node:child_process';

export function dcmtkAvailable(tool: string): boolean {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI) throw new Error('dcmtk is required in CI (apt-get install dcmtk): .ci/run installs it');
    return false;
  }
}
