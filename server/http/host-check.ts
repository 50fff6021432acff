/**
 * DNS rebinding: a web page on attacker.example can make its own name resolve to the hub's
 * address (127.0.0.1 for an embedded hub, a LAN address for a site's) and then talk to the hub
 * as if it were its own origin — but the browser still sends `Host: attacker.example`. So the hub
 * answers only requests whose Host names it: the public URL's host, the address it listens on,
 * loopback names, operator-listed extra names, and IP literals (a rebinding attack needs a DNS
 * name; an address typed as digits cannot be rebound). Everything else gets 421 and a sentence.
 *
 * A hub that was told no name at all (no public URL, no allowed hosts, a wildcard or numeric
 * listen address) has nothing to check a name against and answers any: such a hub makes no links
 * and says so at start. The desktop's embedded hub always has a public address (the one the user
 * set, else its loopback address), so it is always checked.
 */
import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';

export interface HostAllowlist {
  /** The hub's public address, if any (its host name is allowed). */
  readonly publicUrl: string | null;
  /** The address the hub listens on, when known (a name is allowed; a wildcard allows nothing more). */
  readonly listenHost?: string | null;
  /** More names the operator lets in (e.g. an internal name besides the public one). */
  readonly extraHosts?: ReadonlyArray<string>;
}

/** Host names every hub answers to: this computer's own. */
const LOOPBACK_NAMES = ['localhost'];

/** The host name of a Host header value (port dropped, brackets of an IPv6 literal removed, lower-case), or null when malformed. */
export function hostName(header: string): string | null {
  const text = header.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.%]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed !== null) return bracketed[1];
  const named = /^([a-z0-9.-]+)(?::\d{1,5})?$/.exec(text);
  if (named === null) return null;
  return named[1].replace(/\.$/, '');
}

/** The pure rule: may a request with this Host header be answered? */
export function hostAllowed(header: string | undefined, allowlist: HostAllowlist): boolean {
  // Browsers always send Host; a request without one (HTTP/1.0 tools) is no browser's.
  if (header === undefined || header === '') return true;
  const name = hostName(header);
  if (name === null) return false;
  if (isIP(name) !== 0) return true;
  if (LOOPBACK_NAMES.includes(name) || name.endsWith('.localhost')) return true;
  const allowed = new Set<string>();
  if (allowlist.publicUrl !== null) {
    try {
      allowed.add(new URL(allowlist.publicUrl).hostname.toLowerCase().replace(/^\[|\]$/g, ''));
    } catch {
      // A public URL that does not parse allows nothing (config refuses those before here).
    }
  }
  if (allowlist.listenHost !== undefined && allowlist.listenHost !== null && isIP(allowlist.listenHost) === 0) allowed.add(allowlist.listenHost.toLowerCase());
  for (const extra of allowlist.extraHosts ?? []) allowed.add(extra.toLowerCase());
  return allowed.size === 0 || allowed.has(name);
}

/** Answers 421 before anything else runs (no session looked up, no body read) when the Host is not the hub's. */
export function addHostCheck(app: FastifyInstance, allowlist: HostAllowlist): void {
  app.addHook('onRequest', async (request, reply) => {
    // request.host: the Host header, or X-Forwarded-Host from a proxy the operator trusts.
    if (hostAllowed(request.host, allowlist)) return;
    return reply
      .status(421)
      .header('cache-control', 'no-store')
      .send({
        error: {
          code: 'wrong-host',
          message: 'This hub does not answer to that address. Use the hub’s own address (its public URL); if this is the right address, its operator must add it to HUB_ALLOWED_HOSTS.',
        },
      });
  });
}
