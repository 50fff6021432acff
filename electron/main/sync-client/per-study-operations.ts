/**
 * One hub operation per selected study, offline-first (collections' add/remove, physicians'
 * link/unlink): a local study the hub does not know yet is published first, in the same outbox,
 * and named by UID so the operation follows it; everything is pushed at once when the hub
 * answers and otherwise waits. The answer counts what changed, what was so already, what waits,
 * and what the hub refused and why — the same shape for every such action (`CollectionOutcome`).
 */
import type Database from 'better-sqlite3';
import type { CollectionOutcome } from '../../../shared/contract';
import type { Operation } from '../../../shared/hub-contract';
import { AppError } from '../api/app-error';
import type { HubConnection } from '../hub-connection/hub-connection';
import { findStudy } from '../study-index/study-lookup';
import type { OperationInput, OperationLabel } from './sync-client';

export type StudyRef = { readonly hubId: string } | { readonly uid: string };
type StudyTarget = Extract<Operation, { kind: 'collection.add' }>['study'];

export interface PerStudyOperations {
  readonly refs: readonly StudyRef[];
  /** Adding publishes a study the hub does not know; taking away skips it (there is nothing to take it from). */
  readonly adding: boolean;
  /** How the outbox names the target in its list ("collection", "physician"). */
  readonly targetLabel: string;
  readonly operation: (study: StudyTarget) => OperationInput;
  /** The hub's applied answer that means "it was so already". */
  readonly already: (value: Record<string, unknown>) => boolean;
}

export async function runPerStudyOperations(
  db: Database.Database,
  hub: Pick<HubConnection, 'requireSync' | 'hubStudyId' | 'pushNow' | 'syncSoon'>,
  run: PerStudyOperations,
): Promise<CollectionOutcome> {
  const sync = hub.requireSync();
  const queued: { operation: OperationInput; label: OperationLabel }[] = [];
  const slots: { opIndex: number; label: string }[] = [];
  for (const ref of run.refs) {
    const hubId = 'hubId' in ref ? ref.hubId : hub.hubStudyId(ref.uid);
    const uid = 'uid' in ref ? ref.uid : null;
    const label: OperationLabel = { studyUid: uid, hubStudyId: hubId, targetLabel: run.targetLabel };
    let study: StudyTarget;
    if (hubId !== null) study = { id: hubId };
    else {
      if (uid === null) throw new AppError('not-found', 'That study is not on the hub any more.');
      if (!run.adding) continue;
      const local = findStudy(db, uid);
      if (local === null) throw new AppError('not-found', 'One of the studies is no longer in the index.');
      queued.push({ operation: { kind: 'study.publish', study: { ...local, modalities: [...local.modalities] }, private: false }, label });
      study = { uid };
    }
    slots.push({ opIndex: queued.length, label: uid ?? hubId ?? '' });
    queued.push({ operation: run.operation(study), label });
  }
  if (queued.length === 0) return { online: true, changed: 0, already: 0, pending: 0, refused: [] };
  const ids = sync.enqueueMany(queued);
  const online = await hub.pushNow();
  const outcome = { online, changed: 0, already: 0, pending: 0, refused: [] as { study: string; reason: string }[] };
  for (const slot of slots) {
    const result = sync.result(ids[slot.opIndex]);
    if (result === null) outcome.pending++;
    else if (result.status === 'rejected') outcome.refused.push({ study: slot.label, reason: result.error.message });
    else if (run.already(result.value)) outcome.already++;
    else outcome.changed++;
  }
  hub.syncSoon();
  return outcome;
}
