/**
 * `npm start`: builds, then launches the desktop app where Electron can run; otherwise says why
 * in one line and starts browser mode. `npm run start:browser` (or `-- --browser`) asks for
 * browser mode directly. Other arguments go to the app (e.g. `--data <folder>`, `--port <n>`).
 * `--dicom-port <n>` and `--ae-title <AE>` turn the DICOM listener on for this run (checked here,
 * handed to the app in the environment so Electron and browser mode read them alike).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { takeDicomFlags } from '../electron/main/dicom-net/dicom-flags';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const wantsBrowser = args.includes('--browser');
let dicom: ReturnType<typeof takeDicomFlags>;
try {
  dicom = takeDicomFlags(args.filter((arg) => arg !== '--browser'));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const appArgs = [...dicom.rest];
if (dicom.flags.port !== undefined) process.env.STUDYSHARE_DICOM_PORT = String(dicom.flags.port);
if (dicom.flags.aeTitle !== undefined) process.env.STUDYSHARE_AE_TITLE = dicom.flags.aeTitle;

function run(command: string, commandArgs: string[]): void {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** Why Electron cannot run here, or null when it can. Never loads the electron package. */
function electronUnavailable(): string | null {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)';
  }
  const packageDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const binaryPath = (): string | null => {
    const pathFile = path.join(packageDir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const binary = path.join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(binary) ? binary : null;
  };
  if (binaryPath() !== null) return null;
  // Electron fetches its binary on first use; where that download is impossible, say so.
  const install = spawnSync(process.execPath, [path.join(packageDir, 'install.js')], { cwd: root, stdio: 'ignore', timeout: 120_000 });
  if (install.status === 0 && binaryPath() !== null) return null;
  return 'the Electron binary is not installed and could not be downloaded';
}

run(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'warn']);

const reason = wantsBrowser ? null : electronUnavailable();
if (!wantsBrowser && reason === null) {
  run(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'preview', '--skipBuild', ...(appArgs.length > 0 ? ['--', ...appArgs] : [])]);
} else {
  if (reason !== null) console.log(`Electron cannot run here (${reason}): opening browser mode.`);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'electron/main/browser-main.ts'), ...appArgs], {
    cwd: root,
    stdio: 'inherit',
  });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  child.on('exit', (code) => process.exit(code ?? 0));
}
