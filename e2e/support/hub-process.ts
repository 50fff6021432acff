/**
 * The hub as a site runs it: `server/server.ts` in a process of its own, on a loopback port, with
 * its own data folder; the first-run setup code is read from its console as an operator would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../electron/main/test-support/free-port';
import { ROOT } from './app-harness';

export interface HubProcess {
  readonly url: string;
  /** The setup code it printed (null once a site exists). */
  readonly setupCode: string | null;
  /** What it printed on stderr so far (the operator's lines). */
  console(): string;
  stop(): Promise<number | null>;
}

export async function startHubProcess(options: { env?: Record<string, string>; args?: string[] } = {}): Promise<HubProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'studyshare-hub-process-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'server/server.ts'), '--port', String(port), '--data', dataDir, '--public-url', url, ...(options.args ?? [])],
    { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Ready when it says where it listens; a hub that exits first fails the test with what it said.
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (/hub: listening on /.test(stderr)) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`the hub exited (${code}) before it listened: ${stderr}`));
    });
  });
  return {
    url,
    setupCode: /first-run setup code: (\S+)/.exec(stderr)?.[1] ?? null,
    console: () => stderr,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
