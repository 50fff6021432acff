/**
 * The sync client's outbox lands here: a batch of operations, each with an id the client chose.
 * Each is applied in its own transaction and its result stored under that id, so a batch that
 * is sent again (the connection dropped before the answer arrived) changes nothing and gets the
 * same answers. A refused operation says why; the others in the batch still go through.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Transaction } from 'kysely';
import { z } from 'zod';
import { studyAccess, type StudyAction } from '../../shared/permissions/visibility';
import { operationSchema, type Operation, type OperationResult } from '../../shared/hub-contract';
import type { HubContext } from '../app';
import { studyFacts, viewerFacts } from '../access/access-facts';
import { actorFor, requireAccount, requirePermission, type Actor } from '../auth/sessions';
import type { HubDatabase } from '../db/schema';
import { HttpError, parseInput } from '../http-error';

const batchSchema = z.object({ operations: z.array(operationSchema).min(1).max(500) }).strict();

class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function visibleStudy(trx: Transaction<HubDatabase>, actor: Actor, studyId: string, action: StudyAction) {
  const study = await trx.selectFrom('studies').select(['id', 'account_id', 'uploader_id', 'private']).where('id', '=', studyId).executeTakeFirst();
  const access = study === undefined ? null : studyAccess(await studyFacts(trx, study), await viewerFacts(trx, actor));
  if (study === undefined || access === null || !access.actions.has('view')) throw new Refusal('study-not-found', 'This study is not on the hub, or you cannot see it.');
  if (!access.actions.has(action)) throw new Refusal('forbidden', 'Your role does not allow this for this study.');
  return { study, access };
}

async function recordChange(trx: Transaction<HubDatabase>, studyId: string, at: string): Promise<void> {
  await trx.insertInto('changes').values({ study_id: studyId, at }).execute();
}

async function apply(trx: Transaction<HubDatabase>, actor: Actor, op: Operation, at: string): Promise<Record<string, unknown>> {
  switch (op.kind) {
    case 'study.publish': {
      requirePermission(actor, 'studies.import');
      const accountId = requireAccount(actor);
      const existing = await trx.selectFrom('studies').select(['id']).where('account_id', '=', accountId).where('study_uid', '=', op.study.studyInstanceUid).executeTakeFirst();
      if (existing !== undefined) {
        await trx.updateTable('studies').set({ summary: JSON.stringify(op.study), updated_at: at }).where('id', '=', existing.id).execute();
        await recordChange(trx, existing.id, at);
        return { studyId: existing.id, created: false };
      }
      const studyId = randomUUID();
      await trx
        .insertInto('studies')
        .values({ id: studyId, account_id: accountId, study_uid: op.study.studyInstanceUid, uploader_id: actor.userId, private: op.private ? 1 : 0, summary: JSON.stringify(op.study), updated_at: at })
        .execute();
      await recordChange(trx, studyId, at);
      return { studyId, created: true };
    }
    case 'share.create': {
      const { study } = await visibleStudy(trx, actor, op.studyId, 'share');
      let action: StudyAction;
      if ('worklistId' in op.target) {
        const worklist = await trx.selectFrom('worklists').select(['id', 'kind', 'account_id']).where('id', '=', op.target.worklistId).executeTakeFirst();
        if (worklist === undefined) throw new Refusal('target-not-found', 'That worklist does not exist (any more).');
        action =
          worklist.account_id !== actor.accountId ? 'share.code' : worklist.kind === 'location' ? 'share.locations' : worklist.kind === 'group' ? 'share.groups' : 'share.users';
      } else {
        const user = await trx.selectFrom('users').select(['id', 'active']).where('id', '=', op.target.userId).executeTakeFirst();
        if (user === undefined || user.active !== 1) throw new Refusal('target-not-found', 'That person has no active account.');
        action = 'share.users';
      }
      await visibleStudy(trx, actor, study.id, action);
      const worklistId = 'worklistId' in op.target ? op.target.worklistId : null;
      const userId = 'userId' in op.target ? op.target.userId : null;
      const already = await trx
        .selectFrom('shares')
        .select('id')
        .where('study_id', '=', study.id)
        .where('removed_at', 'is', null)
        .where(worklistId === null ? 'user_id' : 'worklist_id', '=', (worklistId ?? userId) as string)
        .executeTakeFirst();
      if (already !== undefined) return { shareId: already.id, alreadyShared: true };
      await trx.insertInto('shares').values({ id: op.shareId, study_id: study.id, worklist_id: worklistId, user_id: userId, shared_by: actor.userId, created_at: at, removed_at: null, removed_by: null }).execute();
      await recordChange(trx, study.id, at);
      return { shareId: op.shareId, alreadyShared: false };
    }
    case 'share.remove': {
      const share = await trx.selectFrom('shares').select(['id', 'study_id', 'removed_at']).where('id', '=', op.shareId).executeTakeFirst();
      if (share === undefined) throw new Refusal('share-not-found', 'That share does not exist.');
      const { access } = await visibleStudy(trx, actor, share.study_id, 'view');
      if (share.removed_at !== null) return { removed: false };
      if (!access.removableShareIds.has(share.id)) throw new Refusal('forbidden', 'Your role does not allow removing this share.');
      await trx.updateTable('shares').set({ removed_at: at, removed_by: actor.userId }).where('id', '=', share.id).execute();
      await recordChange(trx, share.study_id, at);
      return { removed: true };
    }
    case 'study.private': {
      const { study } = await visibleStudy(trx, actor, op.studyId, 'mark-private');
      await trx.updateTable('studies').set({ private: op.private ? 1 : 0, updated_at: at }).where('id', '=', study.id).execute();
      await recordChange(trx, study.id, at);
      return { private: op.private };
    }
  }
}

export const operationRoutes =
  ({ db, now }: HubContext): FastifyPluginAsync =>
  async (app) => {
    app.post('/operations', async (request) => {
      const actor = await actorFor(db, request.headers.authorization, now());
      const { operations } = parseInput(batchSchema, request.body);
      const results: OperationResult[] = [];
      for (const op of operations) {
        results.push(
          await db.transaction().execute(async (trx) => {
            const done = await trx.selectFrom('operations').select(['user_id', 'result']).where('id', '=', op.id).executeTakeFirst();
            if (done !== undefined) {
              if (done.user_id !== actor.userId) return { id: op.id, status: 'rejected', error: { code: 'duplicate-id', message: 'This operation id was used by someone else.' } };
              return JSON.parse(done.result) as OperationResult;
            }
            let result: OperationResult;
            const at = now().toISOString();
            try {
              result = { id: op.id, status: 'applied', value: await apply(trx, actor, op, at) };
            } catch (error) {
              if (error instanceof Refusal) result = { id: op.id, status: 'rejected', error: { code: error.code, message: error.message } };
              else if (error instanceof HttpError && error.status === 403) result = { id: op.id, status: 'rejected', error: { code: error.code, message: error.message } };
              else throw error;
            }
            await trx.insertInto('operations').values({ id: op.id, user_id: actor.userId, kind: op.kind, result: JSON.stringify(result), applied_at: at }).execute();
            return result;
          }),
        );
      }
      return { results };
    });
  };
