/**
 * External users who connect to a site (issue 14, part 3): the three kinds of connection, how
 * many physicians each may be assigned, and what a site's role for external users may hold.
 * Pure rules, used by the hub to enforce and by the desktop to show.
 */
import type { BuiltInRole } from '../permissions/catalogue';

export const CONNECTION_KINDS = ['physician', 'practice-manager', 'external-rep'] as const;
export type ConnectionKind = (typeof CONNECTION_KINDS)[number];

export const CONNECTION_STATUSES = ['review', 'assigned', 'declined'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

export const CONNECTION_KIND_LABELS: Readonly<Record<ConnectionKind, string>> = {
  physician: 'Physician',
  'practice-manager': 'Practice manager',
  'external-rep': 'External rep',
};

/** A Physician connection is one person in the directory; the others act for several. */
export const maxPhysiciansFor = (kind: ConnectionKind): number => (kind === 'physician' ? 1 : Number.POSITIVE_INFINITY);

/** Why a set of physicians cannot be assigned to a connection of this kind, or null. */
export function assignmentProblem(kind: ConnectionKind, physicianCount: number): string | null {
  if (physicianCount > maxPhysiciansFor(kind)) return 'A Physician connection is one physician of the directory: choose exactly one.';
  return null;
}

/**
 * The site's role for its external users: the built-in role its admins already edit for people
 * it invites by email (Administration → Roles). A connected user who has no role yet gets it at
 * their first assignment. Whatever it holds, an external user has no site, so every site-wide
 * route (lists of users, places, audit, administration) refuses them (requireAccount).
 */
export const EXTERNAL_USER_ROLE: BuiltInRole = 'Referrer';
