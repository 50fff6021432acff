/**
 * Puts studies that arrived over DICOM on the hub by themselves (Settings → DICOM → "Put
 * received studies on the hub"), the way Actions → Share would put a local study there: a
 * `study.publish` operation in the sync client's outbox, whose files the hub connection queues
 * for upload once the hub has taken it. Offline-first: with the hub away the operation waits in
 * the outbox (it survives a restart) and goes when the hub is back.
 *
 * When: a study is published once no instance of it has arrived for a quiet period (a minute by
 * default, as Orthanc's StableAge). A modality sends a study over one association or several
 * (one per series, some after a pause), so neither the end of an association nor the first
 * instance says the study is complete. An instance that comes later still starts the period
 * again, and the study is published again: the hub updates its summary and the new files are
 * queued (the upload queue ignores files already queued).
 */
import type Database from 'better-sqlite3';
import { findStudy } from '../study-index/study-lookup';
import type { HubOutbox } from './hub-outbox';

export const DEFAULT_QUIET_MS = 60_000;

export interface PublishOutcome {
  /** Studies whose publish went into the outbox. */
  readonly queued: number;
  /** Why nothing was queued (nobody signed in), for the listener's status line; null when queued. */
  readonly note: string | null;
}

/** Queues a `study.publish` for each study (as the index holds it now), then asks for a sync. */
export function publishReceivedStudies(db: Database.Database, target: Pick<HubOutbox, 'sync' | 'syncSoon'>, studyUids: readonly string[]): PublishOutcome {
  const sync = target.sync();
  if (sync === null) return { queued: 0, note: 'Received studies stay on this computer: nobody is signed in to a hub.' };
  const items = studyUids.flatMap((uid) => {
    const study = findStudy(db, uid);
    if (study === null) return [];
    return [{ operation: { kind: 'study.publish' as const, study: { ...study, modalities: [...study.modalities] }, private: false }, label: { studyUid: uid, hubStudyId: null, targetLabel: null } }];
  });
  if (items.length > 0) {
    sync.enqueueMany(items);
    target.syncSoon();
  }
  return { queued: items.length, note: null };
}

/**
 * Per-study quiet timers: `noteInstance` on each stored instance restarts its study's timer;
 * when one runs out, `onQuiet` gets that study (studies falling quiet together come together).
 */
export class QuietStudies {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly due = new Set<string>();
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly quietMs: number,
    private readonly onQuiet: (studyUids: readonly string[]) => void,
  ) {}

  noteInstance(studyUid: string): void {
    clearTimeout(this.timers.get(studyUid));
    const timer = setTimeout(() => {
      this.timers.delete(studyUid);
      this.due.add(studyUid);
      // Studies that fall quiet in the same moment go in one batch of the outbox.
      this.flushTimer ??= setTimeout(() => this.flush(), 50);
    }, this.quietMs);
    timer.unref();
    this.timers.set(studyUid, timer);
  }

  /** Studies still arriving (their quiet period not over yet). */
  get waiting(): number {
    return this.timers.size;
  }

  private flush(): void {
    this.flushTimer = null;
    const uids = [...this.due];
    this.due.clear();
    if (uids.length > 0) this.onQuiet(uids);
  }

  /**
   * The app is closing: every study still waiting goes now (its publish waits in the outbox,
   * which outlives the app); its associations are being cut anyway, and what the sender sends
   * again later publishes the study again.
   */
  close(): void {
    for (const [uid, timer] of this.timers) {
      clearTimeout(timer);
      this.due.add(uid);
    }
    this.timers.clear();
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flush();
  }
}

