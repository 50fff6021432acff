/**
 * Applies a batch from a sync client's outbox: publishing studies, creating and removing shares,
 * marking studies private. Each operation carries an id the client chose and its result is
 * stored under that id, so a batch sent again (the connection dropped before the answer arrived)
 * changes nothing and gets the same answers. A refused operation says why; the others in the
 * batch still go through. The route (server/routes/operations.ts) only calls `applyBatch`.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { shareAction, studyAccess, type StudyAction } from '../../shared/permissions/visibility';
import type { Operation, OperationResult } from '../../shared/hub-contract';
import { studyFacts, viewerFacts } from '../access/access-facts';
import type { ViewerFacts } from '../../shared/permissions/visibility';
import { requireAccount, requirePermission, type Actor } from '../auth/sessions';
import type { HubDatabase } from '../db/schema';
import { lockChangeFeed, recordChange } from '../db/change-feed';
import { HttpError } from '../http-error';
import { recordAudit } from '../audit/audit-trail';
import { addStudyToCollection, removeStudyFromCollection } from '../collections/collections-repository';
import { applyCollectionAddRun, collectionAddRunLength, type CollectionAddOp } from '../collections/collection-add-run';
import { addComment, deleteComment, editComment } from '../comments/comments-repository';
import { emailRecipient, notifyShare } from './email-recipient';
import { notify } from '../notifications/notify';
import { worklistMemberIds } from '../notifications/recipients';
import { indexStudySearch, searchColumns } from '../studies/study-search-index';
import { dicomPhysicianNames, linkArrivingStudy, linkSharedPhysician } from '../physicians/physician-linking';
import { onBehalfFields, onBehalfOf } from '../physicians/acting-for';
import { linkByHand, unlinkByHand } from '../physicians/study-physician-ops';

class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function visibleStudy(trx: Transaction<HubDatabase>, viewer: ViewerFacts, studyId: string, action: StudyAction) {
  const study = await trx.selectFrom('studies').select(['id', 'account_id', 'uploader_id', 'private']).where('id', '=', studyId).executeTakeFirst();
  const access = study === undefined ? null : studyAccess(await studyFacts(trx, study), viewer);
  if (study === undefined || access === null || !access.actions.has('view')) throw new Refusal('study-not-found', 'This study is not on the hub, or you cannot see it.');
  requireAction(access.actions, action);
  return { study, access };
}

function requireAction(actions: ReadonlySet<StudyAction>, action: StudyAction): void {
  if (actions.has(action)) return;
  // Visibility rule 10: whatever the target's kind, outside one's own site is share.code's.
  if (action === 'share.code') throw new Refusal('forbidden', 'Sharing with another site or with someone outside your site needs the right to share by share code, which your role does not have.');
  throw new Refusal('forbidden', 'Your role does not allow this for this study.');
}


interface ApplyContext {
  readonly trx: Transaction<HubDatabase>;
  readonly actor: Actor;
  /** Who the actor is for the visibility rules: read once per batch (operations do not change it). */
  readonly viewer: ViewerFacts;
  readonly at: string;
  /** Where the hub is reached from outside: the registration links in invitations point here. */
  readonly publicUrl: string | null;
}

/** A study named by hub id, or by StudyInstanceUID in the actor's own site. */
async function resolveStudy(trx: Transaction<HubDatabase>, actor: Actor, ref: { id: string } | { uid: string }): Promise<string> {
  if ('id' in ref) return ref.id;
  const row =
    actor.accountId === null
      ? undefined
      : await trx.selectFrom('studies').select('id').where('account_id', '=', actor.accountId).where('study_uid', '=', ref.uid).executeTakeFirst();
  if (row === undefined) throw new Refusal('study-not-found', 'This study is not on the hub, or you cannot see it.');
  return row.id;
}

type ShareOp = Extract<Operation, { kind: 'share.create' }>;

async function createShare({ trx, actor, viewer, at, publicUrl }: ApplyContext, op: ShareOp): Promise<Record<string, unknown>> {
  const { study, access } = await visibleStudy(trx, viewer, await resolveStudy(trx, actor, op.study), 'share');
  let action: StudyAction;
  let worklistId: string | null = null;
  let userId: string | null = null;
  let external = false;
  let invited: { invitationId: string; newLink: boolean } | null = null;
  // The owner of the personal worklist shared to: a physician there becomes `reading` on the study.
  let personalOwner: string | null = null;
  const recipientContext = { trx, actor, studyAccountId: study.account_id, at, publicUrl };
  if ('worklistId' in op.target) {
    const worklist = await trx.selectFrom('worklists').select(['id', 'kind', 'account_id', 'owner_id']).where('id', '=', op.target.worklistId).executeTakeFirst();
    if (worklist === undefined) throw new Refusal('target-not-found', 'That worklist does not exist (any more).');
    if (worklist.kind === 'personal' && worklist.owner_id === actor.userId) throw new Refusal('target-is-self', 'You cannot share a study with yourself.');
    if (worklist.kind === 'personal') personalOwner = worklist.owner_id;
    action = shareAction({ kind: worklist.kind, accountId: worklist.account_id }, viewer);
    worklistId = worklist.id;
  } else if ('userId' in op.target) {
    const user = await trx.selectFrom('users').select(['id', 'active', 'account_id']).where('id', '=', op.target.userId).executeTakeFirst();
    if (user === undefined || user.active !== 1) throw new Refusal('target-not-found', 'That person has no active account.');
    // The same rule as for their personal worklist: someone outside the sharer's site needs share.code.
    action = shareAction({ kind: 'person', accountId: user.account_id }, viewer);
    userId = user.id;
  } else {
    action = 'share.email';
    // Checked before anything is created for the address.
    requireAction(access.actions, action);
    const recipient = await emailRecipient(recipientContext, op.target.email);
    if (recipient.kind === 'inactive') throw new Refusal('target-inactive', 'The account with this address is deactivated. Ask its site to reactivate it.');
    userId = recipient.userId;
    external = recipient.kind === 'invited' || recipient.accountId !== study.account_id;
    if (recipient.kind === 'invited') invited = { invitationId: recipient.invitationId, newLink: recipient.newLink };
  }
  requireAction(access.actions, action);
  if (userId === actor.userId) {
    throw new Refusal('target-is-self', 'You cannot share a study with yourself.');
  }
  // One live share per study and target is the database's rule (migration 0170): a concurrent
  // request, on this process or another, that inserted it first makes this insert do nothing.
  const target = worklistId === null ? 'user_id' : 'worklist_id';
  const behalf = await onBehalfOf(trx, viewer, study.id, op.forPhysicianId);
  await lockChangeFeed(trx);
  const inserted = await trx
    .insertInto('shares')
    .values({ id: op.shareId, study_id: study.id, worklist_id: worklistId, user_id: userId, shared_by: actor.userId, created_at: at, removed_at: null, removed_by: null, external: external ? 1 : 0, study_account_id: study.account_id, on_behalf_of_physician: behalf?.physicianId ?? null })
    .onConflict((conflict) => conflict.columns(['study_id', target]).where('removed_at', 'is', null).where(target, 'is not', null).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) {
    const already = await trx.selectFrom('shares').select('id').where('study_id', '=', study.id).where('removed_at', 'is', null).where(target, '=', (worklistId ?? userId) as string).executeTakeFirstOrThrow();
    return { shareId: already.id, studyId: study.id, alreadyShared: true, invited: invited !== null };
  }
  await linkSharedPhysician(trx, { studyId: study.id, accountId: study.account_id, userId: personalOwner ?? userId, at, createdBy: actor.userId, onBehalfOf: behalf?.physicianId ?? null });
  await recordChange(trx, study.id, at);
  const audit = { at, accountId: study.account_id, studyId: study.id, shareId: op.shareId, trail: 'study', actorId: actor.userId, ...onBehalfFields(behalf) } as const;
  await recordAudit(trx, { ...audit, action: 'share.create', detail: { via: action, worklistId, userId, external } });
  if (invited?.newLink) await recordAudit(trx, { ...audit, trail: 'share', action: 'invitation.send', detail: { invitationId: invited.invitationId } });
  if (action === 'share.email' && invited === null) await notifyShare(recipientContext, userId!);
  // Issue 16: the person, or everyone in the worklist, learns of it (their preferences decide how).
  const recipients = userId !== null ? [userId] : await worklistMemberIds(trx, worklistId!);
  await notify(trx, recipients.map((recipient) => ({ userId: recipient, kind: 'share.received' as const, actorId: actor.userId, studyId: study.id })), at);
  return { shareId: op.shareId, studyId: study.id, alreadyShared: false, invited: invited !== null };
}

async function apply(context: ApplyContext, op: Operation): Promise<Record<string, unknown>> {
  const { trx, actor, viewer, at } = context;
  switch (op.kind) {
    case 'study.publish': {
      requirePermission(actor, 'studies.import');
      const accountId = requireAccount(actor);
      const existing = await trx.selectFrom('studies').select(['id', 'account_id', 'uploader_id', 'private']).where('account_id', '=', accountId).where('study_uid', '=', op.study.studyInstanceUid).executeTakeFirst();
      if (existing !== undefined) {
        // Publishing a study the site already has rewrites its data: that needs sight of it and the
        // right to update it (visibility rule 9). A refusal names neither the study's hub id nor
        // anything of it: whoever cannot see it learns only that their site has it already (they
        // hold its UID, so that much they know), and their own files stay on their desktop.
        const access = studyAccess(await studyFacts(trx, existing), viewer);
        if (!access.actions.has('update')) {
          throw new Refusal('study-not-updatable', 'This study is already on the hub and you may not change it there. Ask its uploader or your site’s admin.');
        }
        await trx.updateTable('studies').set({ summary: JSON.stringify(op.study), ...searchColumns(op.study), updated_at: at }).where('id', '=', existing.id).execute();
        await indexStudySearch(trx, existing.id, op.study);
        await linkArrivingStudy(trx, accountId, existing.id, dicomPhysicianNames(op.study), at);
        await recordChange(trx, existing.id, at);
        await recordAudit(trx, { at, accountId, studyId: existing.id, trail: 'study', actorId: actor.userId, action: 'study.update' });
        return { studyId: existing.id, created: false };
      }
      const studyId = randomUUID();
      await trx
        .insertInto('studies')
        .values({ id: studyId, account_id: accountId, study_uid: op.study.studyInstanceUid, uploader_id: actor.userId, private: op.private ? 1 : 0, summary: JSON.stringify(op.study), ...searchColumns(op.study), updated_at: at })
        .execute();
      await indexStudySearch(trx, studyId, op.study);
      await linkArrivingStudy(trx, accountId, studyId, dicomPhysicianNames(op.study), at);
      await recordChange(trx, studyId, at);
      await recordAudit(trx, { at, accountId, studyId, trail: 'study', actorId: actor.userId, action: 'study.import', detail: { private: op.private } });
      return { studyId, created: true };
    }
    case 'share.create':
      return createShare(context, op);
    case 'share.remove': {
      const share = await trx.selectFrom('shares').select(['id', 'study_id', 'removed_at']).where('id', '=', op.shareId).executeTakeFirst();
      if (share === undefined) throw new Refusal('share-not-found', 'That share does not exist.');
      const { study, access } = await visibleStudy(trx, viewer, share.study_id, 'view');
      if (share.removed_at !== null) return { removed: false };
      if (!access.removableShareIds.has(share.id)) throw new Refusal('forbidden', 'Your role does not allow removing this share.');
      const behalf = await onBehalfOf(trx, viewer, study.id, op.forPhysicianId);
      await trx.updateTable('shares').set({ removed_at: at, removed_by: actor.userId }).where('id', '=', share.id).execute();
      await recordChange(trx, share.study_id, at);
      await recordAudit(trx, { at, accountId: study.account_id, studyId: study.id, shareId: share.id, trail: 'study', actorId: actor.userId, action: 'share.remove', ...onBehalfFields(behalf) });
      return { removed: true };
    }
    case 'study.private': {
      const { study } = await visibleStudy(trx, viewer, await resolveStudy(trx, actor, op.study), 'mark-private');
      // Unchanged is no change: nothing to record. (The feed reads a recorded change of the flag
      // as "this study was not private once", server/access/visibility-sql.ts.)
      if ((study.private === 1) === op.private) return { private: op.private };
      const behalf = await onBehalfOf(trx, viewer, study.id, op.forPhysicianId);
      await trx.updateTable('studies').set({ private: op.private ? 1 : 0, updated_at: at }).where('id', '=', study.id).execute();
      await recordChange(trx, study.id, at);
      await recordAudit(trx, { at, accountId: study.account_id, studyId: study.id, trail: 'study', actorId: actor.userId, action: 'study.private', detail: { private: op.private }, ...onBehalfFields(behalf) });
      return { private: op.private };
    }
    case 'collection.add':
      return addStudyToCollection(trx, actor, viewer, op.collectionId, await resolveStudy(trx, actor, op.study), op.seriesUids, at);
    case 'collection.remove':
      return removeStudyFromCollection(trx, actor, viewer, op.collectionId, await resolveStudy(trx, actor, op.study), at);
    case 'physician.link':
    case 'physician.unlink': {
      const link = { studyId: await resolveStudy(trx, actor, op.study), physicianId: op.physicianId, forPhysicianId: op.forPhysicianId, actorId: actor.userId, at };
      return op.kind === 'physician.link' ? linkByHand(trx, viewer, link) : unlinkByHand(trx, viewer, link);
    }
    case 'comment.add':
      return addComment(context, { commentId: op.commentId, studyId: await resolveStudy(trx, actor, op.study), text: op.text, anchor: op.anchor, replyTo: op.replyTo, mentions: op.mentions });
    case 'comment.edit':
      return editComment(context, { commentId: op.commentId, text: op.text, mentions: op.mentions });
    case 'comment.delete':
      return deleteComment(context, op.commentId);
    case 'sync.discard': {
      // Where it is recorded: the study's trail when the person can see the study, else their site's.
      let studyId: string | null = null;
      let accountId = actor.accountId;
      if (op.discarded.study !== undefined) {
        try {
          const { study } = await visibleStudy(trx, viewer, await resolveStudy(trx, actor, op.discarded.study), 'view');
          studyId = study.id;
          accountId = study.account_id;
        } catch (error) {
          if (!(error instanceof Refusal)) throw error;
        }
      }
      if (accountId === null) return { recorded: false };
      await recordAudit(trx, {
        at,
        accountId,
        studyId,
        trail: studyId === null ? 'account' : 'study',
        actorId: actor.userId,
        action: 'sync.discard',
        detail: { kind: op.discarded.kind, what: op.discarded.what },
      });
      return { recorded: true };
    }
    case 'study.dicom-send': {
      // An audit record of something already done on a desktop: never refused for want of sight
      // of the study (the send happened); then it goes on the sender's site's trail instead.
      let studyId: string | null = null;
      let accountId = actor.accountId;
      try {
        const { study } = await visibleStudy(trx, viewer, await resolveStudy(trx, actor, op.study), 'view');
        studyId = study.id;
        accountId = study.account_id;
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
      }
      if (accountId === null) return { recorded: false };
      const { node, instances, sent, failed, outcome, sentAt } = op;
      await recordAudit(trx, {
        at,
        accountId,
        studyId,
        trail: studyId === null ? 'account' : 'study',
        actorId: actor.userId,
        action: 'study.dicom-send',
        detail: { nodeAeTitle: node.aeTitle, nodeHost: node.host, nodePort: node.port, instances, sent, failed, outcome, sentAt },
      });
      return { recorded: true };
    }
  }
}

/** Applies a batch in one transaction, a savepoint per operation; answers one result per operation, in order. */
export async function applyBatch(
  db: Kysely<HubDatabase>,
  actor: Actor,
  operations: readonly Operation[],
  context: { readonly now: () => Date; readonly publicUrl: string | null },
): Promise<OperationResult[]> {
  const { now, publicUrl } = context;
  // One transaction for the batch, a savepoint for each operation: a refused one is undone
  // alone, and the batch costs one commit instead of hundreds.
  const trx = await db.startTransaction().execute();
  const results: OperationResult[] = [];
  try {
    const viewer = await viewerFacts(trx, actor);
    for (let index = 0; index < operations.length; index++) {
      const op = operations[index];
      // Consecutive adds to one collection go set-wise (issue 13: 1,000 at once from Actions): the same answers, a fraction of the statements.
      const run = collectionAddRunLength(operations, index);
      if (run > 1) {
        results.push(...(await applyCollectionAddRun(trx, actor, viewer, operations.slice(index, index + run) as CollectionAddOp[], now().toISOString())));
        index += run - 1;
        continue;
      }
      const done = await trx.selectFrom('operations').select(['user_id', 'result']).where('id', '=', op.id).executeTakeFirst();
      if (done !== undefined) {
        results.push(
          done.user_id !== actor.userId
            ? { id: op.id, status: 'rejected', error: { code: 'duplicate-id', message: 'This operation id was used by someone else.' } }
            : (JSON.parse(done.result) as OperationResult),
        );
        continue;
      }
      const at = now().toISOString();
      const savepoint = await trx.savepoint('operation').execute();
      let result: OperationResult;
      try {
        result = { id: op.id, status: 'applied', value: await apply({ trx, actor, viewer, at, publicUrl }, op) };
      } catch (error) {
        await savepoint.rollbackToSavepoint('operation').execute();
        if (error instanceof Refusal) result = { id: op.id, status: 'rejected', error: { code: error.code, message: error.message } };
        // A 4xx names what is wrong with this operation (no permission, no public address for an invitation): refused alone.
        else if (error instanceof HttpError && error.status >= 400 && error.status < 500) result = { id: op.id, status: 'rejected', error: { code: error.code, message: error.message } };
        else throw error;
      }
      await savepoint.releaseSavepoint('operation').execute();
      // Issue 16: a share the hub refused reaches its maker's inbox too (the desktop that sent it may be closed by now).
      if (result.status === 'rejected' && op.kind === 'share.create') {
        await notify(trx, [{ userId: actor.userId, kind: 'share.refused', actorId: null, ...('uid' in op.study ? { anchor: { studyInstanceUid: op.study.uid } } : {}) }], at);
      }
      await trx.insertInto('operations').values({ id: op.id, user_id: actor.userId, kind: op.kind, result: JSON.stringify(result), applied_at: at }).execute();
      results.push(result);
    }
    await trx.commit().execute();
  } catch (error) {
    await trx.rollback().execute();
    throw error;
  }
  return results;
}
