/**
 * Checks a hub address before the desktop asks for a password: takes what a person pastes (a
 * host, an address, or any link on the hub: an invitation, a guest link, a password reset),
 * finds the hub's base address, asks it what it is (`GET /api/hub`) and says plainly what is
 * wrong when it is not a hub this app can use. For HTTPS it also reads the hub's certificate, so
 * that a LAN hub's self-signed certificate can be shown and then trusted explicitly (pinned by
 * its SHA-256 fingerprint) instead of certificate checks being switched off.
 *
 * Messages name the base address only: a pasted link's token never appears in them.
 */
import { isIP } from 'node:net';
import { checkServerIdentity, connect as connectTls, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import { hubCompatibility, parsePublicUrl, type HubInfo } from '../../../shared/hub-info';
import type { HubCertificateView } from '../../../shared/contract';
import { certificateInDate, certificateProblem, HubCertificateError, HubClient, HubRefusedError, HubSessionError, sameFingerprint } from '../sync-client/hub-client';

/** A hub's certificate as the contract shows it, and whether this computer accepts it (its CAs vouch for it, or it is the trusted fingerprint). */
export type HubCertificate = HubCertificateView & { readonly trusted: boolean };

export type ProbeErrorCode =
  | 'not-an-address'
  | 'unreachable'
  | 'not-a-hub'
  | 'wrong-scheme-https'
  | 'wrong-scheme-http'
  | 'certificate-untrusted'
  | 'certificate-expired'
  | 'incompatible';

export type ProbeResult =
  | { readonly ok: true; readonly url: string; readonly info: HubInfo; readonly certificate: (HubCertificate & { readonly trusted: true }) | null }
  | { readonly ok: false; readonly code: ProbeErrorCode; readonly message: string; readonly certificate?: HubCertificate };

export interface ProbeOptions {
  /** A certificate fingerprint the person already chose to trust for this hub. */
  readonly trustedFingerprint?: string | null;
  /** This app's version, named when the hub and the app cannot work together. */
  readonly appVersion: string;
  /** How long each connection attempt may take (default 10 s). */
  readonly timeoutMs?: number;
}

type Failure = Extract<ProbeResult, { ok: false }>;

/** Paths of links the hub hands out; what precedes them is the hub's base address (a reverse proxy's prefix, say). */
const LINK_PATH = /\/(?:register|g|reset-password|api)(?:\/.*)?$/s;

/**
 * The base address(es) to try for what was pasted: a bare host is tried over HTTPS first, then
 * plain HTTP (a LAN hub without a certificate); an address with a scheme is taken as written.
 */
export function candidateAddresses(input: string): { readonly ok: true; readonly urls: readonly string[]; readonly bare: boolean } | { readonly ok: false; readonly message: string } {
  const text = input.trim();
  const bare = !/^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  // A pasted link may carry a query or fragment (not part of the hub's address): dropped before checking.
  const withoutQuery = text.replace(/[?#].*$/s, '');
  const candidates = bare ? [`https://${withoutQuery}`, `http://${withoutQuery}`] : [withoutQuery];
  const urls: string[] = [];
  for (const candidate of candidates) {
    const parsed = parsePublicUrl(candidate);
    if (!parsed.ok) return { ok: false, message: text === '' ? 'Write the hub’s address, for example https://hub.example.org.' : parsed.message };
    const url = new URL(parsed.url);
    urls.push(`${url.origin}${url.pathname.replace(LINK_PATH, '').replace(/\/+$/, '')}`);
  }
  return { ok: true, urls, bare };
}

export async function probeHub(input: string, options: ProbeOptions): Promise<ProbeResult> {
  const candidates = candidateAddresses(input);
  if (!candidates.ok) return { ok: false, code: 'not-an-address', message: candidates.message };
  const [first, second] = candidates.urls;
  const result = await probeAddress(first, options);
  // A bare host: if nothing speaks TLS there, the hub may be a plain-HTTP one on a local network.
  if (candidates.bare && second !== undefined && !result.ok && (result.code === 'unreachable' || result.code === 'wrong-scheme-http')) {
    const plain = await probeAddress(second, options);
    if (plain.ok || plain.code !== 'unreachable') return plain;
    return { ok: false, code: 'unreachable', message: `Nothing answers at ${hostOf(first)} (neither https:// nor http://). Check the address and that the hub is running.` };
  }
  return result;
}

/** One base address with its scheme. */
async function probeAddress(base: string, options: ProbeOptions): Promise<ProbeResult> {
  const url = new URL(base);
  const timeoutMs = options.timeoutMs ?? 10_000;
  let certificate: HubCertificate | null = null;
  if (url.protocol === 'https:') {
    const handshake = await inspectTls(url, timeoutMs);
    if (handshake.kind === 'unreachable') return unreachable(base);
    if (handshake.kind === 'not-tls') {
      return { ok: false, code: 'wrong-scheme-http', message: `This hub does not use HTTPS: use ${base.replace(/^https:/, 'http:')} (only on a network you trust).` };
    }
    const judged = judgeCertificate(url, handshake, options.trustedFingerprint ?? null);
    if (!judged.ok) return judged;
    certificate = judged.certificate;
  }

  // The certificate was accepted above; the request itself goes through the same client (and
  // pin) the desktop will use afterwards, so what passes here works there.
  const client = new HubClient(base, null, { trustedFingerprint: options.trustedFingerprint ?? null, timeoutMs });
  let info: HubInfo;
  try {
    info = await client.hubInfo();
  } catch (error) {
    if (error instanceof HubRefusedError || error instanceof HubSessionError || error instanceof SyntaxError) {
      if (url.protocol === 'http:' && (await speaksTls(url, timeoutMs))) return wrongSchemeHttps(base);
      return { ok: false, code: 'not-a-hub', message: `The server at ${base} answers, but it is not a Studyshare hub. Check the address (a hub’s address, not another web site’s).` };
    }
    if (error instanceof HubCertificateError) {
      // The certificate changed between the check and the request (or a pin refused it).
      return { ok: false, code: error.code, message: error.message, ...(certificate === null ? {} : { certificate }) };
    }
    // A TLS server answers a plain-HTTP request by closing the connection (or with garbage).
    if (url.protocol === 'http:' && (await speaksTls(url, timeoutMs))) return wrongSchemeHttps(base);
    return unreachable(base);
  } finally {
    await client.close();
  }
  const compatible = hubCompatibility(info, options.appVersion);
  if (!compatible.ok) return { ok: false, code: 'incompatible', message: compatible.message };
  return { ok: true, url: base, info, certificate: certificate === null ? null : { ...certificate, trusted: true } };
}

function unreachable(base: string): Failure {
  return { ok: false, code: 'unreachable', message: `Nothing answers at ${base}. Check the address and that the hub is running.` };
}

function wrongSchemeHttps(base: string): Failure {
  return { ok: false, code: 'wrong-scheme-https', message: `This hub uses HTTPS: use ${base.replace(/^http:/, 'https:')}.` };
}

function hostOf(base: string): string {
  return new URL(base).host;
}

type Handshake =
  | { readonly kind: 'unreachable'; readonly code: string | null }
  | { readonly kind: 'not-tls'; readonly code: string | null }
  | { readonly kind: 'tls'; readonly certificate: DetailedPeerCertificate; readonly authorized: boolean; readonly authorizationError: string | null };

/** Errors that mean "something answered, but not with TLS" (a plain HTTP server answers a ClientHello with text). */
function isNotTls(error: Error & { code?: string }): boolean {
  return error.code === 'EPROTO' || error.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long|unknown protocol/i.test(error.message);
}

/**
 * Opens a TLS connection without refusing any certificate, to read it and Node's verdict on it
 * (`authorized`, `authorizationError`): nothing is sent over it, and it is closed at once.
 */
function inspectTls(url: URL, timeoutMs: number): Promise<Handshake> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connectTls({
      host,
      port: Number(url.port || 443),
      // SNI carries host names only, never an IP address.
      ...(isIP(host) === 0 ? { servername: host } : {}),
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    const finish = (handshake: Handshake) => {
      socket.destroy();
      resolve(handshake);
    };
    socket.once('secureConnect', () => {
      const error = socket.authorizationError as unknown as Error | string | null;
      finish({
        kind: 'tls',
        certificate: socket.getPeerCertificate(true),
        authorized: socket.authorized,
        authorizationError: error === null || error === undefined ? null : typeof error === 'string' ? error : ((error as { code?: string }).code ?? error.message),
      });
    });
    socket.once('timeout', () => finish({ kind: 'unreachable', code: 'ETIMEDOUT' }));
    socket.once('error', (error: Error & { code?: string }) => finish({ kind: isNotTls(error) ? 'not-tls' : 'unreachable', code: error.code ?? null }));
  });
}

/** Whether a TLS server listens where a plain-HTTP request failed (someone typed http:// for an HTTPS hub). */
async function speaksTls(url: URL, timeoutMs: number): Promise<boolean> {
  const handshake = await inspectTls(new URL(url.href.replace(/^http:/, 'https:')), timeoutMs);
  return handshake.kind === 'tls';
}

function describeCertificate(certificate: PeerCertificate, trusted: boolean): HubCertificate {
  const subject = distinguishedName(certificate.subject);
  const issuer = distinguishedName(certificate.issuer);
  return {
    fingerprint256: certificate.fingerprint256,
    subject,
    issuer,
    validFrom: new Date(certificate.valid_from).toISOString(),
    validTo: new Date(certificate.valid_to).toISOString(),
    selfSigned: subject === issuer,
    trusted,
  };
}

function distinguishedName(name: PeerCertificate['subject'] | undefined): string {
  return Object.entries(name ?? {})
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : String(value)}`)
    .join(', ');
}

/**
 * The verdict on a hub's certificate: accepted when the computer's authorities vouch for it or it
 * is the trusted fingerprint (and in date); otherwise the reason, with the certificate to show.
 */
function judgeCertificate(url: URL, handshake: Extract<Handshake, { kind: 'tls' }>, trustedFingerprint: string | null): { readonly ok: true; readonly certificate: HubCertificate } | Failure {
  const peer = handshake.certificate;
  const inDate = certificateInDate(peer);
  const pinned = trustedFingerprint !== null && sameFingerprint(peer.fingerprint256, trustedFingerprint);
  if ((handshake.authorized || pinned) && inDate) return { ok: true, certificate: describeCertificate(peer, true) };
  const certificate = describeCertificate(peer, false);
  const base = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  // Dates are read from the certificate itself: for a self-signed certificate OpenSSL reports
  // the missing authority, not the expiry, yet an expired one must never be offered for trust.
  if (!inDate || certificateProblem(handshake.authorizationError) === 'certificate-expired') {
    const notYet = new Date(certificate.validFrom) > new Date();
    return {
      ok: false,
      code: 'certificate-expired',
      message: notYet
        ? `The certificate of ${base} is not valid before ${certificate.validFrom}. It cannot be trusted until then (check this computer's date and time too); ask the hub's administrator.`
        : `The certificate of ${base} expired on ${certificate.validTo}. An expired certificate cannot be trusted, even by hand: the hub's administrator must renew it.`,
      certificate,
    };
  }
  if (trustedFingerprint !== null) {
    return {
      ok: false,
      code: 'certificate-untrusted',
      message: `The certificate of ${base} is not the one you trusted for this hub. It may have been replaced, or something may be in between: ask the hub's administrator before trusting the new one.`,
      certificate,
    };
  }
  // The host name is checked apart: Node reports a missing authority first and never gets to the name.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const wrongName = checkServerIdentity(host, peer) !== undefined;
  const why = wrongName
    ? `it was issued for ${peer.subject?.CN ?? 'another name'}, not ${host}`
    : certificate.selfSigned
      ? 'it is self-signed (no certificate authority vouches for it)'
      : 'no certificate authority this computer knows vouches for it';
  return {
    ok: false,
    code: 'certificate-untrusted',
    message: `The certificate of ${base} is not trusted: ${why}. If this hub is on your own network, compare the fingerprint below with the one its administrator gives you, then trust it.`,
    certificate,
  };
}
