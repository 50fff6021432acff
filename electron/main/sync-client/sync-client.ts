/**
 * The sync client: everything the user does that the hub must know goes into the outbox first
 * (a local transaction), then is pushed when the hub is reachable; what the hub says this user
 * may see is pulled by cursor into a local cache; study files are uploaded in the background.
 * Nothing is lost if the hub, the network or the app goes down: the outbox, the cursor and the
 * upload list are all in the local database, and every operation carries an id the hub applies
 * once, so sending again after a lost answer doubles nothing.
 *
 * Every operation and file has its own tries (retry-policy.ts): a failure worth retrying (a 5xx,
 * a cut upload) delays that item alone, with backoff, and the others go on; a refusal of the item
 * itself (a 4xx saying it is wrong) settles it as refused with the hub's reason. Operations about
 * one study keep their order: one held back holds back the later ones about the same study
 * (a share waits for the publish it needs), and nothing else.
 *
 * The status is derived from what happened, never assumed: up to date only when nothing waits.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type Database from 'better-sqlite3';
import type { SyncQueueItemView, SyncStatusView } from '../../../shared/contract';
import type { HubChange, Operation, OperationResult } from '../../../shared/hub-contract';
import { rememberPublished } from '../study-index/local-visibility';
import { prepared } from '../study-index/statement-cache';
import { HubCertificateError, HubClient, HubNotAnsweringError, HubRefusedError, HubServerError, HubSessionError, HubUnreachableError } from './hub-client';
import { sendFile } from './resumable-upload';
import { backoffDelay, DEFAULT_BACKOFF, type Backoff } from './retry-policy';

/** An operation as the caller describes it; the sync client gives it its id. */
export type OperationInput = Operation extends infer O ? (O extends Operation ? Omit<O, 'id'> : never) : never;

/** What the sync is doing and what waits (the contract's view: see its states there). */
export type SyncStatus = SyncStatusView;
export type SyncState = SyncStatusView['state'];
/** One item of the queue, as the Sync panel shows it. */
export type QueueItem = SyncQueueItemView;

/** What a queued operation is about, for the screen (never sent to the hub). */
export interface OperationLabel {
  readonly studyUid?: string | null;
  readonly hubStudyId?: string | null;
  readonly targetLabel?: string | null;
}

export interface SyncClientOptions {
  readonly batchSize?: number;
  readonly backoff?: Backoff;
  /** The clock (tests move it). */
  readonly now?: () => Date;
  /** Called whenever the status may have changed. */
  readonly onStatus?: (status: SyncStatus) => void;
  /** Called for each operation the hub applied (after its answer is stored). */
  readonly onApplied?: (operation: Operation, result: Extract<OperationResult, { status: 'applied' }>) => void;
  /** Called after each pull that stored the hub's changes (before the uploads, which may take long): lists can show them at once. */
  readonly onPulled?: () => void;
  /** Called when the user discards a queued item (the caller records it on the audit trail). */
  readonly onDiscarded?: (item: QueueItem) => void;
}

interface OutboxRow {
  id: string;
  kind: string;
  payload: string;
  attempts: number;
  study_uid: string | null;
  hub_study_id: string | null;
}

/** The keys of the study an operation is about (its local UID, its hub id), as the outbox labels it. */
const studyKeys = (row: OutboxRow): string[] => [row.study_uid === null ? null : `uid:${row.study_uid}`, row.hub_study_id === null ? null : `hub:${row.hub_study_id}`].filter((key) => key !== null);

/** A failure worth trying again later: the hub is up but could not do it, or the upload was cut. */
function retryable(error: unknown): error is HubRefusedError {
  if (error instanceof HubServerError) return true;
  return error instanceof HubRefusedError && (error.status === 429 || error.code === 'upload-interrupted' || error.code === 'upload-incomplete' || error.code === CHECKSUM_RETRY);
}
/** The hub received other bytes than were sent: sending the file again is the cure. */
const CHECKSUM_RETRY = 'checksum-mismatch';

export class SyncClient {
  private state: SyncState;
  private message: string | null = null;
  private progress: { done: number; total: number } | null = null;
  private running: Promise<void> | null = null;
  /** The run after the one under way, for callers that asked while it ran (see `sync`). */
  private rerun: Promise<void> | null = null;
  private readonly backoff: Backoff;
  private readonly now: () => Date;

  constructor(
    private readonly db: Database.Database,
    private readonly hub: HubClient,
    private readonly options: SyncClientOptions = {},
    signedIn = true,
  ) {
    this.state = signedIn ? 'online' : 'signed-out';
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.now = options.now ?? (() => new Date());
  }

  /** Queues an operation (durably) and returns its id. Pushing happens in `sync()`. */
  enqueue(operation: OperationInput, label: OperationLabel = {}): string {
    return this.enqueueMany([{ operation, label }])[0];
  }

  /** Queues several operations in one transaction (all or none), in order. */
  enqueueMany(items: readonly { readonly operation: OperationInput; readonly label?: OperationLabel }[]): string[] {
    const now = this.now().toISOString();
    const insert = prepared(this.db, 'INSERT INTO outbox (id, kind, payload, created_at, study_uid, hub_study_id, target_label) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const ids = this.db.transaction(() =>
      items.map(({ operation, label = {} }) => {
        const id = randomUUID();
        insert.run(id, operation.kind, JSON.stringify({ ...operation, id }), now, label.studyUid ?? null, label.hubStudyId ?? null, label.targetLabel ?? null);
        return id;
      }),
    )();
    this.emit();
    return ids;
  }

  result(id: string): OperationResult | null {
    const row = prepared(this.db, "SELECT result FROM outbox WHERE id = ? AND state != 'pending'").get(id) as { result: string | null } | undefined;
    return row?.result == null ? null : (JSON.parse(row.result) as OperationResult);
  }

  /** Why a queued operation still waits after a try (the hub's reason for a 5xx), or null (not tried, or settled). */
  delayReason(id: string): string | null {
    const row = prepared(this.db, "SELECT last_error AS reason FROM outbox WHERE id = ? AND state = 'pending'").get(id) as { reason: string | null } | undefined;
    return row?.reason ?? null;
  }

  /** Hides the refusals shown so far (they stay in the outbox as a record). */
  dismissRefused(): void {
    prepared(this.db, "UPDATE outbox SET dismissed_at = ? WHERE state = 'rejected' AND dismissed_at IS NULL").run(this.now().toISOString());
    this.emit();
  }

  status(): SyncStatus {
    const pending = (prepared(this.db, "SELECT count(*) AS n FROM outbox WHERE state = 'pending'").get() as { n: number }).n;
    // The latest refusals (the UI lists them; a long history of them is in the outbox).
    const rejected = prepared(
      this.db,
      "SELECT id, kind, error_message AS reason, study_uid AS studyUid, target_label AS target FROM outbox WHERE state = 'rejected' AND dismissed_at IS NULL ORDER BY seq DESC LIMIT 50",
    ).all() as SyncStatus['rejected'][number][];
    const uploadsPending = (prepared(this.db, "SELECT count(*) AS n FROM uploads WHERE state = 'pending'").get() as { n: number }).n;
    return { state: this.state, pending, rejected, uploadsPending, message: this.message, delayed: this.delayedCount(), progress: this.progress };
  }

  private delayedCount(): number {
    const ops = (prepared(this.db, "SELECT count(*) AS n FROM outbox WHERE state = 'pending' AND failing_since IS NOT NULL").get() as { n: number }).n;
    const files = (prepared(this.db, "SELECT count(*) AS n FROM uploads WHERE state = 'pending' AND failing_since IS NOT NULL").get() as { n: number }).n;
    return ops + files;
  }

  private emit(): void {
    this.options.onStatus?.(this.status());
  }

  private setState(state: SyncState, message: string | null = null): void {
    this.state = state;
    this.message = message;
    this.emit();
  }

  /**
   * Pushes the outbox, pulls changes, uploads files. One run at a time. A call while a run is
   * under way is answered by one more run after it (shared by every caller meanwhile), not by the
   * run already under way: that one may have started before what the caller wants sent was
   * queued, or before the hub was back ("Sync now" right after a restart of the hub joined a run
   * that had already failed to reach it, and nothing ran again until the next timer).
   */
  sync(): Promise<void> {
    const running = this.running;
    if (running === null) return this.startRun();
    this.rerun ??= running
      .catch(() => undefined)
      .then(() => {
        this.rerun = null;
        return this.running ?? this.startRun();
      });
    return this.rerun;
  }

  private startRun(): Promise<void> {
    const run = this.runOnce().finally(() => {
      this.running = null;
      this.progress = null;
    });
    this.running = run;
    return run;
  }

  private async runOnce(): Promise<void> {
    // Nobody to send as: the person signs in again and a new client takes over.
    if (this.state === 'signed-out' || this.state === 'session-expired') return;
    this.progress = { done: 0, total: this.dueCount() };
    this.setState('syncing', this.message);
    try {
      await this.push();
      await this.pull();
      this.options.onPulled?.();
      await this.uploadPending();
      this.settleState();
    } catch (error) {
      this.failRun(error);
    }
  }

  /** After a run that reached the hub: up to date only if nothing waits for a retry. */
  private settleState(): void {
    const delayed = prepared(
      this.db,
      `SELECT last_error AS reason FROM (
         SELECT last_error, failing_since FROM outbox WHERE state = 'pending' AND failing_since IS NOT NULL
         UNION ALL SELECT error, failing_since FROM uploads WHERE state = 'pending' AND failing_since IS NOT NULL)
       ORDER BY failing_since DESC LIMIT 1`,
    ).get() as { reason: string | null } | undefined;
    if (delayed === undefined) this.setState('online');
    else this.setState('hub-error', delayed.reason ?? 'The hub could not take some of your changes yet; they are tried again.');
  }

  /** A run stopped by something that stops every item: the hub away, the session gone. */
  private failRun(error: unknown): void {
    if (error instanceof HubNotAnsweringError) this.setState('not-answering', error.message);
    else if (error instanceof HubUnreachableError || error instanceof HubCertificateError) this.setState('offline', error.message);
    else if (error instanceof HubSessionError) this.setState('session-expired', error.message);
    else if (error instanceof HubServerError) this.setState('hub-error', error.message);
    else throw error;
  }

  /** Items a run would try now (for its progress). */
  private dueCount(): number {
    const at = this.now().toISOString();
    const ops = (prepared(this.db, "SELECT count(*) AS n FROM outbox WHERE state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)").get(at) as { n: number }).n;
    const files = (prepared(this.db, "SELECT count(*) AS n FROM uploads WHERE state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)").get(at) as { n: number }).n;
    return ops + files;
  }

  private advance(n: number): void {
    if (this.progress === null || n === 0) return;
    this.progress = { ...this.progress, done: Math.min(this.progress.total, this.progress.done + n) };
  }

  /**
   * The pending operations to send now, in order: those whose next try has come, leaving out any
   * about a study that has an earlier operation still waiting for its own retry.
   */
  private dueOperations(limit: number): OutboxRow[] {
    return prepared(
      this.db,
      `SELECT o.id, o.kind, o.payload, o.attempts, o.study_uid, o.hub_study_id FROM outbox o
       WHERE o.state = 'pending' AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?)
         AND NOT EXISTS (
           SELECT 1 FROM outbox e WHERE e.state = 'pending' AND e.seq < o.seq AND e.next_attempt_at > ?
             AND ((o.study_uid IS NOT NULL AND e.study_uid = o.study_uid) OR (o.hub_study_id IS NOT NULL AND e.hub_study_id = o.hub_study_id)))
       ORDER BY o.seq LIMIT ?`,
    ).all(...[this.now().toISOString(), this.now().toISOString(), limit]) as OutboxRow[];
  }

  /**
   * Sends the operations due, in batches; each answer is stored before the next batch. A batch
   * the hub fails as a whole (5xx: one operation broke it; 400: one is malformed) is split in
   * halves until the operation at fault is alone: it is delayed (5xx) or refused (400), and the
   * rest go through.
   */
  async push(): Promise<void> {
    // The hub takes up to 500 in one request (one transaction).
    const batchSize = this.options.batchSize ?? 500;
    for (;;) {
      const rows = this.dueOperations(batchSize);
      if (rows.length === 0) return;
      await this.sendBatch(rows, new Set());
    }
  }

  /** `held`: the studies of operations delayed in this push — later operations about them wait for their next push. */
  private async sendBatch(batch: readonly OutboxRow[], held: Set<string>): Promise<void> {
    const rows = batch.filter((row) => !studyKeys(row).some((key) => held.has(key)));
    if (rows.length === 0) return;
    prepared(this.db, `UPDATE outbox SET attempts = attempts + 1 WHERE id IN (${rows.map(() => '?').join(', ')})`).run(...rows.map((r) => r.id));
    let results: readonly OperationResult[];
    try {
      results = await this.hub.sendOperations(rows.map((row) => JSON.parse(row.payload) as Operation));
    } catch (error) {
      const wholeBatch = retryable(error) || (error instanceof HubRefusedError && error.status === 400);
      if (!wholeBatch) throw error;
      if (rows.length > 1) {
        const half = Math.ceil(rows.length / 2);
        await this.sendBatch(rows.slice(0, half), held);
        await this.sendBatch(rows.slice(half), held);
        return;
      }
      const [row] = rows;
      if (retryable(error)) {
        this.delayOperation(row, error.message);
        for (const key of studyKeys(row)) held.add(key);
      } else this.settle([{ id: row.id, status: 'rejected', error: { code: (error as HubRefusedError).code, message: (error as HubRefusedError).message } }], rows);
      this.advance(1);
      return;
    }
    this.settle(results, rows);
    this.advance(rows.length);
  }

  private delayOperation(row: OutboxRow, reason: string): void {
    const now = this.now();
    const next = new Date(now.getTime() + backoffDelay(row.attempts + 1, this.backoff)).toISOString();
    prepared(this.db, 'UPDATE outbox SET next_attempt_at = ?, last_error = ?, failing_since = coalesce(failing_since, ?) WHERE id = ?').run(next, reason, now.toISOString(), row.id);
  }

  /** Stores the answers to a batch; `sent` is that batch (its payloads, for `onApplied`). */
  private settle(results: readonly OperationResult[], sent: readonly OutboxRow[]): void {
    const payloads = new Map(sent.map((row) => [row.id, row.payload]));
    const now = this.now().toISOString();
    const applied: { operation: Operation; result: Extract<OperationResult, { status: 'applied' }> }[] = [];
    this.db.transaction(() => {
      for (const result of results) {
        prepared(
          this.db,
          "UPDATE outbox SET state = ?, result = ?, error_code = ?, error_message = ?, settled_at = ?, next_attempt_at = NULL, failing_since = NULL WHERE id = ? AND state = 'pending'",
        ).run(
          result.status,
          JSON.stringify(result),
          result.status === 'rejected' ? result.error.code : null,
          result.status === 'rejected' ? result.error.message : null,
          now,
          result.id,
        );
        const payload = payloads.get(result.id);
        if (result.status === 'applied' && payload !== undefined) {
          const operation = JSON.parse(payload) as Operation;
          // The study is on the hub from now on, published by the user this outbox belongs to:
          // the local worklist follows the hub's rules for it (study-index/local-visibility.ts).
          if (operation.kind === 'study.publish' && typeof result.value.studyId === 'string') {
            const uploader = (prepared(this.db, "SELECT value FROM sync_state WHERE key = 'user_id'").get() as { value: string } | undefined)?.value ?? null;
            rememberPublished(this.db, operation.study.studyInstanceUid, result.value.studyId, uploader);
          }
          if (this.options.onApplied !== undefined) applied.push({ operation, result });
        }
      }
    })();
    for (const { operation, result } of applied) this.options.onApplied?.(operation, result);
    this.emit();
  }

  /** Pulls changes after the stored cursor; each page and its cursor are saved together. */
  async pull(): Promise<void> {
    for (;;) {
      const cursor = Number((prepared(this.db, "SELECT value FROM sync_state WHERE key = 'cursor'").get() as { value: string } | undefined)?.value ?? 0);
      const page = await this.hub.changes(cursor);
      const known = (prepared(this.db, "SELECT value FROM sync_state WHERE key = 'policy_generation'").get() as { value: string } | undefined)?.value;
      if (page.policyGeneration !== undefined && cursor > 0 && known !== String(page.policyGeneration)) {
        await this.rereadAfterPolicyChange(cursor);
        return;
      }
      this.db.transaction(() => {
        for (const change of page.changes) this.applyChange(change, page.cursor);
        prepared(this.db, "INSERT INTO sync_state (key, value) VALUES ('cursor', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(page.cursor));
        if (page.policyGeneration !== undefined) this.saveSyncState('policy_generation', String(page.policyGeneration));
      })();
      if (!page.more) return;
    }
  }

  /**
   * The site's viewing policy changed since the last pull (issue 13, part 3): studies may have left
   * this person without any of them changing, so no change row names them. The whole feed is read
   * again from the start (each study the person sees now comes once, refreshed) and the cached
   * studies it did not name are dropped. Pages are applied as they come, so the cache is never
   * emptier than the truth; the generation and cursor are saved last, so a reread cut short (hub
   * gone, app closed) starts again at the next pull and drops nothing meanwhile. A generation
   * that moves again during the reread is seen by the next pull.
   */
  private async rereadAfterPolicyChange(previousCursor: number): Promise<void> {
    const seen = new Set<string>();
    let after = 0;
    let generation: number | undefined;
    for (;;) {
      const page = await this.hub.changes(after);
      generation ??= page.policyGeneration;
      this.db.transaction(() => {
        for (const change of page.changes) {
          this.applyChange(change, page.cursor);
          if (change.visible) seen.add(change.studyId);
          else seen.delete(change.studyId);
        }
      })();
      after = page.cursor;
      if (!page.more) break;
    }
    this.db.transaction(() => {
      const cached = prepared(this.db, 'SELECT hub_study_id AS id FROM hub_studies').all() as { id: string }[];
      for (const { id } of cached) {
        if (seen.has(id)) continue;
        prepared(this.db, 'DELETE FROM hub_studies WHERE hub_study_id = ?').run(id);
        prepared(this.db, 'DELETE FROM comment_cache WHERE hub_study_id = ?').run(id);
      }
      this.saveSyncState('cursor', String(Math.max(after, previousCursor)));
      if (generation !== undefined) this.saveSyncState('policy_generation', String(generation));
    })();
  }

  private saveSyncState(key: string, value: string): void {
    prepared(this.db, 'INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  private applyChange(change: HubChange, seq: number): void {
    if (!change.visible) {
      prepared(this.db, 'DELETE FROM hub_studies WHERE hub_study_id = ?').run(change.studyId);
      // A study's comments are as private as it is: its copy goes with it.
      prepared(this.db, 'DELETE FROM comment_cache WHERE hub_study_id = ?').run(change.studyId);
      return;
    }
    // The hub announces its comments' revision: the comments service reads them again when its copy is older.
    if (change.comments !== undefined) {
      prepared(this.db, 'INSERT INTO comment_cache (hub_study_id, announced_revision) VALUES (?, ?) ON CONFLICT (hub_study_id) DO UPDATE SET announced_revision = excluded.announced_revision').run(
        change.studyId,
        change.comments.revision,
      );
    }
    rememberPublished(this.db, change.summary.studyInstanceUid, change.studyId, null);
    prepared(
      this.db,
      `INSERT INTO hub_studies (hub_study_id, study_uid, private, summary, actions, shares, seq) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (hub_study_id) DO UPDATE SET study_uid = excluded.study_uid, private = excluded.private, summary = excluded.summary,
         actions = excluded.actions, shares = excluded.shares, seq = excluded.seq`,
    ).run(change.studyId, change.summary.studyInstanceUid, change.private ? 1 : 0, JSON.stringify(change.summary), JSON.stringify(change.actions), JSON.stringify(change.shares), seq);
  }

  /** Queues a study's files for upload to the hub study they belong to (idempotent). */
  queueUploads(hubStudyId: string, files: readonly { sopInstanceUid: string; path: string; size: number }[]): void {
    const at = this.now().toISOString();
    this.db.transaction(() => {
      for (const file of files) {
        prepared(this.db, 'INSERT INTO uploads (hub_study_id, sop_instance_uid, path, size, queued_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING').run(
          hubStudyId,
          file.sopInstanceUid,
          file.path,
          file.size,
          at,
        );
      }
    })();
    this.emit();
  }

  /**
   * Uploads the files due, one at a time; a file is done only once the hub confirmed its size
   * (and, for a resumable upload, its SHA-256). A file the hub cannot take now is delayed alone;
   * a file it refuses (not DICOM, another instance) is marked failed with its reason.
   */
  async uploadPending(onFile?: (done: number, left: number) => void, onBytes?: (n: number) => void): Promise<void> {
    let done = 0;
    // Each due file once per run, in queue order (one delayed with a short backoff is not taken again in the same run).
    let after = 0;
    for (;;) {
      const next = prepared(
        this.db,
        "SELECT rowid, hub_study_id AS studyId, sop_instance_uid AS sop, path, size, sha256, attempts FROM uploads WHERE state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?) AND rowid > ? ORDER BY rowid LIMIT 1",
      ).get(this.now().toISOString(), after) as { rowid: number; studyId: string; sop: string; path: string; size: number; sha256: string | null; attempts: number } | undefined;
      if (next === undefined) return;
      after = next.rowid;
      const where = [next.studyId, next.sop] as const;
      prepared(this.db, 'UPDATE uploads SET attempts = attempts + 1 WHERE hub_study_id = ? AND sop_instance_uid = ?').run(...where);
      try {
        const sha256 = next.sha256 ?? (await fileSha256(next.path));
        if (next.sha256 === null) prepared(this.db, 'UPDATE uploads SET sha256 = ? WHERE hub_study_id = ? AND sop_instance_uid = ?').run(sha256, ...where);
        const stored = await sendFile(this.hub, { studyId: next.studyId, sop: next.sop, path: next.path, size: next.size, sha256 }, { onBytes });
        if (stored.size !== next.size) throw new HubRefusedError(400, 'upload-incomplete', 'The hub stored another size than the file has; it is sent again.');
        prepared(this.db, "UPDATE uploads SET state = 'done', error = NULL, next_attempt_at = NULL, failing_since = NULL WHERE hub_study_id = ? AND sop_instance_uid = ?").run(...where);
      } catch (error) {
        if (retryable(error)) {
          const now = this.now();
          const at = new Date(now.getTime() + backoffDelay(next.attempts + 1, this.backoff)).toISOString();
          prepared(this.db, 'UPDATE uploads SET next_attempt_at = ?, error = ?, failing_since = coalesce(failing_since, ?) WHERE hub_study_id = ? AND sop_instance_uid = ?').run(
            at,
            error.message,
            now.toISOString(),
            ...where,
          );
        } else if (error instanceof HubRefusedError) {
          prepared(this.db, "UPDATE uploads SET state = 'failed', error = ?, next_attempt_at = NULL WHERE hub_study_id = ? AND sop_instance_uid = ?").run(error.message, ...where);
        } else if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          prepared(this.db, "UPDATE uploads SET state = 'failed', error = ?, next_attempt_at = NULL WHERE hub_study_id = ? AND sop_instance_uid = ?").run('The file is no longer on this computer.', ...where);
        } else throw error;
      }
      done++;
      this.advance(1);
      onFile?.(done, this.status().uploadsPending);
      this.emit();
    }
  }

  /** The queue as the Sync panel shows it: what waits, why, since when, and when it is tried next; refused items last. */
  queue(limit = 500): QueueItem[] {
    const operations = prepared(
      this.db,
      `SELECT 'operation' AS kind, id, kind AS what, study_uid AS studyUid, target_label AS target,
         CASE WHEN state = 'rejected' THEN 'refused' WHEN failing_since IS NOT NULL THEN 'delayed' ELSE 'waiting' END AS state,
         CASE WHEN state = 'rejected' THEN error_message ELSE last_error END AS reason, attempts, created_at AS queuedAt,
         failing_since AS failingSince, next_attempt_at AS nextAttemptAt
       FROM outbox WHERE state = 'pending' OR (state = 'rejected' AND dismissed_at IS NULL)
       ORDER BY state = 'rejected', seq LIMIT ?`,
    ).all(limit) as QueueItem[];
    const files = prepared(
      this.db,
      `SELECT 'file' AS kind, hub_study_id || '/' || sop_instance_uid AS id, sop_instance_uid AS what,
         (SELECT study_uid FROM hub_studies h WHERE h.hub_study_id = uploads.hub_study_id) AS studyUid, NULL AS target,
         CASE WHEN state = 'failed' THEN 'refused' WHEN failing_since IS NOT NULL THEN 'delayed' ELSE 'waiting' END AS state,
         error AS reason, attempts, queued_at AS queuedAt, failing_since AS failingSince, next_attempt_at AS nextAttemptAt
       FROM uploads WHERE state = 'pending' OR (state = 'failed' AND discarded_at IS NULL)
       ORDER BY state = 'failed', rowid LIMIT ?`,
    ).all(limit) as QueueItem[];
    return [...operations, ...files];
  }

  /** Tries an item again now: a delayed one at once, a refused file from the start (a refused operation stays refused: the hub said it is wrong). */
  retry(kind: 'operation' | 'file', id: string): boolean {
    const changed =
      kind === 'operation'
        ? prepared(this.db, "UPDATE outbox SET next_attempt_at = NULL WHERE id = ? AND state = 'pending'").run(id).changes
        : prepared(
            this.db,
            "UPDATE uploads SET state = 'pending', next_attempt_at = NULL, error = CASE WHEN state = 'failed' THEN NULL ELSE error END WHERE hub_study_id || '/' || sop_instance_uid = ? AND state IN ('pending', 'failed')",
          ).run(id).changes;
    this.emit();
    return changed > 0;
  }

  /** Gives up an item the person chose to drop; the caller records it on the audit trail (onDiscarded). */
  discard(kind: 'operation' | 'file', id: string): QueueItem | null {
    const item = this.queue(100_000).find((entry) => entry.kind === kind && entry.id === id) ?? null;
    if (item === null) return null;
    const at = this.now().toISOString();
    if (kind === 'operation') {
      prepared(
        this.db,
        "UPDATE outbox SET state = 'rejected', result = coalesce(result, ?), error_code = coalesce(error_code, 'discarded'), error_message = coalesce(error_message, 'Discarded by you.'), settled_at = coalesce(settled_at, ?), discarded_at = ?, dismissed_at = ? WHERE id = ?",
      ).run(JSON.stringify({ id, status: 'rejected', error: { code: 'discarded', message: 'Discarded by you.' } }), at, at, at, id);
    } else {
      prepared(this.db, "UPDATE uploads SET state = 'failed', error = coalesce(error, 'Discarded by you.'), discarded_at = ?, next_attempt_at = NULL WHERE hub_study_id || '/' || sop_instance_uid = ?").run(at, id);
    }
    this.options.onDiscarded?.(item);
    this.emit();
    return item;
  }
}

/**
 * The operation that tells the hub a queued item was discarded (its audit trail records it):
 * the operation's kind or the file's SOP Instance UID, and its study when it was about one.
 */
export function discardRecord(item: QueueItem): OperationInput {
  return { kind: 'sync.discard', discarded: { kind: item.kind, what: item.what.slice(0, 128), ...(item.studyUid === null ? {} : { study: { uid: item.studyUid } }) } };
}

/** A file's SHA-256, read as a stream (a resumable upload declares it; the hub checks it). */
function fileSha256(filePath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(filePath)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}
