/**
 * The one header policy for everything Studyshare serves over HTTP: the hub's API, its pages
 * (registration, password reset, its front page), the guest page, and the desktop's browser mode
 * (electron/main/http/loopback-server.ts). The hub applies it through @fastify/helmet
 * (server/http/security-headers.ts builds helmet's options from it); the browser mode's plain
 * Node server sends `securityHeaders(kind)`. A test checks that both send exactly these values.
 *
 * Why each: nosniff (a DICOM file or JSON is never run as script or HTML); no-referrer (guest,
 * registration and reset addresses carry tokens); frames denied (clickjacking); same-origin
 * opener and resource policies (no other site holds a handle on our windows or embeds our
 * answers); no-store on everything (patient data must not stay in a browser's or proxy's cache:
 * nothing the hub serves is worth caching against that risk); noindex (search engines that find
 * a link must not list it).
 */

export type CspDirectives = Readonly<Record<string, ReadonlyArray<string>>>;

/** Content Security Policies by what is served. */
export const CSP = {
  /** JSON, files, zips: nothing may load or run from them. */
  api: { 'default-src': ["'none'"], 'base-uri': ["'none'"], 'form-action': ["'none'"], 'frame-ancestors': ["'none'"] },
  /** The hub's own pages: a stylesheet and forms that post back, no script. */
  hubPage: { 'default-src': ["'none'"], 'style-src': ["'self'"], 'img-src': ["'self'"], 'form-action': ["'self'"], 'frame-ancestors': ["'none'"], 'base-uri': ["'none'"] },
  /**
   * The guest page: its own script and style, and the app's viewer in it (its codecs are
   * WebAssembly compiled in its own decoding workers: no eval of script, nothing remote).
   */
  guestPage: {
    'default-src': ["'none'"],
    'script-src': ["'self'", "'wasm-unsafe-eval'"],
    'worker-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'blob:', 'data:'],
    'connect-src': ["'self'"],
    'frame-ancestors': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
  },
  /** The desktop app's page in browser mode (the same as renderer/index.html's meta policy, plus frame-ancestors, which a meta tag cannot set). */
  appPage: {
    'default-src': ["'self'"],
    // The viewer's codecs are WebAssembly, compiled in its decoding workers (no eval of script).
    'script-src': ["'self'", "'wasm-unsafe-eval'"],
    'worker-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'connect-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-ancestors': ["'none'"],
  },
} as const satisfies Readonly<Record<string, CspDirectives>>;

export type CspKind = keyof typeof CSP;

/** A policy as its header value. */
export function cspValue(directives: CspDirectives): string {
  return Object.entries(directives)
    .map(([name, values]) => [name, ...values].join(' '))
    .join(';');
}

/** HSTS: a year, this host only (a hub's parent domain is not ours to decide). Browsers ignore it over plain HTTP. */
export const HSTS_MAX_AGE_SECONDS = 31_536_000;

/** Every header of the policy except the CSP, with its value (lower-case names). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': `max-age=${HSTS_MAX_AGE_SECONDS}`,
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
  'x-robots-tag': 'noindex, nofollow',
  'x-xss-protection': '0',
};

/** The whole policy for one kind of answer, as headers. */
export function securityHeaders(kind: CspKind): Record<string, string> {
  return { ...SECURITY_HEADERS, 'content-security-policy': cspValue(CSP[kind]) };
}
