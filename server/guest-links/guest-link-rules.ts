/**
 * Guest link rules with no I/O: the state a link is in at a given time, and the forms a
 * patient's date of birth may be typed in when it is the password.
 */
import type { GuestLinkTable } from '../db/schema';

export type GuestLinkState = 'active' | 'expired' | 'used-up' | 'revoked' | 'locked';

export function guestLinkState(link: Pick<GuestLinkTable, 'revoked_at' | 'locked_at' | 'expires_at' | 'max_uses' | 'uses'>, now: Date): GuestLinkState {
  if (link.revoked_at !== null) return 'revoked';
  if (link.locked_at !== null) return 'locked';
  if (link.expires_at <= now.toISOString()) return 'expired';
  if (link.max_uses !== null && link.uses >= link.max_uses) return 'used-up';
  return 'active';
}

/**
 * A date of birth as YYYYMMDD, from what a person types: 1970-03-15, 15.03.1970, 15/03/1970,
 * 19700315. Null when it is none of these.
 */
export function normaliseBirthDate(typed: string): string | null {
  const text = typed.trim();
  let match = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text);
  if (match !== null) return `${match[1]}${match[2]}${match[3]}`;
  match = /^(\d{1,2})[./](\d{1,2})[./](\d{4})$/.exec(text);
  if (match !== null) return `${match[3]}${match[2].padStart(2, '0')}${match[1].padStart(2, '0')}`;
  return null;
}
