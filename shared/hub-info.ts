/**
 * What a hub says about itself at `GET /api/hub` (no sign-in): the desktop checks an address
 * with it before asking for a password, and refuses a hub it cannot talk to. The API version is
 * one integer that moves only when an older desktop could no longer work with the hub; each
 * side says the oldest version of the other it still serves.
 */
import { z } from 'zod';
import { parseUrl } from './web-url';

/** The `service` field that tells a Studyshare hub from any other server at an address. */
export const HUB_SERVICE = 'studyshare-hub';
/** The hub API this code speaks (hub and desktop alike). */
export const HUB_API_VERSION = 1;
/** The oldest hub API this desktop still works with. */
export const MIN_HUB_API_VERSION = 1;
/** The oldest desktop API a hub built from this code serves. */
export const MIN_CLIENT_API_VERSION = 1;

export const hubInfoSchema = z.object({
  service: z.literal(HUB_SERVICE),
  /** The name the operator gave the hub (HUB_NAME), shown before anyone signs in. */
  name: z.string(),
  /** The hub's software version, for messages. */
  version: z.string(),
  apiVersion: z.number().int(),
  minClientApiVersion: z.number().int(),
  /** Its sites' names, where the operator allows listing them; null where not. */
  sites: z.array(z.string()).nullable(),
  /** No site exists yet: the first person to connect creates one (with the setup code on a server hub). */
  needsSetup: z.boolean(),
  /** Where people outside reach the hub (what links point to); null when not configured. */
  publicUrl: z.string().nullable(),
});
export type HubInfo = z.infer<typeof hubInfoSchema>;

/** Whether a desktop speaking `HUB_API_VERSION` and a hub describing itself as `info` can work together, and if not, why. */
export function hubCompatibility(info: Pick<HubInfo, 'apiVersion' | 'minClientApiVersion' | 'version'>, appVersion: string): { readonly ok: true } | { readonly ok: false; readonly message: string } {
  if (info.minClientApiVersion > HUB_API_VERSION) {
    return { ok: false, message: `This hub (version ${info.version}) needs a newer Studyshare than this one (${appVersion}). Update Studyshare on this computer.` };
  }
  if (info.apiVersion < MIN_HUB_API_VERSION) {
    return { ok: false, message: `This hub (version ${info.version}) is older than this Studyshare (${appVersion}) supports. Ask the hub's administrator to update it.` };
  }
  return { ok: true };
}

/** Loopback addresses: a link on one of these opens only on the computer that made it. */
export function isLoopbackUrl(url: string): boolean {
  const host = parseUrl(url)?.hostname.toLowerCase();
  if (host === undefined) return false;
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]' || host === '::1';
}

/**
 * A hub's public address as an operator or a user types it: http(s), a host, no credentials,
 * query or fragment; a trailing slash is dropped. A path is kept (a hub behind a reverse proxy
 * under /studyshare). Returns the normalised URL or a sentence saying what is wrong.
 */
export function parsePublicUrl(input: string): { readonly ok: true; readonly url: string } | { readonly ok: false; readonly message: string } {
  const text = input.trim();
  const url = parseUrl(text);
  if (url === null) return { ok: false, message: `“${text}” is not an address. Write it in full, for example https://hub.example.org.` };
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, message: 'The address must start with https:// (or http:// on a local network).' };
  if (url.hostname === '') return { ok: false, message: 'The address needs a host name.' };
  if (url.username !== '' || url.password !== '') return { ok: false, message: 'The address must not hold a user name or password.' };
  if (url.search !== '' || url.hash !== '') return { ok: false, message: 'The address must not have a query (?…) or a fragment (#…).' };
  return { ok: true, url: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}
