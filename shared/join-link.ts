/**
 * The link that opens Studyshare on this computer at "Join your site's hub" with the hub's
 * address filled in: `studyshare://join?hub=<address>`. The hub's pages offer it (after
 * registering, on its front page); the desktop registers the scheme and reads it back here.
 * Only the address travels: never a token, a name or a password.
 */
import { parsePublicUrl } from './hub-info';

export const JOIN_LINK_SCHEME = 'studyshare';

export function joinLink(hubUrl: string): string {
  return `${JOIN_LINK_SCHEME}://join?hub=${encodeURIComponent(hubUrl)}`;
}

/** The hub address in a join link, or null when the text is not one (or names no valid address). */
export function parseJoinLink(text: string): string | null {
  const match = /^studyshare:\/\/join\/?\?hub=([^&#]+)$/i.exec(text.trim());
  if (match === null) return null;
  let hub: string;
  try {
    hub = decodeURIComponent(match[1]);
  } catch {
    return null;
  }
  const parsed = parsePublicUrl(hub);
  return parsed.ok ? parsed.url : null;
}
