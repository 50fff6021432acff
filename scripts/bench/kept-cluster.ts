/**
 * A PostgreSQL cluster for the scale benchmark that outlives one run: its data folder is kept in
 * the temporary folder, keyed by the fill's format version (FILL_VERSION in hub-scale.ts), so a
 * 1M-study fill (16 minutes on this machine) is made once and reused. Each run starts the server
 * on that folder and stops it cleanly at the end (a fast shutdown writes everything out, so
 * fsync=off costs nothing here). Newer hub migrations are applied to the kept fill when it is
 * opened, as on any hub; a change to the generated data must bump FILL_VERSION instead.
 * Like the test cluster (server/test-support/postgres-cluster.ts), as root it runs as `postgres`.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { freeLoopbackPort, postgresBinDir } from '../../server/test-support/postgres-cluster';

export interface KeptCluster {
  /** Base URL, no database name. */
  readonly url: string;
  readonly dir: string;
  stop(): void;
}

export async function startKeptCluster(key: string, sharedBuffers = '1GB'): Promise<KeptCluster> {
  const bin = postgresBinDir();
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
  const port = await freeLoopbackPort();
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
