/**
 * Actions → Add physician… and taking an added physician off a study, from the desktop (issue 14,
 * part 3), offline-first like collections and shares: one `physician.link` / `physician.unlink`
 * operation per study goes into the outbox (a local study the hub does not know yet is published
 * first, in the same outbox, and named by UID so the link follows it), is pushed at once when the
 * hub answers, and otherwise waits. The answer says what changed, what was so already, what waits
 * and what the hub refused and why (no right to share the study, a physician of another site, a
 * doctor the case manager does not act for).
 */
import type Database from 'better-sqlite3';
import type { CallParsedInput, CollectionOutcome } from '../../../shared/contract';
import { AppError } from '../api/app-error';
import type { HubConnection } from '../hub-connection/hub-connection';
import { findStudy } from '../study-index/study-lookup';
import type { OperationInput, OperationLabel } from '../sync-client/sync-client';

type Ref = CallParsedInput<'physicians:link'>['studies'][number];

export class StudyPhysicians {
  constructor(
    private readonly db: Database.Database,
    private readonly hub: Pick<HubConnection, 'requireSync' | 'hubStudyId' | 'pushNow' | 'syncSoon'>,
  ) {}

  link(input: CallParsedInput<'physicians:link'>): Promise<CollectionOutcome> {
    return this.change(input.studies, true, input.physicianId, input.forPhysicianId);
  }

  unlink(input: CallParsedInput<'physicians:unlink'>): Promise<CollectionOutcome> {
    return this.change([input.study], false, input.physicianId, input.forPhysicianId);
  }

  private async change(refs: readonly Ref[], add: boolean, physicianId: string, forPhysicianId: string | undefined): Promise<CollectionOutcome> {
    const sync = this.hub.requireSync();
    const queued: { operation: OperationInput; label: OperationLabel }[] = [];
    const slots: { opIndex: number; label: string }[] = [];
    const forWhom = forPhysicianId === undefined ? {} : { forPhysicianId };
    for (const ref of refs) {
      const hubId = 'hubId' in ref ? ref.hubId : this.hub.hubStudyId(ref.uid);
      const uid = 'uid' in ref ? ref.uid : null;
      const label: OperationLabel = { studyUid: uid, hubStudyId: hubId, targetLabel: 'physician' };
      let study: { id: string } | { uid: string };
      if (hubId !== null) study = { id: hubId };
      else {
        if (uid === null) throw new AppError('not-found', 'That study is not on the hub any more.');
        if (!add) continue; // Never on the hub: no physician to take off.
        const local = findStudy(this.db, uid);
        if (local === null) throw new AppError('not-found', 'One of the studies is no longer in the index.');
        queued.push({ operation: { kind: 'study.publish', study: { ...local, modalities: [...local.modalities] }, private: false }, label });
        study = { uid };
      }
      slots.push({ opIndex: queued.length, label: uid ?? hubId ?? '' });
      queued.push({ operation: { kind: add ? 'physician.link' : 'physician.unlink', study, physicianId, ...forWhom }, label });
    }
    if (queued.length === 0) return { online: true, changed: 0, already: 0, pending: 0, refused: [] };
    const ids = sync.enqueueMany(queued);
    const online = await this.hub.pushNow();
    const outcome = { online, changed: 0, already: 0, pending: 0, refused: [] as { study: string; reason: string }[] };
    for (const slot of slots) {
      const result = sync.result(ids[slot.opIndex]);
      if (result === null) outcome.pending++;
      else if (result.status === 'rejected') outcome.refused.push({ study: slot.label, reason: result.error.message });
      else if (result.value.added === false || result.value.removed === false) outcome.already++;
      else outcome.changed++;
    }
    this.hub.syncSoon();
    return outcome;
  }
}
