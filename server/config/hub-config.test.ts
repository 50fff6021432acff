import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NAME, parseHubConfig, type HubConfig } from './hub-config';

const CWD = '/srv/studyshare';
const DEFAULTS: HubConfig = {
  port: 4710,
  host: '127.0.0.1',
  dataDir: path.join(CWD, 'hub-data'),
  databaseUrl: null,
  blobUrl: null,
  publicUrl: null,
  name: DEFAULT_NAME,
  listSites: false,
  tls: null,
  trustProxy: [],
  mail: { smtpUrl: undefined, from: undefined },
  allowedHosts: [],
  sessions: { lifetimeHours: 720, idleHours: 12 },
};

type Env = Record<string, string | undefined>;

describe('hub config: flags and environment', () => {
  const accepted: ReadonlyArray<readonly [string, ReadonlyArray<string>, Env, Partial<HubConfig>]> = [
    ['nothing set gives the defaults (loopback, no public URL, sites not listed, no proxy trusted)', [], {}, {}],
    ['port and host from flags', ['--port', '8080', '--host', '0.0.0.0'], {}, { port: 8080, host: '0.0.0.0' }],
    ['port and host from the environment', [], { HUB_PORT: '9000', HUB_HOST: '::' }, { port: 9000, host: '::' }],
    ['a flag wins over the environment', ['--port', '8080'], { HUB_PORT: '9000' }, { port: 8080 }],
    ['port 0 lets the system choose', ['--port', '0'], {}, { port: 0 }],
    ['an empty environment value counts as unset', [], { HUB_PORT: '', HUB_PUBLIC_URL: ' ' }, {}],
    ['a relative data folder is resolved against the working folder', ['--data', 'var/hub'], {}, { dataDir: path.join(CWD, 'var/hub') }],
    ['an absolute data folder is kept', [], { HUB_DATA: '/var/lib/studyshare' }, { dataDir: '/var/lib/studyshare' }],
    ['the public URL is normalised (trailing slash dropped)', ['--public-url', 'https://hub.example.org/'], {}, { publicUrl: 'https://hub.example.org' }],
    ['a public URL under a path is kept', [], { HUB_PUBLIC_URL: 'https://example.org/studyshare/' }, { publicUrl: 'https://example.org/studyshare' }],
    ['the name is trimmed', ['--name', '  North Imaging Hub '], {}, { name: 'North Imaging Hub' }],
    ['listing sites by flag', ['--list-sites'], {}, { listSites: true }],
    ['listing sites by HUB_LIST_SITES=1', [], { HUB_LIST_SITES: '1' }, { listSites: true }],
    ['HUB_LIST_SITES=0 keeps them unlisted', [], { HUB_LIST_SITES: '0' }, { listSites: false }],
    ['TLS with both files, resolved against the working folder', ['--tls-cert', 'tls/cert.pem', '--tls-key', '/etc/hub/key.pem'], {}, { tls: { certFile: path.join(CWD, 'tls/cert.pem'), keyFile: '/etc/hub/key.pem' } }],
    ['TLS from the environment', [], { HUB_TLS_CERT: '/c.pem', HUB_TLS_KEY: '/k.pem' }, { tls: { certFile: '/c.pem', keyFile: '/k.pem' } }],
    ['trusted proxies: addresses, CIDRs and proxy-addr names, spaces ignored', ['--trust-proxy', '10.0.0.5, 192.168.0.0/16,::1,fd00::/8,loopback'], {}, { trustProxy: ['10.0.0.5', '192.168.0.0/16', '::1', 'fd00::/8', 'loopback'] }],
    ['PostgreSQL from HUB_DATABASE_URL, password and all', [], { HUB_DATABASE_URL: 'postgres://hub:secret@db.example.org:5432/studyshare' }, { databaseUrl: 'postgres://hub:secret@db.example.org:5432/studyshare' }],
    ['PostgreSQL from --database without a password (PGPASSWORD or .pgpass holds it)', ['--database', 'postgresql://hub@db/studyshare'], {}, { databaseUrl: 'postgresql://hub@db/studyshare' }],
    ['study files in S3 from HUB_BLOB_URL (a trailing slash dropped)', [], { HUB_BLOB_URL: 's3://studyshare-files/hub-one/' }, { blobUrl: 's3://studyshare-files/hub-one' }],
    ['more host names to answer to, lower-case', ['--allowed-hosts', 'Hub.Intranet, studyshare'], {}, { allowedHosts: ['hub.intranet', 'studyshare'] }],
    ['session lifetime and idle timeout from the environment', [], { HUB_SESSION_LIFETIME_HOURS: '168', HUB_SESSION_IDLE_HOURS: '0.5' }, { sessions: { lifetimeHours: 168, idleHours: 0.5 } }],
    ['study files in S3 from --blob-url, a bucket alone', ['--blob-url', 's3://studyshare-files'], {}, { blobUrl: 's3://studyshare-files' }],
    ['mail comes from the environment', [], { HUB_SMTP_URL: 'smtp://u:p@mail:587', HUB_MAIL_FROM: 'hub@example.org' }, { mail: { smtpUrl: 'smtp://u:p@mail:587', from: 'hub@example.org' } }],
  ];

  it.each(accepted)('%s', (_case, argv, env, expected) => {
    expect(parseHubConfig(argv, env, CWD)).toEqual({ kind: 'config', config: { ...DEFAULTS, ...expected } });
  });

  const refused: ReadonlyArray<readonly [string, ReadonlyArray<string>, Env, RegExp]> = [
    ['an unknown flag', ['--prot', '80'], {}, /Unknown option '--prot'.*--help/],
    ['a positional argument', ['4710'], {}, /Unexpected argument '4710'.*--help/],
    ['a port that is not a number', ['--port', 'http'], {}, /port \(--port or HUB_PORT\) must be a number from 0 to 65535, not “http”/],
    ['a port out of range', [], { HUB_PORT: '70000' }, /from 0 to 65535, not “70000”/],
    ['a negative port', ['--port=-1'], {}, /from 0 to 65535/],
    ['an allowed host with a port', ['--allowed-hosts', 'hub.intranet:443'], {}, /allowed hosts \(--allowed-hosts or HUB_ALLOWED_HOSTS\) must be host names.*“hub.intranet:443”/],
    ['an idle timeout of zero', ['--session-idle-hours', '0'], {}, /session idle hours \(--session-idle-hours or HUB_SESSION_IDLE_HOURS\) must be a number of hours above 0/],
    ['a public URL without a scheme', ['--public-url', 'hub.example.org'], {}, /^The public URL \(--public-url or HUB_PUBLIC_URL\) is not usable: .*https:\/\//],
    ['a public URL with a password', [], { HUB_PUBLIC_URL: 'https://admin:secret@hub.example.org' }, /must not hold a user name or password/],
    ['a public URL with a query', ['--public-url', 'https://hub.example.org/?x=1'], {}, /must not have a query/],
    ['a public URL that is not http(s)', ['--public-url', 'ftp://hub.example.org'], {}, /must start with https:\/\//],
    ['an empty name', ['--name', '  '], {}, /hub name \(--name or HUB_NAME\) must be 1 to 100 characters/],
    ['HUB_LIST_SITES that is neither on nor off', [], { HUB_LIST_SITES: 'maybe' }, /HUB_LIST_SITES must be 1 .* or 0 .*, not “maybe”/],
    ['a certificate without its key', ['--tls-cert', 'cert.pem'], {}, /needs both a certificate .* and its private key .*only one was given/],
    ['a key without its certificate', [], { HUB_TLS_KEY: 'key.pem' }, /only one was given/],
    ['a proxy that is a host name', ['--trust-proxy', 'proxy.internal'], {}, /“proxy.internal” is neither/],
    ['a CIDR with a prefix too long', [], { HUB_TRUST_PROXY: '10.0.0.0/33' }, /“10.0.0.0\/33” is neither/],
    ['a CIDR that is not an address', ['--trust-proxy', '10.0.0/8'], {}, /“10.0.0\/8” is neither/],
    ['a blob store that is not an s3:// address', [], { HUB_BLOB_URL: 'https://bucket.s3.amazonaws.com' }, /^The blob store \(--blob-url or HUB_BLOB_URL\) must be an S3 address/],
    ['a blob store address with keys in it', ['--blob-url', 's3://KEY:secret@bucket/prefix'], {}, /must be an S3 address/],
    ['a database that is not a PostgreSQL URL', [], { HUB_DATABASE_URL: 'mysql://hub:secret@db/hub' }, /^The database \(--database or HUB_DATABASE_URL\) must be a PostgreSQL URL/],
    ['a database path instead of a URL', ['--database', '/var/lib/hub.sqlite'], {}, /must be a PostgreSQL URL/],
    ['a database password in the flag', ['--database', 'postgres://hub:secret@db/hub'], {}, /must not be given in --database .*HUB_DATABASE_URL or PGPASSWORD/],
  ];

  it.each(refused)('refuses %s with one sentence naming the setting', (_case, argv, env, message) => {
    const result = parseHubConfig(argv, env, CWD);
    expect(result.kind).toBe('error');
    if (result.kind !== 'error') return;
    expect(result.message).toMatch(message);
    expect(result.message).not.toContain('\n');
    expect(result.message).not.toContain('secret');
  });

  it('answers --help with the usage, naming every flag and its variable', () => {
    const result = parseHubConfig(['--help'], {}, CWD);
    expect(result.kind).toBe('help');
    if (result.kind !== 'help') return;
    for (const flag of ['--port', '--host', '--data', '--database', 'HUB_DATABASE_URL', '--public-url', '--name', '--list-sites', '--tls-cert', '--tls-key', '--trust-proxy', 'HUB_SMTP_URL']) {
      expect(result.text).toContain(flag);
    }
  });

  it('never takes mail secrets from flags', () => {
    expect(parseHubConfig(['--smtp-url', 'smtp://u:p@mail'], {}, CWD).kind).toBe('error');
  });
});
