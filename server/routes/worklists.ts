/**
 * Worklists and their share codes: the worklists a user has, looking one up by share code (to
 * share into it from anywhere in the ecosystem), and regenerating a code (the old one stops
 * working). Locations and groups are created with their worklist.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Transaction } from 'kysely';
import { z } from 'zod';
import { hubStudyQuerySchema } from '../../shared/hub-api/worklists';
import { parseShareCode } from '../../shared/share-code';
import { viewerFacts } from '../access/access-facts';
import { listStudies } from '../studies/study-list';
import type { HubContext } from '../app';
import { requireAccount, requirePermission } from '../auth/sessions';
import type { HubDatabase } from '../db/schema';
import { HttpError, parseInput } from '../http-error';
import { uniqueShareCode } from './worklist-codes';

const nameSchema = z.object({ name: z.string().trim().min(1).max(200) }).strict();
const memberSchema = z.object({ userId: z.string().uuid() }).strict();
const groupSchema = z.object({ name: z.string().trim().min(1).max(200), department: z.boolean().default(false) }).strict();

export const worklistRoutes =
  ({ db }: HubContext): FastifyPluginAsync =>
  async (app) => {
    app.get('/worklists', async (request) => {
      const { actor } = request;
      const rows = await db
        .selectFrom('worklists')
        .select(['id', 'kind', 'name', 'share_code as shareCode', 'owner_id as ownerId'])
        .where((eb) =>
          eb.or([
            eb.and([eb('kind', '=', 'personal'), eb('owner_id', '=', actor.userId)]),
            eb.and([eb('kind', 'in', ['location', 'group']), eb('account_id', '=', actor.accountId)]),
          ]),
        )
        .orderBy('kind')
        .orderBy('name')
        .execute();
      // `member`: the worklists this user works from (their own, their locations', their groups').
      const viewer = await viewerFacts(db, actor);
      return {
        worklists: rows.map((row) => ({
          ...row,
          member: row.kind === 'personal' || (row.kind === 'location' ? viewer.locationIds : viewer.groupIds).has(row.ownerId),
        })),
      };
    });

    app.get<{ Params: { code: string } }>('/worklists/by-code/:code', async (request) => {
      const { actor } = request;
      requirePermission(actor, 'studies.share.code');
      const parsed = parseShareCode(request.params.code);
      if (!parsed.ok) throw new HttpError(400, `share-code-${parsed.problem}`, parsed.message);
      const row = await db
        .selectFrom('worklists')
        .leftJoin('accounts', 'accounts.id', 'worklists.account_id')
        .select(['worklists.id', 'worklists.kind', 'worklists.name', 'accounts.name as site', 'worklists.share_code as shareCode'])
        .where('worklists.share_code', '=', parsed.code)
        .executeTakeFirst();
      if (row === undefined) throw new HttpError(404, 'share-code-unknown', 'No worklist has this share code. Check it with the person who gave it to you.');
      return { worklist: row };
    });

    app.post<{ Params: { id: string } }>('/worklists/:id/share-code', async (request) => {
      const { actor } = request;
      const worklist = await db.selectFrom('worklists').select(['id', 'kind', 'account_id']).where('id', '=', request.params.id).executeTakeFirst();
      if (worklist === undefined || worklist.account_id !== actor.accountId) throw new HttpError(404, 'not-found', 'No such worklist in your site.');
      requirePermission(actor, worklist.kind === 'location' ? 'admin.locations' : worklist.kind === 'group' ? 'admin.groups' : 'admin.users');
      const shareCode = await uniqueShareCode(db);
      await db.updateTable('worklists').set({ share_code: shareCode }).where('id', '=', worklist.id).execute();
      return { shareCode };
    });

    /** A location or group is created together with its worklist, in one transaction. */
    async function createWithWorklist(
      accountId: string,
      kind: 'location' | 'group',
      name: string,
      insertOwner: (trx: Transaction<HubDatabase>, id: string) => Promise<unknown>,
    ): Promise<string> {
      const id = randomUUID();
      await db.transaction().execute(async (trx) => {
        await insertOwner(trx, id);
        await trx
          .insertInto('worklists')
          .values({ id: randomUUID(), kind, owner_id: id, account_id: accountId, name, share_code: await uniqueShareCode(trx) })
          .execute();
      });
      return id;
    }

    app.get<{ Params: { id: string }; Querystring: Record<string, string> }>('/worklists/:id/studies', async (request) => {
      const { actor } = request;
      const query = parseInput(hubStudyQuerySchema, request.query);
      const worklist = await db.selectFrom('worklists').select(['id', 'kind', 'owner_id', 'account_id']).where('id', '=', request.params.id).executeTakeFirst();
      if (worklist === undefined) throw new HttpError(404, 'not-found', 'No such worklist.');
      const viewer = await viewerFacts(db, actor);
      const member =
        worklist.kind === 'personal'
          ? worklist.owner_id === actor.userId
          : (worklist.kind === 'location' ? viewer.locationIds : viewer.groupIds).has(worklist.owner_id) ||
            (worklist.account_id === actor.accountId && actor.permissions.has('admin.users'));
      if (!member) throw new HttpError(403, 'forbidden', 'This is not one of your worklists.');
      // What is shared to the worklist (and, for a personal one, to its owner in person), as far
      // as this viewer may see it: filtered in the query, before the page is cut.
      return listStudies(db, viewer, { kind: 'worklist', worklistId: worklist.id, personalOwnerId: worklist.kind === 'personal' ? worklist.owner_id : null }, query);
    });

    // Locations and groups of the site with their members (for the admin screens).
    for (const kind of ['location', 'group'] as const) {
      app.get(`/${kind}s`, async (request) => {
        const { actor } = request;
        requirePermission(actor, kind === 'location' ? 'admin.locations' : 'admin.groups');
        const accountId = requireAccount(actor);
        const owners = await db.selectFrom(kind === 'location' ? 'locations' : 'groups').selectAll().where('account_id', '=', accountId).orderBy('name').execute();
        const members = await db
          .selectFrom(kind === 'location' ? 'location_members' : 'group_members')
          .innerJoin('users', 'users.id', 'user_id')
          .select(['owner_id', 'users.id', 'users.name'])
          .where('users.account_id', '=', accountId)
          .orderBy('users.name')
          .execute();
        return {
          [`${kind}s`]: owners.map((owner) => ({
            id: owner.id,
            name: owner.name,
            ...('department' in owner ? { department: owner.department === 1 } : {}),
            members: members.filter((m) => m.owner_id === owner.id).map((m) => ({ id: m.id, name: m.name })),
          })),
        };
      });
    }

    for (const kind of ['location', 'group'] as const) {
      app.post<{ Params: { id: string } }>(`/${kind}s/:id/members`, async (request, reply) => {
        const { actor } = request;
        requirePermission(actor, kind === 'location' ? 'admin.locations' : 'admin.groups');
        const accountId = requireAccount(actor);
        const { userId } = parseInput(memberSchema, request.body);
        const owner = await db.selectFrom(kind === 'location' ? 'locations' : 'groups').select('id').where('id', '=', request.params.id).where('account_id', '=', accountId).executeTakeFirst();
        const user = await db.selectFrom('users').select('id').where('id', '=', userId).where('account_id', '=', accountId).executeTakeFirst();
        if (owner === undefined || user === undefined) throw new HttpError(404, 'not-found', `No such ${kind} or user in your site.`);
        await db.insertInto(kind === 'location' ? 'location_members' : 'group_members').values({ owner_id: owner.id, user_id: user.id }).onConflict((oc) => oc.doNothing()).execute();
        return reply.status(204).send();
      });
    }

    app.post('/locations', async (request, reply) => {
      const { actor } = request;
      requirePermission(actor, 'admin.locations');
      const accountId = requireAccount(actor);
      const input = parseInput(nameSchema, request.body);
      const id = await createWithWorklist(accountId, 'location', input.name, (trx, ownerId) =>
        trx.insertInto('locations').values({ id: ownerId, account_id: accountId, name: input.name }).execute(),
      );
      return reply.status(201).send({ location: { id, name: input.name } });
    });

    app.post('/groups', async (request, reply) => {
      const { actor } = request;
      requirePermission(actor, 'admin.groups');
      const accountId = requireAccount(actor);
      const input = parseInput(groupSchema, request.body);
      const id = await createWithWorklist(accountId, 'group', input.name, (trx, ownerId) =>
        trx.insertInto('groups').values({ id: ownerId, account_id: accountId, name: input.name, department: input.department ? 1 : 0 }).execute(),
      );
      return reply.status(201).send({ group: { id, name: input.name, department: input.department } });
    });
  };
