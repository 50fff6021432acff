/**
 * The hub as an operator runs it: the real `server/server.ts` in its own process, on a real
 * port, stopped with a real signal. What only the process shows is checked here: what it prints
 * (the setup code, where it listens), its exit codes, its stdout log, graceful shutdown.
 * SQLite only: these are about the process and its data folder (hub.sqlite among it); hub
 * processes on PostgreSQL are started in server/multi-process.test.ts.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, Agent } from 'node:http';
import { plainGet, type PlainAnswer } from './test-support/plain-get';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../electron/main/test-support/free-port';
import { makeSelfSignedCertificate } from './test-support/self-signed-cert';

const ROOT = path.resolve(import.meta.dirname, '..');

interface HubProcess {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves once stderr or stdout (whichever `where` says) holds a match. */
  waitFor(where: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpMatchArray>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running: HubProcess[] = [];

function startHub(args: ReadonlyArray<string>): HubProcess {
  // The hub's settings come only from the arguments: none leak in from the environment of whoever runs the tests.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('HUB_')));
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/server.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const waiters: Array<() => void> = [];
  const hub: HubProcess = {
    child,
    stdout: '',
    stderr: '',
    waitFor: (where, pattern) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          const match = hub[where].match(pattern);
          if (match !== null) resolve(match);
          return match !== null;
        };
        if (check()) return;
        waiters.push(() => void check());
        void hub.exited.then(() => {
          if (!check()) reject(new Error(`the hub exited before its ${where} matched ${pattern}; stderr: ${hub.stderr}`));
        });
      }),
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    hub.stdout += chunk;
    for (const waiter of waiters) waiter();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    hub.stderr += chunk;
    for (const waiter of waiters) waiter();
  });
  running.push(hub);
  return hub;
}

afterAll(() => {
  for (const hub of running) if (hub.child.exitCode === null && hub.child.signalCode === null) hub.child.kill('SIGKILL');
});


/** Whether a new TCP connection to the port is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

const SETUP_CODE_LINE = /^hub: first-run setup code: ([0-9A-HJKMNP-TV-Z]{10})$/m;
const LISTENING_LINE = /^hub: listening on (https?:\/\/127\.0\.0\.1:\d+)$/m;

describe('the hub process', () => {
  const data = mkdtempSync(path.join(tmpdir(), 'studyshare-hub-process-'));
  const certificate = makeSelfSignedCertificate();
  afterAll(() => {
    rmSync(data, { recursive: true, force: true });
    rmSync(certificate.dir, { recursive: true, force: true });
  });
  let port = 0;
  let first: HubProcess;
  let setupCode = '';

  it('on a fresh data folder prints a setup code on stderr (not in the log), answers health checks, and logs JSON lines with a request id and no query or token', async () => {
    port = await freePort();
    first = startHub(['--port', String(port), '--data', data, '--public-url', `http://127.0.0.1:${port}`, '--name', 'Test Hub']);
    const [, url] = await first.waitFor('stderr', LISTENING_LINE);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    setupCode = first.stderr.match(SETUP_CODE_LINE)?.[1] ?? '';
    expect(setupCode).toMatch(/^[0-9A-Z]{10}$/);

    expect(await plainGet(`${url}/healthz`)).toEqual({ status: 200, body: '{"status":"ok"}' });
    expect(await plainGet(`${url}/readyz`)).toEqual({ status: 200, body: '{"status":"ok"}' });
    expect((await plainGet(`${url}/`)).body).toContain('This hub has no site yet');
    await plainGet(`${url}/api/worklists/1/studies?q=Doe%5EJane`);
    await plainGet(`${url}/g/guestSECRET/api/series?dob=19700101`);
    await plainGet(`${url}/register/inviteSECRET`);
    await first.waitFor('stdout', /"url":"\/register\/\[token\]"[^\n]*\n[^\n]*"request completed"/);

    const lines = first.stdout.trim().split('\n').map((line) => JSON.parse(line) as { reqId?: string; req?: { url: string }; res?: unknown });
    const requestLines = lines.filter((line) => line.req !== undefined || line.res !== undefined);
    expect(requestLines.length).toBe(12);
    for (const line of requestLines) expect(line.reqId).toMatch(/^[0-9a-f-]{36}$/);
    for (const secret of ['?', 'Doe', 'SECRET', '19700101', setupCode]) expect(first.stdout).not.toContain(secret);
  });

  it('on SIGTERM refuses new connections, lets the request in flight finish, and exits 0', async () => {
    const body = JSON.stringify({ accountName: 'North Imaging', adminName: 'Ada Admin', email: 'ada@example.org', password: 'correct horse battery', setupToken: setupCode });
    // A keep-alive client, as a load balancer or the desktop would be: the hub must not wait for it to hang up.
    const agent = new Agent({ keepAlive: true });
    const answer = new Promise<PlainAnswer>((resolve, reject) => {
      const request = httpRequest(`http://127.0.0.1:${port}/api/setup`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      });
      request.on('error', reject);
      request.write(body.slice(0, 30));
      // The rest is sent only after the hub has begun to stop (below).
      void first.waitFor('stderr', /^hub: SIGTERM: /m).then(async () => {
        for (let attempt = 0; attempt < 200 && !(await refused(port)); attempt++) await new Promise((resolve) => setTimeout(resolve, 10));
        request.end(body.slice(30));
      });
    });
    // The hub has the request in hand (it logged its arrival) before it is told to stop.
    await first.waitFor('stdout', /"url":"\/api\/setup"[^\n]*"msg":"incoming request"/);
    first.child.kill('SIGTERM');
    await first.waitFor('stderr', /^hub: SIGTERM: /m);

    const finished = await answer;
    expect(await refused(port)).toBe(true);
    expect(finished.status).toBe(201);
    expect(JSON.parse(finished.body)).toMatchObject({ account: { name: 'North Imaging' }, user: { email: 'ada@example.org', role: 'Admin' } });
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.stderr).toMatch(/^hub: stopped\.$/m);
    agent.destroy();
  });

  it('on a second start (a site exists) prints no setup code; serves HTTPS with --tls-cert/--tls-key; /readyz says 503 when the blob folder cannot be written', async () => {
    const second = startHub(['--port', String(port), '--data', data, '--tls-cert', certificate.certFile, '--tls-key', certificate.keyFile, '--public-url', `https://127.0.0.1:${port}`]);
    const [, url] = await second.waitFor('stderr', LISTENING_LINE);
    expect(url).toBe(`https://127.0.0.1:${port}`);
    expect(second.stderr).not.toMatch(/setup code/);

    const ca = certificate.cert;
    expect(await plainGet(`${url}/healthz`, { ca })).toEqual({ status: 200, body: '{"status":"ok"}' });
    expect(await plainGet(`${url}/readyz`, { ca })).toEqual({ status: 200, body: '{"status":"ok"}' });
    expect(JSON.parse((await plainGet(`${url}/api/hub`, { ca })).body)).toMatchObject({ needsSetup: false, publicUrl: url });
    // Plain HTTP on the TLS port gets no answer from the hub's routes.
    await expect(plainGet(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();

    // A regular file where the blob folder was: a fault that stops writes even for root (chmod does not).
    rmSync(path.join(data, 'blobs'), { recursive: true });
    writeFileSync(path.join(data, 'blobs'), '');
    expect(await plainGet(`${url}/readyz`, { ca })).toEqual({ status: 503, body: '{"status":"unavailable","reason":"blob folder not writable"}' });
    expect((await plainGet(`${url}/healthz`, { ca })).status).toBe(200);

    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  });

  it('refuses a bad --public-url with exit code 2 and one clear line, before opening anything', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'studyshare-hub-bad-'));
    const bad = startHub(['--port', '0', '--data', path.join(empty, 'never'), '--public-url', 'ftp://hub.example.org']);
    expect(await bad.exited).toEqual({ code: 2, signal: null });
    expect(bad.stderr).toBe('hub: The public URL (--public-url or HUB_PUBLIC_URL) is not usable: The address must start with https:// (or http:// on a local network).\n');
    expect(bad.stdout).toBe('');
    expect(existsSync(path.join(empty, 'never'))).toBe(false);
    rmSync(empty, { recursive: true, force: true });
  });

  // Read-only storage needs a read-only file system: a tmpfs mounted so (root: CI and this machine).
  describe.skipIf(process.platform !== 'linux' || process.getuid?.() !== 0)('refuses to run broken (issue 19, item 5)', () => {
    const mounts: string[] = [];
    const mountReadOnly = (dir: string) => {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,ro', 'tmpfs', dir]);
      mounts.push(dir);
    };
    afterAll(() => {
      for (const dir of mounts.reverse()) execFileSync('umount', ['-l', dir]);
    });

    it('a blob folder it cannot write: one line naming it and why, exit 1, nothing listening', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-hub-ro-blobs-'));
      mkdirSync(path.join(dir, 'blobs'));
      mountReadOnly(path.join(dir, 'blobs'));
      const hubPort = await freePort();
      const hub = startHub(['--port', String(hubPort), '--data', dir, '--public-url', `http://127.0.0.1:${hubPort}`]);
      expect(await hub.exited).toEqual({ code: 1, signal: null });
      expect(hub.stderr).toBe(
        `hub: cannot write study files to ${path.join(dir, 'blobs')} (EROFS); the hub needs storage it can write. Check its owner, permissions and free space.\n`,
      );
      expect(await refused(hubPort)).toBe(true);
    });

    it('a database it cannot write (its folder read-only): one line and a non-zero exit, before listening', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-hub-ro-data-'));
      // A hub that ran here before (its database migrated), then the folder became read-only.
      const before = startHub(['--port', '0', '--data', dir, '--public-url', 'http://127.0.0.1:1']);
      await before.waitFor('stderr', LISTENING_LINE);
      before.child.kill('SIGTERM');
      await before.exited;
      execFileSync('mount', ['--bind', '-o', 'ro', dir, dir]);
      mounts.push(dir);
      execFileSync('mount', ['-o', 'remount,bind,ro', dir]);
      const hub = startHub(['--port', '0', '--data', dir, '--public-url', 'http://127.0.0.1:1']);
      const { code } = await hub.exited;
      expect(code).not.toBe(0);
      expect(hub.stderr).toMatch(/^hub: .*(cannot write to .*hub\.sqlite|readonly|read-only)/im);
      expect(hub.stderr).not.toMatch(/listening on/);
      expect(hub.stderr.trim().split('\n')).toHaveLength(1);
    });
  });
});
