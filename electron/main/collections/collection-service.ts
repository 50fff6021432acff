/**
 * Putting studies into a collection and taking them out, from the desktop (issue 13),
 * offline-first like shares: one `collection.add` / `collection.remove` operation per study goes
 * into the outbox (a local study the hub does not know yet is published first, in the same
 * outbox, and named by UID so the add follows it), is pushed at once when the hub answers, and
 * otherwise waits. The answer says what went in, what was there already, what waits, and what
 * the hub refused and why (the collection was deleted meanwhile, no right to add, a private
 * study not theirs). The rest of collections is plain hub calls (create-app.ts).
 */
import type Database from 'better-sqlite3';
import type { CallParsedInput, CollectionOutcome } from '../../../shared/contract';
import { AppError } from '../api/app-error';
import type { HubConnection } from '../hub-connection/hub-connection';
import { findStudy } from '../study-index/study-lookup';
import type { OperationInput, OperationLabel } from '../sync-client/sync-client';

type Input = CallParsedInput<'collections:add-studies'>;

export class CollectionStudies {
  constructor(
    private readonly db: Database.Database,
    private readonly hub: HubConnection,
  ) {}

  async change(input: Input, add: boolean): Promise<CollectionOutcome> {
    const sync = this.hub.requireSync();
    const queued: { operation: OperationInput; label: OperationLabel }[] = [];
    const slots: { opIndex: number; label: string }[] = [];
    for (const ref of input.studies) {
      const hubId = 'hubId' in ref ? ref.hubId : this.hub.hubStudyId(ref.uid);
      const uid = 'uid' in ref ? ref.uid : null;
      const label: OperationLabel = { studyUid: uid, hubStudyId: hubId, targetLabel: 'collection' };
      let study: { id: string } | { uid: string };
      if (hubId !== null) study = { id: hubId };
      else {
        if (uid === null) throw new AppError('not-found', 'That study is not on the hub any more.');
        if (!add) continue; // Never on the hub: in no collection to take it out of.
        const local = findStudy(this.db, uid);
        if (local === null) throw new AppError('not-found', 'One of the studies is no longer in the index.');
        queued.push({ operation: { kind: 'study.publish', study: { ...local, modalities: [...local.modalities] }, private: false }, label });
        study = { uid };
      }
      slots.push({ opIndex: queued.length, label: uid ?? hubId ?? '' });
      queued.push({
        operation: add ? { kind: 'collection.add', collectionId: input.collectionId, study, seriesUids: 'seriesUids' in input && input.seriesUids !== undefined ? [...input.seriesUids] : null } : { kind: 'collection.remove', collectionId: input.collectionId, study },
        label,
      });
    }
    if (queued.length === 0) return { online: true, changed: 0, already: 0, pending: 0, refused: [] };
    const ids = sync.enqueueMany(queued);
    const online = await this.hub.pushNow();
    const outcome = { online, changed: 0, already: 0, pending: 0, refused: [] as { study: string; reason: string }[] };
    for (const slot of slots) {
      const result = sync.result(ids[slot.opIndex]);
      if (result === null) outcome.pending++;
      else if (result.status === 'rejected') outcome.refused.push({ study: slot.label, reason: result.error.message });
      else if (result.value.alreadyIn === true || result.value.removed === false) outcome.already++;
      else outcome.changed++;
    }
    this.hub.syncSoon();
    return outcome;
  }
}
