/**
 * The hub's routes for collections (issue 13): named lists of study references shared with users
 * and groups, each member holding rights (shared/permissions/collections.ts). Studies go in and
 * out through the sync operations `collection.add` / `collection.remove` (offline-first, like
 * shares); everything else here. Declared once (see route.ts).
 */
import { z } from 'zod';
import { COLLECTION_RIGHTS } from '../permissions/collections';
import { hubRoute } from './route';
import { hubStudyPageSchema, hubStudyQuerySchema } from './worklists';

const id = z.string().uuid();
const name = z.string().trim().min(1, 'a name').max(200);
const description = z.string().trim().max(2000).default('');
const rights = z.array(z.enum(COLLECTION_RIGHTS)).max(COLLECTION_RIGHTS.length);

const collection = z.object({ id, name: z.string(), description: z.string(), studyCount: z.number().int(), rights, createdBy: z.object({ id, name: z.string() }) });
export type CollectionView = z.output<typeof collection>;
const member = z.object({ kind: z.enum(['user', 'group']), id, name: z.string(), rights });
export type CollectionMemberView = z.output<typeof member>;

export const listCollectionsRoute = hubRoute({
  method: 'GET',
  path: '/api/collections',
  summary: 'The collections the caller is a member of (in person or through a group), with their study counts and the caller’s rights.',
  response: z.object({ collections: z.array(collection) }),
});

export const createCollectionRoute = hubRoute({
  method: 'POST',
  path: '/api/collections',
  summary: 'Makes a collection; its maker is its first manager (collections.create).',
  status: 201,
  body: z.object({ name, description }).strict(),
  response: z.object({ collection }),
});

export const updateCollectionRoute = hubRoute({
  method: 'PUT',
  path: '/api/collections/:id',
  summary: 'Renames a collection or changes its description (manage).',
  params: z.object({ id }).strict(),
  body: z.object({ name, description }).strict(),
  response: z.object({ collection }),
});

export const deleteCollectionRoute = hubRoute({
  method: 'DELETE',
  path: '/api/collections/:id',
  summary: 'Deletes a collection: its members stop seeing its studies through it; no share is touched (manage).',
  status: 204,
  params: z.object({ id }).strict(),
});

export const collectionMembersRoute = hubRoute({
  method: 'GET',
  path: '/api/collections/:id/members',
  summary: 'A collection’s members and their rights (any member).',
  params: z.object({ id }).strict(),
  response: z.object({ members: z.array(member) }),
});

export const setCollectionMemberRoute = hubRoute({
  method: 'PUT',
  path: '/api/collections/:id/members',
  summary: 'Adds a user or group with rights (invite: at most one’s own rights), or changes a member’s rights (manage); the last manager stays.',
  params: z.object({ id }).strict(),
  body: z.object({ kind: z.enum(['user', 'group']), memberId: id, rights }).strict(),
  response: z.object({ members: z.array(member) }),
});

export const removeCollectionMemberRoute = hubRoute({
  method: 'DELETE',
  path: '/api/collections/:id/members/:kind/:memberId',
  summary: 'Removes a member (manage, or oneself); the last manager stays.',
  params: z.object({ id, kind: z.enum(['user', 'group']), memberId: id }).strict(),
  response: z.object({ members: z.array(member) }),
});

export const collectionStudiesRoute = hubRoute({
  method: 'GET',
  path: '/api/collections/:id/studies',
  summary: 'A collection’s studies (any member), searched, filtered, sorted and paged like a worklist.',
  params: z.object({ id }).strict(),
  query: hubStudyQuerySchema,
  response: hubStudyPageSchema,
});

export const collectionCandidatesRoute = hubRoute({
  method: 'GET',
  path: '/api/collections/:id/candidates',
  summary: 'Users and groups of the collection’s site whose name matches, to invite (invite).',
  params: z.object({ id }).strict(),
  query: z.object({ q: z.string().trim().min(1).max(100) }).strict(),
  response: z.object({ candidates: z.array(z.object({ kind: z.enum(['user', 'group']), id, name: z.string() })) }),
});
