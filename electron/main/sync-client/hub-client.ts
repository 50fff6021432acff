/**
 * HTTP calls from the desktop to the hub. Failures are sorted into what the sync client must
 * treat differently: the hub cannot be reached (retry later, lose nothing), its certificate is
 * not trusted (retrying will not help: the person must look at it), the session ended (sign in
 * again), or the hub refused the request (show why).
 *
 * A hub on a local network often has a self-signed certificate. Rather than turning certificate
 * checks off, the person trusts that one certificate (its SHA-256 fingerprint, after seeing it in
 * the hub settings), and the client accepts exactly that certificate besides the ones the
 * computer's certificate authorities vouch for.
 */
import { stat } from 'node:fs/promises';
import { TLSSocket, type PeerCertificate } from 'node:tls';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import type { HubChangePage, Operation, OperationResult } from '../../../shared/hub-contract';
import { fileBody, IdleTimeout, readBytes, readText } from './idle-timeout';
import { signInRoute } from '../../../shared/hub-api/accounts';
import { changesRoute, postOperationsRoute } from '../../../shared/hub-api/sync';
import type { HubRoute, HubRouteRequest, HubRouteResponse } from '../../../shared/hub-api/route';
import { hubInfoSchema, type HubInfo } from '../../../shared/hub-info';

export class HubUnreachableError extends Error {
  constructor() {
    super('The hub cannot be reached. Your changes are kept and will be sent when it is back.');
    this.name = 'HubUnreachableError';
  }
}
/**
 * The hub took the connection but then said nothing for the idle timeout (frozen, overloaded, a
 * link that stopped moving): still "cannot be reached" for the outbox (retry later, lose
 * nothing), but told apart on the screen.
 */
export class HubNotAnsweringError extends HubUnreachableError {
  constructor(readonly idleMs: number) {
    super();
    this.name = 'HubNotAnsweringError';
    this.message = `The hub is not answering (nothing for ${Math.round(idleMs / 1000)} s). Your changes are kept and will be sent when it answers again.`;
  }
}
export class HubSessionError extends Error {
  constructor() {
    super('Your hub session has ended. Sign in again.');
    this.name = 'HubSessionError';
  }
}
export class HubRefusedError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HubRefusedError';
  }
}

/**
 * The hub answered with a server error (5xx): it is up but could not do it now — its disk is
 * full, its storage not writable, its database away. Worth trying again later, unlike a refusal
 * of the request itself (4xx); the message is the hub's own.
 */
export class HubServerError extends HubRefusedError {
  constructor(status: number, code: string, message: string) {
    super(status, code, message);
    this.name = 'HubServerError';
  }
}

/** The two certificate problems a person is told about differently: only the first can be overcome by trusting the certificate. */
export type CertificateProblem = 'certificate-untrusted' | 'certificate-expired';

/** The error code a refused pinned connection carries (ours, beside Node's own certificate codes). */
export const PINNED_CERTIFICATE_MISMATCH = 'HUB_CERTIFICATE_NOT_PINNED';

/** Which certificate problem a Node/OpenSSL verification code means, or null when it is not one. */
export function certificateProblem(code: string | null | undefined): CertificateProblem | null {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return 'certificate-expired';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_UNTRUSTED':
    case 'CERT_REVOKED':
    case 'CERT_SIGNATURE_FAILURE':
    case 'INVALID_CA':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'HOSTNAME_MISMATCH':
    case PINNED_CERTIFICATE_MISMATCH:
      return 'certificate-untrusted';
    default:
      return null;
  }
}

/** The hub answered over TLS with a certificate this computer does not trust: the person must check it, retrying will not help. */
export class HubCertificateError extends Error {
  constructor(
    readonly code: CertificateProblem,
    /** Node's verification code (for the log). */
    readonly detail: string,
  ) {
    super(
      detail === PINNED_CERTIFICATE_MISMATCH
        ? "The hub's certificate is not the one you trusted. It may have been replaced, or something may be in between: ask the hub's administrator before trusting the new one."
        : code === 'certificate-expired'
          ? "The hub's certificate has expired (or is not valid yet). Ask the hub's administrator to renew it."
          : "The hub's certificate is not trusted by this computer. Check the hub's address in the hub settings; for a hub on your own network you can trust its certificate there.",
    );
    this.name = 'HubCertificateError';
  }
}

/** Fingerprints compared as Node prints them (`AB:CD:…`), whatever case or separators were stored. */
export function sameFingerprint(a: string, b: string): boolean {
  const normal = (value: string) => value.replace(/[^0-9a-f]/gi, '').toUpperCase();
  return normal(a) !== '' && normal(a) === normal(b);
}

/** Whether a certificate's validity dates include now (a pinned certificate must still be in date). */
export function certificateInDate(certificate: Pick<PeerCertificate, 'valid_from' | 'valid_to'>, now = new Date()): boolean {
  return new Date(certificate.valid_from) <= now && now <= new Date(certificate.valid_to);
}

/**
 * An undici dispatcher whose every new TLS connection is accepted when the computer's
 * certificate authorities vouch for it (chain and host name: Node's `authorized`), or when its
 * certificate is exactly the pinned one and in date; anything else is closed before a byte of
 * the request is sent. (A `checkServerIdentity` hook would not do: with `rejectUnauthorized:
 * false` Node does not call it for a self-signed certificate, and ignores what it returns.)
 */
function pinnedDispatcher(fingerprint: string): Agent {
  // No TLS session resumption: a resumed session shows no peer certificate to compare, and a
  // full handshake per connection is cheap next to what a hub request carries.
  const connectTls = buildConnector({ rejectUnauthorized: false, maxCachedSessions: 0 });
  return new Agent({
    connect: (options, callback) =>
      connectTls(options, (error, socket) => {
        if (error !== null) return callback(error, null);
        if (socket instanceof TLSSocket && !socket.authorized) {
          const certificate = socket.getPeerCertificate();
          const pinned = sameFingerprint(certificate.fingerprint256 ?? '', fingerprint);
          if (!pinned || !certificateInDate(certificate)) {
            socket.destroy();
            const refusal = new Error(pinned ? 'The pinned certificate is out of date.' : 'The certificate is not the pinned one.');
            return callback(Object.assign(refusal, { code: pinned ? 'CERT_HAS_EXPIRED' : PINNED_CERTIFICATE_MISMATCH }), null);
          }
        }
        callback(null, socket);
      }),
  });
}

/** Whether a 502–504 answer's body is the hub's own error (a 503 `database-unavailable`), not a proxy's page. */
function hubErrorIn(text: string): boolean {
  try {
    return typeof (JSON.parse(text) as { error?: { code?: unknown } } | null)?.error?.code === 'string';
  } catch {
    return false;
  }
}

/** The first `code` along an error's `cause` chain (fetch wraps the socket's error). */
function causeCode(error: unknown): string | null {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return null;
}

/** A failed connection: a certificate problem is told apart from "cannot be reached". */
function connectionError(error: unknown): Error {
  const code = causeCode(error);
  const problem = certificateProblem(code);
  return problem === null ? new HubUnreachableError() : new HubCertificateError(problem, code!);
}

export interface HubClientOptions {
  /** The SHA-256 fingerprint (as Node prints `fingerprint256`) of a certificate the person chose to trust for this hub. */
  readonly trustedFingerprint?: string | null;
  /**
   * How long a request may go without progress (default 30 s): no connection, no answer, no byte
   * sent or received for this long. Not a bound on the whole request, so a slow but moving
   * transfer of a large file is never cut.
   */
  readonly timeoutMs?: number;
}

/**
 * Pinned requests go through undici's own `fetch` with the dispatcher from the same package:
 * Node 20's global fetch accepts that dispatcher too (tried), but Electron's Node may bundle
 * another undici major, whose fetch need not speak this Agent's handler interface. Requests
 * without a pin keep the runtime's global fetch.
 */
interface Pin {
  readonly fingerprint: string;
  readonly dispatcher: Agent;
}

/** A query parameter as the hub's schemas read it: a list comma-separated, anything else as text. */
function queryText(value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => queryText(item)).join(',');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

export class HubClient {
  private pin: Pin | null = null;
  private readonly timeoutMs: number;

  constructor(
    readonly baseUrl: string,
    private token: string | null = null,
    options: HubClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.setTrustedFingerprint(options.trustedFingerprint ?? null);
  }

  /** The certificate fingerprint this client trusts besides the certificate authorities, or null. */
  get trustedFingerprint(): string | null {
    return this.pin?.fingerprint ?? null;
  }

  /** Trusts another certificate (or none): connections opened from now on are checked against it. */
  setTrustedFingerprint(fingerprint: string | null): void {
    if (fingerprint === this.pin?.fingerprint) return;
    // Connections kept alive under the old pin must not carry requests under the new one.
    void this.pin?.dispatcher.destroy().catch(() => undefined);
    this.pin = fingerprint === null ? null : { fingerprint, dispatcher: pinnedDispatcher(fingerprint) };
  }

  /** Closes the pinned dispatcher's connections (a client without a pin has none of its own). */
  async close(): Promise<void> {
    await this.pin?.dispatcher.close();
  }

  setToken(token: string | null): void {
    this.token = token;
  }

  async request(method: string, pathname: string, body?: unknown, extra: RequestInit & { readonly streamBody?: (touch: () => void) => ReadableStream } = {}): Promise<unknown> {
    return this.exchange(method, pathname, body, extra, 'text');
  }

  /**
   * A binary answer (an instance for the viewer, which caches bytes), read whole under the same
   * idle timeout; a refusal comes back as the same errors as `request`'s.
   */
  async download(pathname: string): Promise<Uint8Array> {
    return this.exchange('GET', pathname, undefined, {}, 'bytes');
  }

  /**
   * Opens a long-lived stream (the hub's live signal, Server-Sent Events) and answers the open
   * response for the caller to read: no idle timeout here (the stream is quiet between events;
   * the caller watches the hub's heartbeats), the same pinning and token as every other call, and
   * the same errors for a hub away (HubUnreachableError), an ended session (HubSessionError) or a
   * refusal.
   */
  async openStream(pathname: string, headers: Readonly<Record<string, string>>, signal: AbortSignal): Promise<Response> {
    const url = new URL(`${this.baseUrl.replace(/\/+$/, '')}${pathname}`);
    const init: RequestInit = { method: 'GET', signal, headers: { ...(this.token === null ? {} : { authorization: `Bearer ${this.token}` }), accept: 'text/event-stream', ...headers } };
    let response: Response;
    try {
      response = this.pin === null ? await fetch(url, init) : (await undiciFetch(url, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: this.pin.dispatcher }));
    } catch (error) {
      throw connectionError(error);
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    if (response.status === 401) throw new HubSessionError();
    if (response.status >= 502 && response.status <= 504 && !hubErrorIn(text)) throw new HubUnreachableError();
    const error = (() => {
      try {
        return (JSON.parse(text) as { error?: { code?: string; message?: string } } | null)?.error;
      } catch {
        return undefined;
      }
    })();
    const Refused = response.status >= 500 ? HubServerError : HubRefusedError;
    throw new Refused(response.status, error?.code ?? 'refused', error?.message ?? `The hub refused the live connection (${response.status}).`);
  }

  /** One request under an idle timeout; the answer read as parsed JSON (or text), or as bytes. */
  private async exchange(method: string, pathname: string, body: unknown, extra: RequestInit & { readonly streamBody?: (touch: () => void) => ReadableStream }, read: 'text'): Promise<unknown>;
  private async exchange(method: string, pathname: string, body: unknown, extra: RequestInit, read: 'bytes'): Promise<Uint8Array>;
  private async exchange(
    method: string,
    pathname: string,
    body: unknown,
    { streamBody, ...extra }: RequestInit & { readonly streamBody?: (touch: () => void) => ReadableStream },
    read: 'text' | 'bytes',
  ): Promise<unknown> {
    const idle = new IdleTimeout(this.timeoutMs);
    // A failure after the idle timeout fired is the hub (or the link) not answering, whatever
    // the fetch implementation wraps it in.
    const failed = (error: unknown): Error => (idle.fired ? new HubNotAnsweringError(this.timeoutMs) : connectionError(error));
    try {
      let response: Response;
      try {
        // Appended, not resolved: `new URL('/api/…', base)` would drop a base path (a hub behind a
        // reverse proxy at https://host/studyshare).
        const url = new URL(`${this.baseUrl.replace(/\/+$/, '')}${pathname}`);
        const init: RequestInit = {
          method,
          ...extra,
          signal: extra.signal == null ? idle.signal : AbortSignal.any([idle.signal, extra.signal]),
          headers: {
            ...(this.token === null ? {} : { authorization: `Bearer ${this.token}` }),
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(extra.headers as Record<string, string> | undefined),
          },
          body: streamBody !== undefined ? streamBody(() => idle.touch()) : body === undefined ? extra.body : JSON.stringify(body),
        };
        response =
          this.pin === null
            ? await fetch(url, init)
            : (await undiciFetch(url, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: this.pin.dispatcher }));
      } catch (error) {
        throw failed(error);
      }
      idle.touch();
      if (read === 'bytes' && response.ok) {
        return await readBytes(response, idle).catch((error: unknown) => {
          throw failed(error);
        });
      }
      const text = await readText(response, idle).catch((error: unknown) => {
        throw failed(error);
      });
      // A proxy or a restarting hub can answer 502–504: that is "not reachable", not "refused" —
      // unless it is the hub itself saying why (503 with its own error code: its database or storage).
      if (response.status >= 502 && response.status <= 504 && !hubErrorIn(text)) throw new HubUnreachableError();
      // JSON answers are parsed; anything else (a CSV export) comes back as text.
      const isJson = (response.headers.get('content-type') ?? 'application/json').includes('json');
      const json: unknown = text === '' ? null : isJson ? JSON.parse(text) : text;
      const error = (json as { error?: { code?: string; message?: string } } | null)?.error;
      // 401 means the session is gone, except when signing in, where it means wrong credentials.
      if (response.status === 401 && error?.code !== 'wrong-credentials') throw new HubSessionError();
      if (response.status >= 500) {
        throw new HubServerError(response.status, error?.code ?? 'hub-error', error?.message ?? `The hub could not do this (${response.status}).`);
      }
      if (!response.ok) {
        throw new HubRefusedError(response.status, error?.code ?? 'refused', error?.message ?? `The hub refused the request (${response.status}).`);
      }
      return json;
    } finally {
      idle.done();
    }
  }

  /**
   * What the hub says about itself (`GET /api/hub`, no sign-in). A server that answers but is
   * not a Studyshare hub is refused with the code `not-a-hub`.
   */
  async hubInfo(): Promise<HubInfo> {
    const notAHub = (status: number) => new HubRefusedError(status, 'not-a-hub', `The server at ${this.baseUrl} is not a Studyshare hub.`);
    let answer: unknown;
    try {
      answer = await this.request('GET', '/api/hub');
    } catch (error) {
      // A 404 or a sign-in page: something else lives at this address. (JSON.parse's SyntaxError: an answer that only claims to be JSON.)
      if (error instanceof HubRefusedError || error instanceof HubSessionError) throw notAHub(error instanceof HubRefusedError ? error.status : 401);
      if (error instanceof SyntaxError) throw notAHub(200);
      throw error;
    }
    const parsed = hubInfoSchema.safeParse(answer);
    if (!parsed.success) throw notAHub(200);
    return parsed.data;
  }

  /**
   * Calls a hub route by its declaration (shared/hub-api/): the path filled from its parameters,
   * the query and body as declared, and the answer checked against the route's schema — what the
   * hub says is validated here, not cast.
   */
  async call<R extends HubRoute>(route: R, input: HubRouteRequest<R>): Promise<HubRouteResponse<R>> {
    const parts = input as { params?: Record<string, string>; query?: Record<string, unknown>; body?: unknown };
    let pathname = route.path.replace(/:([A-Za-z]+)/g, (_match, name: string) => encodeURIComponent(String(parts.params?.[name] ?? '')));
    if (parts.query !== undefined) {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(parts.query)) if (value !== undefined && value !== null) query.set(key, queryText(value));
      if ([...query].length > 0) pathname += `?${query.toString()}`;
    }
    const answer = await this.request(route.method, pathname, parts.body);
    if (route.response === undefined) return undefined as HubRouteResponse<R>;
    const parsed = route.response.safeParse(answer);
    if (!parsed.success) throw new HubRefusedError(502, 'unexpected-answer', `The hub answered ${route.method} ${route.path} in a form this Studyshare does not understand. Is it the same version?`);
    return parsed.data as HubRouteResponse<R>;
  }

  async signIn(email: string, password: string): Promise<string> {
    const { token } = await this.call(signInRoute, { body: { email, password } });
    this.token = token;
    return token;
  }

  async sendOperations(operations: readonly Operation[]): Promise<readonly OperationResult[]> {
    const { results } = await this.call(postOperationsRoute, { body: { operations: [...operations] } });
    return results;
  }

  changes(after: number, limit = 1000): Promise<HubChangePage> {
    return this.call(changesRoute, { query: { after, limit } });
  }

  /** Uploads a whole file in one request (small files; resumable-upload.ts sends large ones in chunks). */
  async uploadFile(studyId: string, sopInstanceUid: string, filePath: string, onBytes?: (n: number) => void): Promise<{ size: number; sha256: string }> {
    const { size } = await stat(filePath);
    return (await this.request('PUT', `/api/studies/${studyId}/files/${sopInstanceUid}`, undefined, {
      headers: { 'content-type': 'application/dicom', 'content-length': String(size) },
      streamBody: (touch) => fileBody(filePath, { touch, onBytes }),
      duplex: 'half',
    })) as { size: number; sha256: string };
  }

  /** Sends `length` bytes of a file from `start` as the chunk at `offset` of an open upload; answers how many bytes the hub now has. */
  async uploadChunk(uploadId: string, offset: number, filePath: string, length: number, onBytes?: (n: number) => void): Promise<number> {
    const { received } = (await this.request('PUT', `/api/uploads/${uploadId}/chunks/${offset}`, undefined, {
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(length) },
      streamBody: (touch) => fileBody(filePath, { touch, onBytes, start: offset, end: offset + length - 1 }),
      duplex: 'half',
    })) as { received: number };
    return received;
  }
}
