/**
 * The client side of bench:upload and the upload memory test: a hub process started apart
 * (scripts/bench/upload-hub.ts), uploads streamed from a generated DICOM file, and the hub
 * process's resident memory (VmRSS in /proc/<pid>/status) sampled while they run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { largeDicomStream } from '../../server/test-support/large-dicom';

export interface UploadHub {
  readonly process: ChildProcess;
  readonly port: number;
  readonly token: string;
  readonly studyId: string;
  readonly blobDir: string;
  stop(): Promise<void>;
}

/**
 * `built`: the hub's code bundled as `npm run hub` runs it (plain node, no TypeScript loader —
 * what the figures are about); otherwise under tsx (the tests, which need no build step).
 */
export async function startUploadHub(options: { readonly built?: boolean } = {}): Promise<UploadHub> {
  const script = fileURLToPath(new URL('./upload-hub.ts', import.meta.url));
  const args = options.built === true ? [await bundleUploadHub()] : ['--import', 'tsx', script];
  // One node process (the loader inside it, not a wrapper), so the pid sampled is the hub's own.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  const facts = JSON.parse(line) as { port: number; token: string; studyId: string; blobDir: string };
  return {
    process: child,
    ...facts,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    },
  };
}

async function bundleUploadHub(): Promise<string> {
  // @ts-expect-error: a plain-JavaScript build script, without type declarations.
  const { bundle } = (await import('../build-hub.mjs')) as { bundle: (entry: string, outfile: string) => Promise<string> };
  return bundle('scripts/bench/upload-hub.ts', 'out/bench/upload-hub.mjs');
}

/** The process's resident set in bytes (Linux). */
export function residentBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`No VmRSS for process ${pid}.`);
  return Number(match[1]) * 1024;
}

/** Streams a generated DICOM file of about `pixelBytes` to the hub; resolves with the status and answer. */
export async function uploadGenerated(hub: UploadHub, sop: string, pixelBytes: number, onChunk?: () => void): Promise<{ status: number; body: string }> {
  const file = largeDicomStream(pixelBytes, { sopInstanceUid: sop, ...(onChunk === undefined ? {} : { onChunk }) });
  const outgoing = request({
    host: '127.0.0.1',
    port: hub.port,
    method: 'PUT',
    path: `/api/studies/${hub.studyId}/files/${sop}`,
    headers: { authorization: `Bearer ${hub.token}`, 'content-type': 'application/dicom', 'content-length': String(file.size) },
  });
  const answered = once(outgoing, 'response') as Promise<[import('node:http').IncomingMessage]>;
  await pipeline(file.stream, outgoing);
  const [response] = await answered;
  let body = '';
  for await (const chunk of response) body += String(chunk);
  return { status: response.statusCode ?? 0, body };
}

/** Runs `work` while sampling the hub's RSS every `everyMs`; returns the work's result and the peak. */
export async function withPeakRss<T>(pid: number, work: () => Promise<T>, everyMs = 50): Promise<{ result: T; peak: number; before: number }> {
  const before = residentBytes(pid);
  let peak = before;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, residentBytes(pid));
    } catch {
      // The process ended; the work will say why.
    }
  }, everyMs);
  try {
    const result = await work();
    peak = Math.max(peak, residentBytes(pid));
    return { result, peak, before };
  } finally {
    clearInterval(timer);
  }
}
