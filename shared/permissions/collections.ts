/**
 * Collections (issue 13): a named list of study references shared with users and groups, each
 * member holding rights modelled on KHEOPS's album flags (addSeries, deleteSeries, writeComments,
 * downloadSeries, addUser, and the album admin). Pure rules; the hub's collection routes
 * (server/collections/) and the desktop's menus both read them.
 *
 * Decisions:
 * - Every member may view the collection's studies (that is what being a member means); the
 *   other rights are flags. `manage` implies every other right (rename, delete, change rights).
 * - A collection always keeps at least one member with `manage` on its own (not through a group):
 *   removing or demoting the last one is refused, so a collection is never left unmanaged.
 * - A study is added by reference; removing it from a collection touches no share.
 * - A private study may be added only by its uploader or an admin of its site (those who may
 *   already mark it private): its collection's members then become participants and see it
 *   (visibility rule 2). Anyone else adding it is refused.
 */
import { z } from 'zod';

export const COLLECTION_RIGHTS = ['add', 'remove', 'comment', 'download', 'invite', 'manage'] as const;
export type CollectionRight = (typeof COLLECTION_RIGHTS)[number];

export const COLLECTION_RIGHT_LABELS: Readonly<Record<CollectionRight, string>> = {
  add: 'Add studies',
  remove: 'Remove studies',
  comment: 'Comment',
  download: 'Download',
  invite: 'Invite members',
  manage: 'Manage',
};

export const collectionRightsSchema = z.array(z.enum(COLLECTION_RIGHTS)).max(COLLECTION_RIGHTS.length);

/** A member's effective rights: `manage` holds every one; a person in several groups of a collection gets the union. */
export function effectiveRights(grants: readonly (readonly CollectionRight[])[]): ReadonlySet<CollectionRight> {
  const rights = new Set<CollectionRight>(grants.flat());
  if (rights.has('manage')) for (const right of COLLECTION_RIGHTS) rights.add(right);
  return rights;
}

/** Whether taking `right` away from, or removing, one direct member leaves the collection without a manager. */
export function leavesNoManager(directMembers: readonly { readonly userId: string; readonly rights: readonly CollectionRight[] }[], change: { readonly userId: string; readonly rights: readonly CollectionRight[] | null }): boolean {
  const after = directMembers.map((m) => (m.userId === change.userId ? { ...m, rights: change.rights } : m)).filter((m) => m.rights !== null);
  return !after.some((m) => m.rights!.includes('manage'));
}

/** Whether this person may add a study to a collection in which they hold `rights` (private studies: its uploader or its site's admins). */
export function mayAddStudy(rights: ReadonlySet<CollectionRight>, study: { readonly private: boolean; readonly mayMarkPrivate: boolean }): { ok: true } | { ok: false; why: string } {
  if (!rights.has('add')) return { ok: false, why: 'Your rights in this collection do not include adding studies.' };
  if (study.private && !study.mayMarkPrivate) return { ok: false, why: 'This study is private: only its uploader or an administrator may add it to a collection.' };
  return { ok: true };
}
