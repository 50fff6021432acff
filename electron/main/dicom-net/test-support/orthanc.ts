/**
 * Orthanc (Debian's `orthanc`) as the PACS in tests and the benchmark. Orthanc listens on every
 * interface, so it only ever runs inside a private network namespace (`unshare -n`, loopback
 * up): nothing outside the test can reach it, and the test's own DICOM side runs in the same
 * namespace (see `inPrivateNetwork`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runTool, waitForPort, type ToolResult } from './dcmtk';

export const ORTHANC_BINARY = '/usr/sbin/Orthanc';

export interface OrthancOptions {
  readonly dir: string;
  readonly dicomPort: number;
  readonly httpPort: number;
  readonly aeTitle?: string;
  /** Peers Orthanc may C-MOVE to and send to: name → [AE, host, port]. */
  readonly modalities?: Readonly<Record<string, readonly [string, string, number]>>;
}

export interface RunningOrthanc {
  readonly process: ChildProcess;
  readonly url: string;
  stop(): Promise<void>;
}

export async function startOrthanc(options: OrthancOptions): Promise<RunningOrthanc> {
  mkdirSync(options.dir, { recursive: true });
  const config = {
    Name: 'StudyshareTestPACS',
    StorageDirectory: path.join(options.dir, 'storage'),
    IndexDirectory: path.join(options.dir, 'index'),
    DicomAet: options.aeTitle ?? 'ORTHANC',
    DicomPort: options.dicomPort,
    HttpPort: options.httpPort,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    DicomCheckCalledAet: true,
    DicomAlwaysAllowEcho: true,
    DicomAlwaysAllowStore: true,
    DicomAlwaysAllowFind: true,
    DicomAlwaysAllowGet: true,
    DicomAlwaysAllowMove: true,
    StorageCompression: false,
    LimitFindResults: 0,
    LimitFindInstances: 0,
    Plugins: [],
    DicomModalities: options.modalities ?? {},
    ConcurrentJobs: 2,
    StableAge: 1,
  };
  const file = path.join(options.dir, 'orthanc.json');
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(ORTHANC_BINARY, [file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('latin1')).slice(-4000)));
  try {
    await waitForPort(options.httpPort, 30_000);
    await waitForPort(options.dicomPort, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`Orthanc did not start: ${(error as Error).message}\n${stderr}`, { cause: error });
  }
  return {
    process: child,
    url: `http://127.0.0.1:${options.httpPort}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/** Whether this machine can run Orthanc in a private network namespace. */
export async function canRunOrthanc(): Promise<boolean> {
  try {
    const result = await runTool('unshare', ['-n', 'sh', '-c', `ip link set lo up && test -x ${ORTHANC_BINARY}`], 10_000);
    return result.code === 0;
  } catch {
    return false;
  }
}

/**
 * Runs a Node script (TypeScript, through tsx) inside a new private network namespace with
 * loopback up. What it prints on stdout is the result; Orthanc and everything else it starts
 * dies with the namespace's processes.
 */
export function inPrivateNetwork(script: string, args: readonly string[], timeoutMs: number): Promise<ToolResult> {
  const quoted = [script, ...args].map((arg) => `'${arg.replaceAll("'", "'\\''")}'`).join(' ');
  return runTool('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec node --import tsx ${quoted}`], timeoutMs);
}
