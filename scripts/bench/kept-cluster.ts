/**
 * A PostgreSQL cluster for the scale benchmark that outlives one run: its data folder is kept in
 * the temporary folder, keyed by the fill's format version (FILL_VERSION in hub-scale.ts), so a
 * 1M-study fill (16 minutes on this machine) is made once and reused. Each run starts the server
 * on that folder and stops it cleanly at the end (a fast shutdown writes everything out, so
 * fsync=off costs nothing here). Newer hub migrations are applied to the kept fill when it is
 * opened, as on any hub; a change to the generated data must bump FILL_VERSION instead.
 * Like the test cluster (server/test-support/postgres-cluster.ts), as root it runs as `postgres`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

export interface KeptCluster {
  /** Base URL, no database name. */
  readonly url: string;
  readonly dir: string;
  stop(): void;
}

function binDir(): string {
  const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (fromConfig.status === 0 && existsSync(path.join(fromConfig.stdout.trim(), 'initdb'))) return fromConfig.stdout.trim();
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) if (existsSync(path.join(root, version, 'bin', 'pg_ctl'))) return path.join(root, version, 'bin');
  throw new Error('No PostgreSQL server binaries (initdb, pg_ctl) found: apt-get install -y --no-install-recommends postgresql, or pass --database.');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts (creating on first use) the kept cluster `studyshare-bench-pg-<key>` in the temporary folder. */
export async function startKeptCluster(key: string, sharedBuffers = '1GB'): Promise<KeptCluster> {
  const bin = binDir();
  const asRoot = userInfo().uid === 0;
  const owner = asRoot ? { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()) } : null;
  const run = (command: string, args: readonly string[]): void => {
    const [file, fullArgs] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, command), ...args]] : [path.join(bin, command), [...args]];
    execFileSync(file, fullArgs, { stdio: 'pipe', encoding: 'utf8' });
  };
  const dir = path.join(tmpdir(), `studyshare-bench-pg-${key}`);
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'postgresql.log');
  if (!existsSync(path.join(data, 'PG_VERSION'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    if (owner !== null) chownSync(dir, owner.uid, owner.gid);
    run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    writeFileSync(log, '');
    if (owner !== null) chownSync(log, owner.uid, owner.gid);
  }
  // A server left running by a run that was killed: stop it first (its port is unknown to us).
  if (existsSync(path.join(data, 'postmaster.pid'))) {
    try {
      run('pg_ctl', ['stop', '-m', 'fast', '-w', '-D', data]);
    } catch {
      // not running after all (a stale pid file): pg_ctl start copes
    }
  }
  const port = await freePort();
  const options = [`-p ${port}`, '-c listen_addresses=127.0.0.1', `-k ${dir}`, '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off', '-c max_connections=100', `-c shared_buffers=${sharedBuffers}`, '-c max_wal_size=4GB'].join(' ');
  run('pg_ctl', ['start', '-w', '-t', '120', '-D', data, '-l', log, '-o', options]);
  writeFileSync(path.join(dir, 'port'), String(port));
  return {
    url: `postgres://postgres@127.0.0.1:${port}`,
    dir,
    stop: () => {
      try {
        run('pg_ctl', ['stop', '-m', 'fast', '-w', '-t', '120', '-D', data]);
      } catch (error) {
        console.error(`The kept bench cluster did not stop cleanly; see ${log}.\n${readFileSync(log, 'utf8').split('\n').slice(-5).join('\n')}`, error);
      }
    },
  };
}
