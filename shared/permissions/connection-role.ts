/**
 * One role per connection (issue 14): a person outside any site may connect to several sites,
 * as a Physician at one and an External rep at another, and each site's role for that connection
 * decides what they may do with that site's studies — never anything site-wide. Pure rules, used
 * by the hub (server/access/access-facts.ts fills `ViewerFacts.siteRoles` from them) and by the
 * desktop (the role picker shows what a role gives a connected person).
 */
import type { ConnectionKind } from '../connections/connection-kinds';
import type { BuiltInRole, PermissionKey } from './catalogue';

/**
 * What a site's role can give someone connected to it from outside: what they may do with one
 * of its studies. Everything else a role holds (administration, the audit trail, importing,
 * collections, guest links, marking private) is about the site itself, which a connected person
 * is not part of, so it is dropped here whatever the role says.
 */
export const CONNECTION_PERMISSION_KEYS: readonly PermissionKey[] = ['studies.view', 'studies.share', 'studies.share.email', 'studies.share.code', 'studies.comment'];

/** The permissions a connection's role gives on its site's studies: the role's keys, study keys only. */
export function connectionPermissions(roleKeys: Iterable<PermissionKey>): Set<PermissionKey> {
  const keys = new Set(roleKeys);
  return new Set(CONNECTION_PERMISSION_KEYS.filter((key) => keys.has(key)));
}

/**
 * The built-in role a connection takes at its first assignment, by its kind (the admin may set
 * another of the site's roles afterwards): a Physician connection the site's Physician role, a
 * Practice manager the Case Manager role (staff acting for physicians), an External rep the
 * Referrer role (what the site gives people it invites by email).
 */
export const CONNECTION_DEFAULT_ROLES: Readonly<Record<ConnectionKind, BuiltInRole>> = {
  physician: 'Physician',
  'practice-manager': 'Case Manager',
  'external-rep': 'Referrer',
};
