/**
 * Actions → Make private / Unmark as private (issue 13), offline-first like shares: one
 * `study.private` operation per study goes into the outbox (a local study the hub does not know
 * yet is published first, private from the start, in the same outbox), is pushed at once when
 * the hub answers, and otherwise waits. The answer says how many changed, how many wait, and
 * which the hub refused and why (no permission, not theirs, the site does not let uploaders).
 */
import type Database from 'better-sqlite3';
import type { CallParsedInput, PrivateOutcome } from '../../../shared/contract';
import { AppError } from '../api/app-error';
import type { HubConnection } from '../hub-connection/hub-connection';
import { findStudy } from '../study-index/study-lookup';
import type { OperationInput, OperationLabel } from '../sync-client/sync-client';

export class PrivateStudies {
  constructor(
    private readonly db: Database.Database,
    private readonly hub: HubConnection,
  ) {}

  async set(input: CallParsedInput<'studies:set-private'>): Promise<PrivateOutcome> {
    const sync = this.hub.requireSync();
    const queued: { operation: OperationInput; label: OperationLabel }[] = [];
    const slots: { opIndex: number; label: string }[] = [];
    for (const ref of input.studies) {
      const hubId = 'hubId' in ref ? ref.hubId : this.hub.hubStudyId(ref.uid);
      const uid = 'uid' in ref ? ref.uid : null;
      const label: OperationLabel = { studyUid: uid, hubStudyId: hubId, targetLabel: input.private ? 'private' : 'not private' };
      if (hubId !== null) {
        slots.push({ opIndex: queued.length, label: uid ?? hubId });
        queued.push({ operation: { kind: 'study.private', study: { id: hubId }, private: input.private }, label });
        continue;
      }
      // Not on the hub: a study never published has nothing to hide there yet, but marking it
      // private publishes it private from the start (its site's members never see it).
      if (uid === null) throw new AppError('not-found', 'That study is not on the hub any more.');
      const study = findStudy(this.db, uid);
      if (study === null) throw new AppError('not-found', 'One of the studies is no longer in the index.');
      queued.push({ operation: { kind: 'study.publish', study: { ...study, modalities: [...study.modalities] }, private: input.private }, label });
      slots.push({ opIndex: queued.length, label: uid });
      queued.push({ operation: { kind: 'study.private', study: { uid }, private: input.private }, label });
    }
    const ids = sync.enqueueMany(queued);
    const online = await this.hub.pushNow();
    let changed = 0;
    let pending = 0;
    const refused: { study: string; reason: string }[] = [];
    for (const slot of slots) {
      const result = sync.result(ids[slot.opIndex]);
      if (result === null) pending++;
      else if (result.status === 'rejected') refused.push({ study: slot.label, reason: result.error.message });
      else changed++;
    }
    this.hub.syncSoon();
    return { online, changed, pending, refused };
  }
}
