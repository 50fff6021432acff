/**
 * Sharing from the desktop: picks targets (search-as-you-type, share codes), queues shares and
 * removals in the outbox (so a share made offline waits and goes later), pushes them, and says
 * per target what went, what was there already, what waits and what the hub refused and why.
 *
 * A local study the hub does not know yet is published first, in the same outbox: its shares
 * name it by UID, so they follow the publish in order even when all of it is queued offline.
 * Its files are queued for upload once the hub has taken the publish (see HubConnection).
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { CallParsedInput, ShareOutcome, ShareStateView, StudySharingView } from '../../../shared/contract';
import type { OperationResult, ShareTarget } from '../../../shared/hub-contract';
import type { SeriesSummary, StudySummary } from '../../../shared/types/study';
import { studyDetailsRoute } from '../../../shared/hub-api/studies';
import { AppError } from '../api/app-error';
import type { HubConnection } from '../hub-connection/hub-connection';
import { findStudy } from '../study-index/study-lookup';
import type { OperationInput, OperationLabel } from '../sync-client/sync-client';
import { filesWaiting } from '../sync-client/sync-store';

type StudyRef = { readonly uid: string } | { readonly hubId: string };
type ShareInput = CallParsedInput<'sharing:share'>;

export class ShareService {
  constructor(
    private readonly db: Database.Database,
    private readonly hub: HubConnection,
  ) {}

  /** The hub id of a study this desktop knows: from the hub's feed, or null if not on the hub (yet). */
  private hubIdOf(ref: StudyRef): string | null {
    return 'hubId' in ref ? ref.hubId : this.hub.hubStudyId(ref.uid);
  }

  async share(input: ShareInput): Promise<ShareOutcome> {
    const sync = this.hub.requireSync();
    const queued: { operation: OperationInput; label: OperationLabel }[] = [];
    // Which queued operation is which study × target, to read the answers back.
    const slots: { opIndex: number; targetIndex: number; study: string }[] = [];
    const studies = input.studies.map((ref) => {
      const hubId = this.hubIdOf(ref);
      if (hubId !== null) return { ref: { id: hubId }, uid: 'uid' in ref ? ref.uid : null, hubId, label: 'uid' in ref ? ref.uid : hubId };
      if (!('uid' in ref)) throw new AppError('not-found', 'That study is not on the hub any more.');
      const study = findStudy(this.db, ref.uid);
      if (study === null) throw new AppError('not-found', 'One of the studies is no longer in the index.');
      // Not on the hub yet (or not known to be): publish it ahead of its shares.
      queued.push({ operation: { kind: 'study.publish', study: { ...study, modalities: [...study.modalities] }, private: false }, label: { studyUid: ref.uid, hubStudyId: null, targetLabel: null } });
      return { ref: { uid: ref.uid }, uid: ref.uid, hubId: null, label: ref.uid };
    });
    // A case manager's chosen doctor (the Share dialog's For): the hub checks it and records it.
    const forWhom = input.forPhysicianId === undefined ? {} : { forPhysicianId: input.forPhysicianId };
    input.targets.forEach((target, targetIndex) => {
      const hubTarget: ShareTarget = 'email' in target ? { email: target.email } : { worklistId: target.worklistId };
      const targetLabel = 'email' in target ? target.email : target.label;
      for (const study of studies) {
        slots.push({ opIndex: queued.length, targetIndex, study: study.label });
        queued.push({ operation: { kind: 'share.create', shareId: randomUUID(), study: study.ref, target: hubTarget, ...forWhom }, label: { studyUid: study.uid, hubStudyId: study.hubId, targetLabel } });
      }
    });
    const ids = sync.enqueueMany(queued);
    const online = await this.hub.pushNow();
    const targets = input.targets.map((target) => ({
      label: 'email' in target ? target.email : target.label,
      shared: 0,
      alreadyShared: 0,
      invited: false,
      pending: 0,
      refused: [] as { study: string; reason: string }[],
    }));
    for (const slot of slots) {
      const outcome = targets[slot.targetIndex];
      const result: OperationResult | null = sync.result(ids[slot.opIndex]);
      if (result === null) outcome.pending++;
      else if (result.status === 'rejected') outcome.refused.push({ study: slot.study, reason: result.error.message });
      else {
        if (result.value.alreadyShared === true) outcome.alreadyShared++;
        else outcome.shared++;
        if (result.value.invited === true) outcome.invited = true;
      }
    }
    this.hub.syncSoon();
    return { online, targets };
  }

  async remove(input: CallParsedInput<'sharing:remove'>): Promise<{ state: 'removed' | 'pending' | 'refused'; reason: string | null }> {
    const sync = this.hub.requireSync();
    const hubId = this.hubIdOf(input.study);
    const id = sync.enqueue({ kind: 'share.remove', shareId: input.shareId }, { studyUid: 'uid' in input.study ? input.study.uid : null, hubStudyId: hubId, targetLabel: input.label });
    await this.hub.pushNow();
    const result = sync.result(id);
    this.hub.syncSoon();
    if (result === null) return { state: 'pending', reason: null };
    if (result.status === 'rejected') return { state: 'refused', reason: result.error.message };
    return { state: 'removed', reason: null };
  }

  /** What this user queued for a study that the hub has not taken, or refused. */
  private queuedFor(uid: string | null, hubId: string | null): StudySharingView['queued'] {
    const rows = this.db
      .prepare(
        `SELECT id, kind, target_label AS target, state, error_message AS reason FROM outbox
         WHERE kind IN ('share.create', 'share.remove') AND (state = 'pending' OR (state = 'rejected' AND dismissed_at IS NULL))
           AND ((? IS NOT NULL AND study_uid = ?) OR (? IS NOT NULL AND hub_study_id = ?))
         ORDER BY seq DESC LIMIT 100`,
      )
      .all(uid, uid, hubId, hubId) as { id: string; kind: string; target: string | null; state: string; reason: string | null }[];
    return rows.map((row) => ({ id: row.id, kind: row.kind, target: row.target ?? '', state: row.state === 'pending' ? 'pending' : 'refused', reason: row.reason }));
  }

  async study(ref: StudyRef, opened = false): Promise<StudySharingView> {
    const hubId = this.hubIdOf(ref);
    const uid = 'uid' in ref ? ref.uid : null;
    const queued = this.queuedFor(uid, hubId);
    // A study is complete on the hub only once the hub has confirmed every file this desktop sends.
    const sending = hubId === null ? null : filesWaiting(this.db, hubId);
    const files = sending === null || sending.total === 0 ? null : sending;
    if (hubId === null) {
      return { hubStudyId: null, live: false, message: 'Not on the hub yet: share it to put it there.', actions: [], summary: null, series: [], shares: [], queued, files: null };
    }
    try {
      const details = await this.hub.hubRoute(studyDetailsRoute, { params: { id: hubId }, query: opened ? { view: 'opened' } : {} });
      const series: SeriesSummary[] = details.series.map((row) => ({
        seriesInstanceUid: row.seriesInstanceUid ?? '',
        modality: row.modality,
        seriesNumber: row.seriesNumber,
        seriesDescription: row.seriesDescription,
        bodyPart: null,
        instanceCount: row.instances,
      }));
      return { hubStudyId: hubId, live: true, message: null, actions: details.study.actions, summary: details.study.summary, series, shares: details.shares, queued, files };
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'hub-unreachable') throw error;
      // Offline: what the last sync said (how many shares, no names), and what is queued.
      const cached = this.db.prepare('SELECT summary, actions, shares FROM hub_studies WHERE hub_study_id = ?').get(hubId) as { summary: string; actions: string; shares: string } | undefined;
      return {
        hubStudyId: hubId,
        live: false,
        message: `The hub cannot be reached. ${cached === undefined ? '' : `At the last sync this study had ${(JSON.parse(cached.shares) as unknown[]).length} share(s).`}`.trim(),
        actions: cached === undefined ? [] : (JSON.parse(cached.actions) as string[]),
        summary: cached === undefined ? null : (JSON.parse(cached.summary) as StudySummary),
        series: [],
        shares: [],
        queued,
        files,
      };
    }
  }

  /** Per local study: live shares at the last sync, and shares of its still waiting or refused. */
  states(uids: readonly string[]): Record<string, ShareStateView> {
    const states: Record<string, ShareStateView> = {};
    if (uids.length === 0) return states;
    const marks = uids.map(() => '?').join(', ');
    const shared = this.db.prepare(`SELECT study_uid AS uid, max(json_array_length(shares)) AS n FROM hub_studies WHERE study_uid IN (${marks}) GROUP BY study_uid`).all(...uids) as {
      uid: string;
      n: number;
    }[];
    const queued = this.db
      .prepare(
        `SELECT study_uid AS uid, sum(state = 'pending') AS pending, sum(state = 'rejected') AS refused FROM outbox
         WHERE kind = 'share.create' AND (state = 'pending' OR (state = 'rejected' AND dismissed_at IS NULL)) AND study_uid IN (${marks}) GROUP BY study_uid`,
      )
      .all(...uids) as { uid: string; pending: number; refused: number }[];
    for (const row of shared) if (row.n > 0) states[row.uid] = { shared: row.n, pending: 0, refused: 0 };
    for (const row of queued) states[row.uid] = { shared: states[row.uid]?.shared ?? 0, pending: row.pending, refused: row.refused };
    return states;
  }
}
