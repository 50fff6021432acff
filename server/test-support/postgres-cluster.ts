/**
 * A throwaway PostgreSQL cluster on a loopback port in a temporary folder: for the test run
 * (postgres-global-setup.ts) and the benchmarks. As root (CI, this container) it runs as the
 * `postgres` user the Debian package creates, since PostgreSQL refuses to run as root. It trades
 * durability for speed (fsync, synchronous_commit and full_page_writes off) and is removed on stop.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

export interface ThrowawayCluster {
  /** Base URL, no database name: postgres://postgres@127.0.0.1:<port> */
  readonly url: string;
  stop(): void;
}

/** The folder holding initdb/pg_ctl: pg_config's, else the newest /usr/lib/postgresql/<n>/bin. */
export function postgresBinDir(): string {
  const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (fromConfig.status === 0 && existsSync(path.join(fromConfig.stdout.trim(), 'initdb'))) return fromConfig.stdout.trim();
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const bin = path.join(root, version, 'bin');
    if (existsSync(path.join(bin, 'initdb')) && existsSync(path.join(bin, 'pg_ctl'))) return bin;
  }
  throw new Error(
    'The hub tests run on PostgreSQL too, and no PostgreSQL server binaries (initdb, pg_ctl) were found. Install them (Debian/Ubuntu: apt-get install -y --no-install-recommends postgresql), or set HUB_TEST_PG_URL to a PostgreSQL server the tests may create databases on.',
  );
}

export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `sharedBuffers`: e.g. '32MB' for tests (the default), more for benchmarks on big tables. */
export async function startThrowawayCluster(settings: { readonly maxConnections?: number; readonly sharedBuffers?: string } = {}): Promise<ThrowawayCluster> {
  const bin = postgresBinDir();
  // PostgreSQL refuses to run as root: as root (CI, this container) the cluster belongs to the
  // `postgres` user the Debian package creates.
  const asRoot = userInfo().uid === 0;
  const run = (command: string, args: ReadonlyArray<string>): void => {
    const [file, fullArgs] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, command), ...args]] : [path.join(bin, command), [...args]];
    try {
      execFileSync(file, fullArgs, { stdio: 'pipe', encoding: 'utf8' });
    } catch (error) {
      const { stderr, stdout } = error as { stderr?: string; stdout?: string };
      throw new Error(`The test PostgreSQL cluster could not be started: ${command} failed.\n${stderr ?? ''}${stdout ?? ''}`, { cause: error });
    }
  };
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-test-pg-'));
  const data = path.join(dir, 'data');
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chownSync(dir, uid, gid);
  }
  const port = await freeLoopbackPort();
  const removeFolder = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    // Trust on loopback only: the cluster listens nowhere else and lives for one run.
    writeFileSync(path.join(dir, 'postgresql.log'), '');
    if (asRoot) chownSync(path.join(dir, 'postgresql.log'), postgresUser().uid, postgresUser().gid);
    const options = [
      `-p ${port}`,
      '-c listen_addresses=127.0.0.1',
      `-k ${dir}`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      // Every suite holds a pool (10) per hub, and files run in parallel.
      `-c max_connections=${settings.maxConnections ?? 400}`,
      `-c shared_buffers=${settings.sharedBuffers ?? '32MB'}`,
    ].join(' ');
    run('pg_ctl', ['start', '-w', '-t', '60', '-D', data, '-l', path.join(dir, 'postgresql.log'), '-o', options]);
  } catch (error) {
    removeFolder();
    throw error;
  }
  const url = `postgres://postgres@127.0.0.1:${port}`;
  const stop = (): void => {
    try {
      run('pg_ctl', ['stop', '-m', 'immediate', '-w', '-D', data]);
    } finally {
      removeFolder();
    }
  };
  return { url, stop };
}

function postgresUser(): { uid: number; gid: number } {
  const out = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
  const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
  return { uid: Number(out), gid: Number(gid) };
}
