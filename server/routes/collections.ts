/**
 * Collections (issue 13): routes declared in shared/hub-api/collections.ts, SQL in
 * server/collections/. Studies go in and out by sync operation (server/sharing/operations.ts);
 * the rest is here. Each route checks the caller's rights in the collection (or collections.create).
 */
import type { FastifyPluginAsync } from 'fastify';
import {
  collectionCandidatesRoute,
  collectionMembersRoute,
  collectionStudiesRoute,
  createCollectionRoute,
  deleteCollectionRoute,
  listCollectionsRoute,
  removeCollectionMemberRoute,
  setCollectionMemberRoute,
  updateCollectionRoute,
} from '../../shared/hub-api/collections';
import { viewerFacts } from '../access/access-facts';
import type { HubContext } from '../app';
import { requireAccount, requirePermission } from '../auth/sessions';
import { collectionFor, inviteCandidates, createCollection, deleteCollection, listCollections, membersFor, removeMember, setMember, updateCollection } from '../collections/collections-repository';
import { addRoute } from '../http/hub-route';
import { HttpError } from '../http-error';
import { listStudies } from '../studies/study-list';

export const collectionRoutes =
  ({ db, now }: HubContext): FastifyPluginAsync =>
  async (app) => {
    const one = async (viewer: Awaited<ReturnType<typeof viewerFacts>>, id: string) => {
      const found = (await listCollections(db, viewer)).find((c) => c.id === id);
      if (found === undefined) throw new HttpError(404, 'collection-not-found', 'This collection does not exist, or you are not one of its members.');
      return found;
    };

    addRoute(app, listCollectionsRoute, async (_input, { actor }) => ({ collections: await listCollections(db, await viewerFacts(db, actor)) }));

    addRoute(app, createCollectionRoute, async ({ body }, { actor }) => {
      requirePermission(actor, 'collections.create');
      const id = await createCollection(db, actor, requireAccount(actor), body, now().toISOString());
      return { collection: await one(await viewerFacts(db, actor), id) };
    });

    addRoute(app, updateCollectionRoute, async ({ params, body }, { actor }) => {
      const viewer = await viewerFacts(db, actor);
      await updateCollection(db, viewer, params.id, body, now().toISOString());
      return { collection: await one(viewer, params.id) };
    });

    addRoute(app, deleteCollectionRoute, async ({ params }, { actor }) => {
      await deleteCollection(db, await viewerFacts(db, actor), params.id, now().toISOString());
    });

    addRoute(app, collectionMembersRoute, async ({ params }, { actor }) => ({ members: await membersFor(db, await viewerFacts(db, actor), params.id) }));
    addRoute(app, setCollectionMemberRoute, async ({ params, body }, { actor }) => ({ members: await setMember(db, await viewerFacts(db, actor), params.id, body, now().toISOString()) }));
    addRoute(app, removeCollectionMemberRoute, async ({ params }, { actor }) => ({
      members: await removeMember(db, await viewerFacts(db, actor), params.id, { kind: params.kind, memberId: params.memberId }, now().toISOString()),
    }));

    addRoute(app, collectionCandidatesRoute, async ({ params, query }, { actor }) => ({ candidates: await inviteCandidates(db, await viewerFacts(db, actor), params.id, query.q) }));

    addRoute(app, collectionStudiesRoute, async ({ params, query }, { actor }) => {
      const viewer = await viewerFacts(db, actor);
      await collectionFor(db, viewer, params.id);
      return listStudies(db, viewer, { kind: 'collection', collectionId: params.id }, query);
    });
  };
