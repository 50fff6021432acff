/**
 * The sync client: everything the user does that the hub must know goes into the outbox first
 * (a local transaction), then is pushed when the hub is reachable; what the hub says this user
 * may see is pulled by cursor into a local cache; study files are uploaded in the background.
 * Nothing is lost if the hub, the network or the app goes down: the outbox, the cursor and the
 * upload list are all in the local database, and every operation carries an id the hub applies
 * once, so sending again after a lost answer doubles nothing.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { HubChange, Operation, OperationResult } from '../../../shared/hub-contract';
import { rememberPublished } from '../study-index/local-visibility';
import { prepared } from '../study-index/statement-cache';
import { HubClient, HubRefusedError, HubSessionError, HubUnreachableError } from './hub-client';

/** An operation as the caller describes it; the sync client gives it its id. */
export type OperationInput = Operation extends infer O ? (O extends Operation ? Omit<O, 'id'> : never) : never;

export type SyncState = 'signed-out' | 'online' | 'syncing' | 'offline';

export interface SyncStatus {
  readonly state: SyncState;
  readonly pending: number;
  readonly rejected: readonly { readonly id: string; readonly kind: string; readonly reason: string; readonly studyUid: string | null; readonly target: string | null }[];
  readonly uploadsPending: number;
  readonly message: string | null;
}

/** What a queued operation is about, for the screen (never sent to the hub). */
export interface OperationLabel {
  readonly studyUid?: string | null;
  readonly hubStudyId?: string | null;
  readonly targetLabel?: string | null;
}

export interface SyncClientOptions {
  readonly batchSize?: number;
  /** Called whenever the status may have changed. */
  readonly onStatus?: (status: SyncStatus) => void;
  /** Called for each operation the hub applied (after its answer is stored). */
  readonly onApplied?: (operation: Operation, result: Extract<OperationResult, { status: 'applied' }>) => void;
}

interface OutboxRow {
  id: string;
  kind: string;
  payload: string;
}

export class SyncClient {
  private state: SyncState;
  private message: string | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly db: Database.Database,
    private readonly hub: HubClient,
    private readonly options: SyncClientOptions = {},
    signedIn = true,
  ) {
    this.state = signedIn ? 'online' : 'signed-out';
  }

  /** Queues an operation (durably) and returns its id. Pushing happens in `sync()`. */
  enqueue(operation: OperationInput, label: OperationLabel = {}): string {
    return this.enqueueMany([{ operation, label }])[0];
  }

  /** Queues several operations in one transaction (all or none), in order. */
  enqueueMany(items: readonly { readonly operation: OperationInput; readonly label?: OperationLabel }[]): string[] {
    const now = new Date().toISOString();
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
    const row = prepared(this.db, "SELECT result FROM outbox WHERE id = ? AND state != 'pending'").get(id) as { result: string } | undefined;
    return row === undefined ? null : (JSON.parse(row.result) as OperationResult);
  }

  /** Hides the refusals shown so far (they stay in the outbox as a record). */
  dismissRefused(): void {
    prepared(this.db, "UPDATE outbox SET dismissed_at = ? WHERE state = 'rejected' AND dismissed_at IS NULL").run(new Date().toISOString());
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
    return { state: this.state, pending, rejected, uploadsPending, message: this.message };
  }

  private emit(): void {
    this.options.onStatus?.(this.status());
  }

  private setState(state: SyncState, message: string | null = null): void {
    this.state = state;
    this.message = message;
    this.emit();
  }

  /** Pushes the outbox, pulls changes, uploads files. One run at a time; concurrent callers share it. */
  sync(): Promise<void> {
    this.running ??= this.runOnce().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async runOnce(): Promise<void> {
    if (this.state === 'signed-out') return;
    this.setState('syncing');
    try {
      await this.push();
      await this.pull();
      await this.uploadPending();
      this.setState('online');
    } catch (error) {
      if (error instanceof HubUnreachableError) this.setState('offline', error.message);
      else if (error instanceof HubSessionError) this.setState('signed-out', error.message);
      else throw error;
    }
  }

  /** Sends pending operations in order, in batches; each answer is stored before the next batch. */
  async push(): Promise<void> {
    // The hub takes up to 500 in one request (one transaction).
    const batchSize = this.options.batchSize ?? 500;
    for (;;) {
      const rows = prepared(this.db, "SELECT id, kind, payload FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT ?").all(batchSize) as OutboxRow[];
      if (rows.length === 0) return;
      prepared(this.db, `UPDATE outbox SET attempts = attempts + 1 WHERE id IN (${rows.map(() => '?').join(', ')})`).run(...rows.map((r) => r.id));
      let results: readonly OperationResult[];
      try {
        results = await this.hub.sendOperations(rows.map((row) => JSON.parse(row.payload) as Operation));
      } catch (error) {
        // A batch the hub refused as a whole (malformed): mark each so the queue does not jam.
        if (error instanceof HubRefusedError && error.status === 400) {
          this.settle(rows.map((row) => ({ id: row.id, status: 'rejected', error: { code: error.code, message: error.message } })), rows);
          continue;
        }
        throw error;
      }
      this.settle(results, rows);
    }
  }

  /** Stores the answers to a batch; `sent` is that batch (its payloads, for `onApplied`). */
  private settle(results: readonly OperationResult[], sent: readonly OutboxRow[]): void {
    const payloads = new Map(sent.map((row) => [row.id, row.payload]));
    const now = new Date().toISOString();
    const applied: { operation: Operation; result: Extract<OperationResult, { status: 'applied' }> }[] = [];
    this.db.transaction(() => {
      for (const result of results) {
        prepared(
          this.db,
          "UPDATE outbox SET state = ?, result = ?, error_code = ?, error_message = ?, settled_at = ? WHERE id = ? AND state = 'pending'",
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
      this.db.transaction(() => {
        for (const change of page.changes) this.applyChange(change, page.cursor);
        prepared(this.db, "INSERT INTO sync_state (key, value) VALUES ('cursor', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(page.cursor));
      })();
      if (!page.more) return;
    }
  }

  private applyChange(change: HubChange, seq: number): void {
    if (!change.visible) {
      prepared(this.db, 'DELETE FROM hub_studies WHERE hub_study_id = ?').run(change.studyId);
      return;
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
    this.db.transaction(() => {
      for (const file of files) {
        prepared(this.db, 'INSERT INTO uploads (hub_study_id, sop_instance_uid, path, size) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING').run(
          hubStudyId,
          file.sopInstanceUid,
          file.path,
          file.size,
        );
      }
    })();
    this.emit();
  }

  /** Uploads queued files one at a time; a file is marked done only after the hub confirmed its size. */
  async uploadPending(onFile?: (done: number, left: number) => void): Promise<void> {
    let done = 0;
    for (;;) {
      const next = prepared(this.db, "SELECT hub_study_id AS studyId, sop_instance_uid AS sop, path, size FROM uploads WHERE state = 'pending' ORDER BY rowid LIMIT 1").get() as
        | { studyId: string; sop: string; path: string; size: number }
        | undefined;
      if (next === undefined) return;
      prepared(this.db, 'UPDATE uploads SET attempts = attempts + 1 WHERE hub_study_id = ? AND sop_instance_uid = ?').run(next.studyId, next.sop);
      try {
        const stored = await this.hub.uploadFile(next.studyId, next.sop, next.path);
        if (stored.size !== next.size) throw new HubUnreachableError();
        prepared(this.db, "UPDATE uploads SET state = 'done', error = NULL WHERE hub_study_id = ? AND sop_instance_uid = ?").run(next.studyId, next.sop);
      } catch (error) {
        if (error instanceof HubRefusedError) {
          // An interrupted upload is refused as incomplete: send it again. Anything else is final.
          if (error.code === 'upload-interrupted' || error.code === 'upload-incomplete') throw new HubUnreachableError();
          prepared(this.db, "UPDATE uploads SET state = 'failed', error = ? WHERE hub_study_id = ? AND sop_instance_uid = ?").run(error.message, next.studyId, next.sop);
        } else if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          prepared(this.db, "UPDATE uploads SET state = 'failed', error = ? WHERE hub_study_id = ? AND sop_instance_uid = ?").run('The file is no longer on this computer.', next.studyId, next.sop);
        } else throw error;
      }
      done++;
      onFile?.(done, this.status().uploadsPending);
      this.emit();
    }
  }
}
