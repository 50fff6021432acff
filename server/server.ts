/**
 * `npm run hub -- [options]`: runs the hub as a server. Every option is a flag or an environment
 * variable (flags win); `--help` lists them. Settings are read by server/config/hub-config.ts.
 *
 *   --port / HUB_PORT (default 4710)          --host / HUB_HOST (default 127.0.0.1)
 *   --data / HUB_DATA (hub.sqlite, blobs/, mail-drop/; default ./hub-data)
 *   --database / HUB_DATABASE_URL             PostgreSQL (postgres://…) instead of hub.sqlite; the
 *                                             data folder still holds blobs/ and mail-drop/
 *   --public-url / HUB_PUBLIC_URL             the address every link starts with; without it the
 *                                             hub refuses to make links and says so
 *   --name / HUB_NAME                         --list-sites / HUB_LIST_SITES=1
 *   --tls-cert / HUB_TLS_CERT + --tls-key / HUB_TLS_KEY   built-in HTTPS (PEM files)
 *   --trust-proxy / HUB_TRUST_PROXY           reverse proxies (addresses/CIDRs) whose
 *                                             X-Forwarded-* headers are believed
 *   --allowed-hosts / HUB_ALLOWED_HOSTS       more host names it answers to (others: 421)
 *   --session-lifetime-hours / HUB_SESSION_LIFETIME_HOURS (720), --session-idle-hours /
 *   HUB_SESSION_IDLE_HOURS (12)
 *   Mail, environment only (it holds a password): HUB_SMTP_URL, HUB_MAIL_FROM; without an SMTP
 *   address, messages are written to <data>/mail-drop as .eml files.
 *
 * Output: JSON log lines (one per event, each request's with its reqId) on stdout; a few plain
 * `hub: …` lines for the operator on stderr (the address, the first-run setup code — a secret,
 * so never in the log — and shutdown). Exit codes: 0 after a clean stop, 2 for a bad setting,
 * 1 for anything else (including a stop that had to cut requests off).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { buildHub } from './app';
import { openBlobStore } from './blobs/open-blob-store';
import { parseHubConfig, type HubConfig } from './config/hub-config';
import { newSetupCode } from './config/setup-code';
import { openHubDatabase } from './db/open-hub-db';
import { assertHubWritable } from './config/start-checks';

/** How long requests in flight may take to finish after SIGTERM (systemd's default stop timeout is 90 s; ours is shorter so a stuck upload cannot hold a restart). */
const SHUTDOWN_GRACE_MS = 25_000;

const say = (line: string): void => {
  process.stderr.write(`hub: ${line}\n`);
};

/** Thrown for a setting that is wrong (exit code 2), as opposed to a failure while running. */
class SettingError extends Error {}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new SettingError(`The TLS ${what} file ${file} could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
}

async function main(config: HubConfig): Promise<void> {
  const https = config.tls === null ? undefined : { cert: readPem(config.tls.certFile, 'certificate'), key: readPem(config.tls.keyFile, 'key') };
  const blobDir = path.join(config.dataDir, 'blobs');
  // Owner-only where the hub creates them: the folder holds patient data.
  mkdirSync(blobDir, { recursive: true, mode: 0o700 });
  // A database that cannot be reached stops the start with one line naming its host, port and
  // database (never the user or password): see HubDatabaseUnavailableError.
  const db = await openHubDatabase(config.databaseUrl ?? path.join(config.dataDir, 'hub.sqlite'));

  // Setup is always guarded by a code. On a fresh hub the operator gets it here; once a site
  // exists, nobody learns it, and setup refuses anyway (409).
  const hasSite = (await db.selectFrom('accounts').select('id').limit(1).executeTakeFirst()) !== undefined;
  const setupToken = newSetupCode();

  // Study files in S3 when HUB_BLOB_URL names a bucket (several hub processes can share it),
  // else in <data>/blobs.
  const blobs = await openBlobStore(config.blobUrl, blobDir);
  // A hub that cannot write refuses to start, rather than failing at the first user's change.
  await assertHubWritable(db, blobs, {
    database: config.databaseUrl === null ? path.join(config.dataDir, 'hub.sqlite') : 'the PostgreSQL database',
    blobs: blobs.kind === 'folder' ? blobDir : 'the S3 bucket',
  });
  const app = buildHub({
    db,
    blobDir,
    blobs,
    logger: true,
    publicUrl: config.publicUrl,
    name: config.name,
    listSites: config.listSites,
    setupToken,
    trustProxy: config.trustProxy,
    listenHost: config.host,
    allowedHosts: config.allowedHosts,
    sessions: config.sessions,
    https,
    mail: { dropDir: path.join(config.dataDir, 'mail-drop'), smtpUrl: config.mail.smtpUrl, from: config.mail.from },
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      say(`${signal} again: stopping now without waiting for requests in flight.`);
      process.exit(1);
    }
    stopping = true;
    say(`${signal}: no new connections; finishing requests in flight (at most ${SHUTDOWN_GRACE_MS / 1000} s).`);
    const cutOff = setTimeout(() => {
      say(`requests were still running after ${SHUTDOWN_GRACE_MS / 1000} s; stopping anyway.`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    cutOff.unref();
    // app.close(): /readyz turns 503, the listening socket closes, idle connections close, new
    // requests on open ones get 503, and it resolves once the requests in flight have answered.
    void app
      .close()
      .then(() => db.destroy())
      .then(
        () => {
          say('stopped.');
          process.exit(0);
        },
        (error: unknown) => {
          say(`stopping failed: ${error instanceof Error ? error.name : 'error'}.`);
          process.exit(1);
        },
      );
  };
  // Registered before listening, so a signal that arrives during startup still closes cleanly.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  await app.listen({ port: config.port, host: config.host });
  const bound = app.server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  if (config.publicUrl === null) {
    say('no public URL is set (--public-url or HUB_PUBLIC_URL): guest links, invitations and password resets are refused until it is.');
    if (config.allowedHosts.length === 0 && !/^[a-z]/i.test(config.host)) say('with no public URL or --allowed-hosts, the hub answers to any host name (no DNS rebinding check).');
  }
  // On stderr as a plain line, never through the JSON log: the code makes its holder the admin.
  if (!hasSite) say(`first-run setup code: ${setupToken}`);
  // Last, so whoever waits for this line (an operator, a script, a test) has all of the above.
  say(`listening on ${https === undefined ? 'http' : 'https'}://${host}:${bound.port}`);
}

const parsed = parseHubConfig(process.argv.slice(2), process.env, process.cwd());
if (parsed.kind === 'help') {
  process.stdout.write(`${parsed.text}\n`);
} else if (parsed.kind === 'error') {
  say(parsed.message);
  process.exitCode = 2;
} else {
  main(parsed.config).catch((error: unknown) => {
    say(error instanceof Error ? error.message : String(error));
    process.exit(error instanceof SettingError ? 2 : 1);
  });
}
