/**
 * The hub server's settings, read once from its flags and environment by one pure function, so
 * every rule (defaults, which of the two wins, what is valid) is tested with a table and a bad
 * setting stops the hub before it opens anything, with one sentence that names the setting.
 * Flags win over the environment. Secrets (the SMTP address holds a password) are read from the
 * environment only, never from flags, which any user of the machine can see in the process list.
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parsePublicUrl } from '../../shared/hub-info';
import { parseS3Url } from '../blobs/blob-url';

export const DEFAULT_PORT = 4710;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_NAME = 'Studyshare hub';

export interface HubConfig {
  readonly port: number;
  readonly host: string;
  /** Absolute path of the folder holding hub.sqlite (unless databaseUrl is set), blobs/ and mail-drop/. */
  readonly dataDir: string;
  /** A PostgreSQL URL (postgres:// or postgresql://), or null for the SQLite file <data>/hub.sqlite. */
  readonly databaseUrl: string | null;
  /** S3-compatible storage for study files (`s3://bucket/prefix`), or null for the folder `<data>/blobs`. */
  readonly blobUrl: string | null;
  /** Normalised public address (no trailing slash), or null when none is set. */
  readonly publicUrl: string | null;
  readonly name: string;
  readonly listSites: boolean;
  /** PEM file paths for built-in HTTPS (both or neither), or null for plain HTTP. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null;
  /** Reverse proxies whose X-Forwarded-* headers are believed; empty: none. */
  readonly trustProxy: ReadonlyArray<string>;
  readonly mail: { readonly smtpUrl: string | undefined; readonly from: string | undefined };
  /** Host names answered besides the public URL's, loopback names and IP addresses (DNS rebinding check). */
  readonly allowedHosts: ReadonlyArray<string>;
  /** Session lifetime from sign-in and idle timeout, in hours. */
  readonly sessions: { readonly lifetimeHours: number; readonly idleHours: number };
}

export const DEFAULT_SESSION_LIFETIME_HOURS = 720;
export const DEFAULT_SESSION_IDLE_HOURS = 12;

export type HubConfigResult =
  | { readonly kind: 'config'; readonly config: HubConfig }
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'error'; readonly message: string };

export const HUB_USAGE = `Usage: npm run hub -- [options]   (each option also as an environment variable)
  --port <n>             HUB_PORT         port to listen on (default ${DEFAULT_PORT})
  --host <address>       HUB_HOST         address to listen on (default ${DEFAULT_HOST}; 0.0.0.0 for all)
  --data <folder>        HUB_DATA         folder for hub.sqlite, blobs/ and mail-drop/ (default ./hub-data)
  --database <url>       HUB_DATABASE_URL PostgreSQL instead of hub.sqlite: postgres://user@host:5432/studyshare
                                          (a password only in HUB_DATABASE_URL or PGPASSWORD, never in the flag)
  --blob-url <s3 url>    HUB_BLOB_URL     study files in S3-compatible storage, s3://bucket/prefix, instead of <data>/blobs
                                          (endpoint and keys: AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)
  --public-url <url>     HUB_PUBLIC_URL   the address people reach the hub at; every link starts with it
  --name <text>          HUB_NAME         the hub's display name (default "${DEFAULT_NAME}")
  --list-sites           HUB_LIST_SITES=1 list site names on the front page and at /api/hub
  --tls-cert <file>      HUB_TLS_CERT     PEM certificate (chain) for built-in HTTPS, with --tls-key
  --tls-key <file>       HUB_TLS_KEY      PEM private key for built-in HTTPS, with --tls-cert
  --trust-proxy <list>   HUB_TRUST_PROXY  comma-separated addresses/CIDRs of reverse proxies to believe
  --allowed-hosts <list> HUB_ALLOWED_HOSTS more host names the hub answers to, besides the public URL's
                                          (others get 421: DNS rebinding)
  --session-lifetime-hours <n> HUB_SESSION_LIFETIME_HOURS  a session's longest life (default ${DEFAULT_SESSION_LIFETIME_HOURS})
  --session-idle-hours <n>     HUB_SESSION_IDLE_HOURS      a session ends unused this long (default ${DEFAULT_SESSION_IDLE_HOURS})
  Environment only: HUB_SMTP_URL (smtp://user:pass@host:587), HUB_MAIL_FROM.`;

/** Names proxy-addr (Fastify's trustProxy) understands besides addresses and CIDRs. */
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An IP address, an address/prefix (CIDR), or one of proxy-addr's names: whatever else is a typo that would trust nothing, or the wrong thing. */
function validProxyEntry(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const slash = entry.indexOf('/');
  if (slash === -1) return isIP(entry) !== 0;
  const version = isIP(entry.slice(0, slash));
  const prefix = entry.slice(slash + 1);
  if (version === 0 || !/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (version === 4 ? 32 : 128);
}

/** Reads an on/off environment value; undefined when it is neither. */
function envSwitch(value: string): boolean | undefined {
  const text = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['', '0', 'false', 'no', 'off'].includes(text)) return false;
  return undefined;
}

/**
 * Reads the hub's settings from its arguments (without node and the script) and environment.
 * `cwd` resolves a relative data folder (passed in so the function stays pure).
 */
export function parseHubConfig(argv: ReadonlyArray<string>, env: Readonly<Record<string, string | undefined>>, cwd: string): HubConfigResult {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        database: { type: 'string' },
        'blob-url': { type: 'string' },
        'public-url': { type: 'string' },
        name: { type: 'string' },
        'list-sites': { type: 'boolean' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'trust-proxy': { type: 'string' },
        'allowed-hosts': { type: 'string' },
        'session-lifetime-hours': { type: 'string' },
        'session-idle-hours': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // parseArgs words its errors well ("Unknown option '--prot'"); keep its first sentence.
    const reason = error instanceof Error ? error.message.split('\n')[0] : 'The options could not be read.';
    return { kind: 'error', message: `${reason.replace(/\.?$/, '.')} Run with --help for the options.` };
  }
  if (values.help === true) return { kind: 'help', text: HUB_USAGE };

  /** The flag's value, else the environment's; empty environment values count as unset. */
  const setting = (flag: string, variable: string): string | undefined => {
    const fromFlag = values[flag];
    if (typeof fromFlag === 'string') return fromFlag;
    const fromEnv = env[variable];
    return fromEnv === undefined || fromEnv.trim() === '' ? undefined : fromEnv;
  };
  const error = (message: string): HubConfigResult => ({ kind: 'error', message });

  const portText = (setting('port', 'HUB_PORT') ?? String(DEFAULT_PORT)).trim();
  const port = Number(portText);
  // 0 lets the system choose (the hub prints the port it got).
  if (!/^\d+$/.test(portText) || port > 65535) return error(`The port (--port or HUB_PORT) must be a number from 0 to 65535, not “${portText}”.`);

  const host = (setting('host', 'HUB_HOST') ?? DEFAULT_HOST).trim();
  if (host === '' || /\s/.test(host)) return error('The host (--host or HUB_HOST) must be an address or name to listen on, such as 127.0.0.1 or 0.0.0.0.');

  const dataDir = path.resolve(cwd, setting('data', 'HUB_DATA') ?? 'hub-data');

  // The URL may hold a password: a flag is visible to every user of the machine (ps), so a
  // password is taken from the environment only, and no message here quotes the URL.
  let databaseUrl: string | null = null;
  const databaseText = setting('database', 'HUB_DATABASE_URL')?.trim();
  if (databaseText !== undefined) {
    let parsed: URL | null;
    try {
      parsed = new URL(databaseText);
    } catch {
      parsed = null;
    }
    if (parsed === null || !/^postgres(ql)?:$/i.test(parsed.protocol) || parsed.hostname === '') {
      return error('The database (--database or HUB_DATABASE_URL) must be a PostgreSQL URL such as postgres://studyshare@db.example.org:5432/studyshare.');
    }
    if (typeof values.database === 'string' && parsed.password !== '') {
      return error('The database password must not be given in --database (other users of this computer can read the command line): set HUB_DATABASE_URL or PGPASSWORD instead.');
    }
    databaseUrl = databaseText;
  }

  let blobUrl: string | null = null;
  const blobUrlText = setting('blob-url', 'HUB_BLOB_URL')?.trim();
  if (blobUrlText !== undefined) {
    // Keys belong in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, never in the address (a flag anyone can see).
    if (parseS3Url(blobUrlText) === null) return error('The blob store (--blob-url or HUB_BLOB_URL) must be an S3 address such as s3://bucket or s3://bucket/prefix (a lower-case bucket name, no keys in it).');
    blobUrl = blobUrlText.replace(/\/+$/, '');
  }

  let publicUrl: string | null = null;
  const publicUrlText = setting('public-url', 'HUB_PUBLIC_URL');
  if (publicUrlText !== undefined) {
    const parsed = parsePublicUrl(publicUrlText);
    if (!parsed.ok) return error(`The public URL (--public-url or HUB_PUBLIC_URL) is not usable: ${parsed.message}`);
    publicUrl = parsed.url;
  }

  const name = (setting('name', 'HUB_NAME') ?? DEFAULT_NAME).trim();
  if (name === '' || name.length > 100) return error('The hub name (--name or HUB_NAME) must be 1 to 100 characters.');

  let listSites = values['list-sites'] === true;
  if (!listSites && env.HUB_LIST_SITES !== undefined) {
    const on = envSwitch(env.HUB_LIST_SITES);
    if (on === undefined) return error(`HUB_LIST_SITES must be 1 (list site names) or 0 (do not), not “${env.HUB_LIST_SITES}”.`);
    listSites = on;
  }

  const certFile = setting('tls-cert', 'HUB_TLS_CERT');
  const keyFile = setting('tls-key', 'HUB_TLS_KEY');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    return error('Built-in HTTPS needs both a certificate (--tls-cert or HUB_TLS_CERT) and its private key (--tls-key or HUB_TLS_KEY); only one was given.');
  }
  const tls = certFile !== undefined && keyFile !== undefined ? { certFile: path.resolve(cwd, certFile), keyFile: path.resolve(cwd, keyFile) } : null;

  const trustProxyText = setting('trust-proxy', 'HUB_TRUST_PROXY');
  const trustProxy = trustProxyText === undefined ? [] : trustProxyText.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  const badProxy = trustProxy.find((entry) => !validProxyEntry(entry));
  if (badProxy !== undefined) {
    return error(`The trusted proxies (--trust-proxy or HUB_TRUST_PROXY) must be IP addresses or CIDR ranges separated by commas; “${badProxy}” is neither.`);
  }

  const allowedHostsText = setting('allowed-hosts', 'HUB_ALLOWED_HOSTS');
  const allowedHosts = allowedHostsText === undefined ? [] : allowedHostsText.split(',').map((entry) => entry.trim().toLowerCase()).filter((entry) => entry !== '');
  const badHost = allowedHosts.find((entry) => !/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(entry));
  if (badHost !== undefined) return error(`The allowed hosts (--allowed-hosts or HUB_ALLOWED_HOSTS) must be host names separated by commas, without ports; “${badHost}” is not one.`);

  const hours = (flag: string, variable: string, fallback: number): number | string => {
    const text = (setting(flag, variable) ?? String(fallback)).trim();
    const value = Number(text);
    return /^\d+(\.\d+)?$/.test(text) && value > 0 && value <= 24 * 366 ? value : `The ${flag.replaceAll('-', ' ')} (--${flag} or ${variable}) must be a number of hours above 0 and at most a year, not “${text}”.`;
  };
  const lifetimeHours = hours('session-lifetime-hours', 'HUB_SESSION_LIFETIME_HOURS', DEFAULT_SESSION_LIFETIME_HOURS);
  if (typeof lifetimeHours === 'string') return error(lifetimeHours);
  const idleHours = hours('session-idle-hours', 'HUB_SESSION_IDLE_HOURS', DEFAULT_SESSION_IDLE_HOURS);
  if (typeof idleHours === 'string') return error(idleHours);

  return {
    kind: 'config',
    config: {
      allowedHosts,
      sessions: { lifetimeHours, idleHours },
      port,
      host,
      dataDir,
      databaseUrl,
      blobUrl,
      publicUrl,
      name,
      listSites,
      tls,
      trustProxy,
      mail: { smtpUrl: env.HUB_SMTP_URL || undefined, from: env.HUB_MAIL_FROM || undefined },
    },
  };
}
