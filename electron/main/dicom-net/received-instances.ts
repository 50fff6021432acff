/**
 * Puts instances received by the listener into the managed library and the index, the way an
 * import with "copy into the library" does: the same header reader, the same file layout
 * (`<library>/<study>/<series>/<sop>.dcm`), the same index writer and duplicate rule (an
 * instance already indexed from any file is a duplicate: kept once, the new bytes dropped).
 *
 * Order, so that a success status means the instance survives a crash or a power cut. A small
 * instance (under a megabyte: nearly all) arrives in memory; its bytes are appended to the
 * receive journal (receive-journal.ts: durable in one flush) while its header is read from
 * there; the caller answers once the append is durable and the header accepted; its library
 * file is written after the answer through a temporary name, unflushed. The journal flushes the
 * library files in bulk later, and replays its records after a crash (`recover`). A large
 * instance spills to a temporary file under `<library>/.incoming/` (same file system, so the
 * rename is atomic) as it arrives; the header is read from that file; the file is renamed into
 * place, and its data and its folder entry are flushed (fdatasync, fsync) before the answer.
 *
 * The index rows follow in batches (every 100 ms, every 200 instances, and whenever an
 * association is released or a retrieval ends: `flushIndex`), not one transaction per
 * instance before the answer: the per-instance transaction and study totals were the listener's
 * largest cost after the disk. Durability does not rest on the index: an instance acknowledged
 * and filed but not yet indexed when the app dies is a complete file in the library without an
 * index row, which the library recovery indexes at the next start
 * (dicom-import/import-recovery.ts), as it does for an import cut short.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, promises as fs, readdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { libraryPath } from '../dicom-import/import-service';
import { ImportFileError } from '../dicom-import/import-error';
import { parseInstanceHeader, type HeaderResult, type InstanceHeader } from '../dicom-import/instance-header';
import { HeaderFileReader } from '../dicom-import/read-header-file';
import { IndexWriteSession } from '../study-index/study-index-writer';
import { part10Header } from './part10-meta';
import { flushFiles, syncFolder } from './flush-files';
import { LibraryFiler } from './library-filer';
import { leftoverSegments, MAX_RECORD_DATA, readSegment, ReceiveJournal, type JournalReceipt, type JournalRecord } from './receive-journal';
import { STORE_STATUS, type StoreStatus } from './sop-classes';
import { SpoolFile } from './spool-file';

export interface IncomingFacts {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  readonly callingAeTitle: string;
}

export type ReceiveOutcome =
  | { readonly kind: 'stored'; readonly header: InstanceHeader; readonly bytes: number }
  | { readonly kind: 'duplicate'; readonly header: InstanceHeader }
  | { readonly kind: 'refused'; readonly status: StoreStatus; readonly code: string; readonly reason: string };

const DISK_FULL = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);
/** Index rows written together: at most this many, at most this long after the first. */
const INDEX_BATCH = 200;
const INDEX_EVERY_MS = 100;

interface Filed {
  readonly header: InstanceHeader;
  readonly target: string;
  readonly size: number;
}

function refused(status: StoreStatus, code: string, reason: string): ReceiveOutcome {
  return { kind: 'refused', status, code, reason };
}

/** Writes a file and flushes its data (its name is made durable by the caller, after the rename). */
async function writeDurably(file: string, data: Buffer): Promise<void> {
  const handle = await fs.open(file, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/**
 * The header of a journal record that was acknowledged, or null for one that was refused once
 * its header was read (the same reader and the same UID checks as `check`, minus the duplicate
 * rule: a duplicate was never journaled).
 */
function replayable(record: JournalRecord): InstanceHeader | null {
  let result: HeaderResult | null;
  try {
    result = parseInstanceHeader(record.data);
  } catch {
    return null;
  }
  if (result?.kind !== 'instance') return null;
  const { instance } = result.header;
  if (record.request !== undefined) {
    if (instance.sopInstanceUid !== record.request.sopInstanceUid) return null;
    if (instance.sopClassUid !== null && instance.sopClassUid !== record.request.sopClassUid) return null;
  }
  return result.header;
}

/** Library files written by this process so far: their temporary names are unique by it. */
let filingCount = 0;

/** Resolves once the current turn of the event loop (which writes the answer) is over. */
const afterAnswer = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function journalFailure(error: unknown): string {
  return isDiskFull(error)
    ? 'The disk of the library is full: instances received are kept in the receive journal and filed at the next start.'
    : 'Instances received could not be filed into the library: they are kept in the receive journal and filed at the next start.';
}

function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return (code !== undefined && DISK_FULL.has(code)) || code === 'SQLITE_FULL';
}

export class ReceivedInstances {
  private readonly session: IndexWriteSession;
  private readonly reader = new HeaderFileReader();
  private readonly incomingDir: string;
  private incomingReady = false;
  private readonly recordBatch: (batch: readonly Filed[]) => void;
  /** Filed and acknowledged, not indexed yet; by SOP Instance UID (the duplicate rule sees them). */
  private readonly unindexed = new Map<string, Filed>();
  private flushTimer: NodeJS.Timeout | null = null;
  /** Being committed right now, by SOP Instance UID: a second copy arriving meanwhile is a duplicate. */
  private readonly committing = new Set<string>();
  /** Library files being written for instances already acknowledged. */
  private readonly filing = new Set<Promise<void>>();
  private journal: ReceiveJournal | null = null;
  /** Writes the library files of acknowledged instances, off the main thread. */
  private readonly filer = new LibraryFiler();
  /** Associations and retrievals sending instances here now (see `openSender`). */
  private senders = 0;

  constructor(
    db: Database.Database,
    private readonly libraryDir: string,
    /** A batch of index rows could not be written (a full disk): its files wait for the next start's recovery. */
    private readonly onIndexFailure?: (instances: number, reason: string) => void,
  ) {
    this.session = new IndexWriteSession(db);
    this.incomingDir = path.join(libraryDir, '.incoming');
    this.recordBatch = db.transaction((batch: readonly Filed[]) => {
      const now = Date.now();
      for (const { header, target, size } of batch) this.session.recordInstance(header, { sourcePath: target, storedPath: target, size, mtimeMs: now, managed: true });
      this.session.refreshAggregates();
    });
  }

  /** Instances acknowledged whose index rows are not written yet. */
  get pendingIndex(): number {
    return this.unindexed.size;
  }

  /** The receive journal's writes so far, on this thread and through the pool (tests and benches read them). */
  get journalWrites(): { readonly here: number; readonly pooled: number } {
    return this.journal?.writes ?? { here: 0, pooled: 0 };
  }

  /** Writes the waiting index rows in one transaction, now. */
  flushIndex(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.unindexed.size === 0) return;
    const batch = [...this.unindexed.values()];
    this.unindexed.clear();
    try {
      this.recordBatch(batch);
    } catch (error) {
      this.session.forgetCachedIds();
      // The files are durable and were acknowledged: they stay, and the library recovery indexes
      // them at the next start. The person is told (Settings → DICOM, last refusal).
      const reason = isDiskFull(error)
        ? 'The disk of the study index is full: instances received are kept in the library and indexed at the next start.'
        : 'The study index could not be written: instances received are kept in the library and indexed at the next start.';
      this.onIndexFailure?.(batch.length, reason);
    }
  }

  private queueIndex(filed: Filed): void {
    this.unindexed.set(filed.header.instance.sopInstanceUid, filed);
    if (this.unindexed.size >= INDEX_BATCH) this.flushIndex();
    else this.flushTimer ??= setTimeout(() => this.flushIndex(), INDEX_EVERY_MS);
  }

  /**
   * An association or a retrieval starts sending instances; call the returned function once it
   * ends. While there is one sender, its journal appends are written on this thread (the sender
   * waits for each answer, so nothing else is held up); with several, they share the journal's
   * group writes (receive-journal.ts).
   */
  openSender(): () => void {
    this.senders++;
    let open = true;
    return () => {
      if (open) this.senders--;
      open = false;
    };
  }

  /** A temporary file for one instance as it arrives, already holding its Part 10 header. */
  spool(facts: IncomingFacts): SpoolFile {
    if (!this.incomingReady) {
      mkdirSync(this.incomingDir, { recursive: true });
      this.incomingReady = true;
    }
    const header = part10Header({ ...facts, sourceAeTitle: facts.callingAeTitle });
    return new SpoolFile(path.join(this.incomingDir, `${randomUUID()}.partial`), header);
  }

  /**
   * Waits for the spooled bytes, reads the header, files the instance under its final name and
   * makes it durable (the file's data and its folder's entry, fsync'd side by side), then
   * indexes it — or says why not. Nothing here blocks the event loop on a disk flush, so other
   * associations go on meanwhile.
   */
  async commit(spool: SpoolFile, facts: IncomingFacts): Promise<ReceiveOutcome> {
    const written = await spool.result;
    if (!written.ok) {
      await spool.discard();
      if (isDiskFull(written.error)) return refused(STORE_STATUS.outOfResources, 'disk-full', 'The disk of the library is full: the instance was not stored.');
      return refused(STORE_STATUS.processingFailure, 'write-failed', `The instance could not be written (${written.error.code ?? 'error'}).`);
    }
    // In memory means under the spool's spill size, which is well under a journal record's bound.
    if (written.data !== undefined && written.data.length <= MAX_RECORD_DATA) {
      const journaled = await this.commitJournaled(written.data, facts);
      if (journaled !== 'no-journal') return journaled;
      // The journal could not take it (no room for a new segment on a nearly full disk): the
      // instance goes the direct way, its own file flushed on its own.
      try {
        await writeDurably(spool.path, written.data);
      } catch (error) {
        await spool.discard();
        if (isDiskFull(error)) return refused(STORE_STATUS.outOfResources, 'disk-full', 'The disk of the library is full: the instance was not stored.');
        return refused(STORE_STATUS.processingFailure, 'write-failed', `The instance could not be written (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
      }
    }
    const checked = this.check(() => this.reader.read(spool.path), facts);
    if (checked.kind !== 'ok') {
      await spool.discard();
      return checked.outcome;
    }
    const { header } = checked;
    const target = libraryPath(this.libraryDir, header);
    try {
      const created = await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.rename(spool.path, target);
      // New folders must be durable in their parents too (the study's, its series').
      const folders = [path.dirname(target)];
      if (created !== undefined) {
        for (let folder = path.dirname(target); folder !== path.dirname(created); folder = path.dirname(folder)) folders.push(path.dirname(folder));
      }
      // The file first, then its folder: the folder's flush then usually finds the rename already
      // committed with the file's (one journal commit instead of two racing; measured faster).
      await spool.syncAndClose();
      for (const folder of folders) await syncFolder(folder);
    } catch (error) {
      await spool.discard();
      await fs.unlink(target).catch(() => undefined);
      if (isDiskFull(error)) return refused(STORE_STATUS.outOfResources, 'disk-full', 'The disk of the library is full: the instance was not stored.');
      return refused(STORE_STATUS.processingFailure, 'write-failed', 'The instance could not be moved into the library.');
    }
    this.queueIndex({ header, target, size: written.size });
    return { kind: 'stored', header, bytes: written.size };
  }

  /**
   * A small instance, whole in memory: journaled, then filed after the answer (see the top of the
   * file). The journal's write is made before the header is read: on this thread when this is
   * the only sender and the disk flushes fast (receive-journal.ts: cheaper than the thread pool's
   * round trip), otherwise on libuv's thread pool, overlapping the read. A record refused once
   * the header is read stays in the journal but is void: replay reads every record again and
   * refuses it the same way (`replayable`).
   */
  private async commitJournaled(data: Buffer, facts: IncomingFacts): Promise<ReceiveOutcome | 'no-journal'> {
    const parse = (): HeaderResult | undefined => parseInstanceHeader(data) ?? undefined;
    const uid = facts.sopInstanceUid;
    // Named by the request as one already here (or arriving right now): the full check answers
    // (a duplicate, or a data set naming another instance), and nothing is journaled.
    if (this.isKnown(uid)) {
      const checked = this.check(parse, facts);
      if (checked.kind !== 'ok') return checked.outcome;
    }
    const appending = this.openJournal().append({ request: { sopInstanceUid: uid, sopClassUid: facts.sopClassUid }, data }, { onlySender: this.senders <= 1 });
    // Nothing ran since the duplicate test above (no await), so it is not asked of the index again.
    const checked = this.check(parse, facts, { knownTested: true });
    if (checked.kind !== 'ok') {
      appending.then((receipt) => receipt.dropped(), () => undefined);
      return checked.outcome;
    }
    const { header } = checked;
    const target = libraryPath(this.libraryDir, header);
    this.committing.add(uid);
    let receipt: JournalReceipt;
    try {
      receipt = await appending;
    } catch {
      this.committing.delete(uid);
      return 'no-journal';
    }
    // Durable: the caller answers now. The library file follows off the answer's path (after the
    // answer is written: its file-system calls would otherwise be queued ahead of it), then the index row.
    // The bytes are handed over to the filing thread (moved, not copied: `data` is empty after),
    // so the size is taken now.
    const size = data.length;
    const filing = afterAnswer()
      .then(() => this.file(target, data, { handOver: true }))
      .then(
        () => {
          receipt.filed(target);
          this.queueIndex({ header, target, size });
        },
        (error: unknown) => {
          // Acknowledged, so not lost: its journal segment is kept for the next start's recovery.
          receipt.filed(null);
          this.onIndexFailure?.(1, journalFailure(error));
        },
      );
    const tracked: Promise<void> = filing.finally(() => {
      this.committing.delete(uid);
      this.filing.delete(tracked);
    });
    this.filing.add(tracked);
    return { kind: 'stored', header, bytes: size };
  }

  /** Acknowledged or being committed here, or already in the index: a new copy would be a duplicate. */
  private isKnown(uid: string): boolean {
    return this.committing.has(uid) || this.unindexed.has(uid) || this.session.existingInstance(uid) !== undefined;
  }

  /** Waits for the library files of what was acknowledged, then writes their index rows. */
  async indexNow(): Promise<void> {
    while (this.filing.size > 0) {
      // Files waiting for the filing thread's batch go now, not at its timer (a release waits for them).
      await afterAnswer();
      this.filer.flush();
      await Promise.allSettled([...this.filing]);
    }
    this.flushIndex();
  }

  /**
   * Writes a library file through a temporary name, unflushed (the journal holds its bytes), on
   * the filing thread (library-filer.ts: off the main thread, in batches). Off the answer's path:
   * creating a file waits on the file system, which on a busy disk took 1–3 ms per instance
   * (measured), more than the journal's flush.
   *
   * The temporary name is beside the target, as the import's copy has it (import-service.ts), so
   * the rename stays within one folder: a rename from `.incoming` into the series' folder changed
   * two folders per instance, and cost ~7 % of the receive rate (rounds of 500 from storescu
   * alternating the two ways in one process, 8 of 8 pairs). A `.partial` a crash leaves behind is
   * removed by the library recovery at the next start, with the import's.
   */
  private file(target: string, data: Buffer, options: { readonly handOver?: boolean } = {}): Promise<void> {
    // Unique within this process too: the listener and a retrieval may file the same instance at once.
    const temporary = `${target}.${process.pid}-${++filingCount}.partial`;
    return this.filer.file(target, temporary, data, options);
  }

  /** Opens the receive journal and makes its segments ready ahead of the first instance (the listener starting). */
  prepare(): Promise<void> {
    return this.openJournal().prepare();
  }

  private openJournal(): ReceiveJournal {
    // A retirement that could not flush the library files is said like a filing that failed.
    this.journal ??= new ReceiveJournal(this.incomingDir, (error) => this.onIndexFailure?.(0, journalFailure(error)));
    return this.journal;
  }

  /**
   * Flushes what the journal holds into the library and closes it, and stops the filing thread
   * (the listener stopping); the next instance opens new ones.
   */
  async settle(): Promise<void> {
    await this.indexNow();
    await this.filer.close();
    const journal = this.journal;
    this.journal = null;
    await journal?.close();
  }

  /**
   * After a crash: every instance the journal acknowledged is written into the library again
   * (through a temporary name, then flushed) and indexed, and the journal's files go; then the
   * temporary files left behind are removed. Returns how many instances were restored.
   */
  async recover(): Promise<number> {
    let restored = 0;
    await fs.mkdir(this.incomingDir, { recursive: true });
    for (const segment of await leftoverSegments(this.incomingDir)) {
      const kept: { header: InstanceHeader; target: string; data: Buffer }[] = [];
      for (const record of await readSegment(segment)) {
        const header = replayable(record);
        if (header === null) continue;
        kept.push({ header, target: record.target === undefined ? libraryPath(this.libraryDir, header) : path.join(this.libraryDir, record.target), data: record.data });
      }
      for (const { target, data } of kept) await this.file(target, data);
      const folders = kept.map(({ target }) => path.dirname(target));
      await flushFiles(
        this.libraryDir,
        kept.map(({ target }) => target),
        [...folders, ...folders.map((folder) => path.dirname(folder))],
      );
      for (const { header, target, data } of kept) {
        const uid = header.instance.sopInstanceUid;
        if (this.unindexed.has(uid) || this.session.existingInstance(uid) !== undefined) continue;
        this.queueIndex({ header, target, size: data.length });
        restored++;
      }
      this.flushIndex();
      await fs.unlink(segment);
    }
    ReceivedInstances.sweepIncoming(this.libraryDir);
    return restored;
  }

  private check(read: () => HeaderResult | undefined, facts: IncomingFacts, options: { readonly knownTested?: boolean } = {}): { kind: 'ok'; header: InstanceHeader } | { kind: 'stop'; outcome: ReceiveOutcome } {
    const stop = (outcome: ReceiveOutcome) => ({ kind: 'stop' as const, outcome });
    let header: InstanceHeader;
    try {
      const result = read();
      if (result === undefined) return stop(refused(STORE_STATUS.cannotUnderstand, 'truncated', 'The data set ends before its header does.'));
      if (result.kind !== 'instance') return stop(refused(STORE_STATUS.cannotUnderstand, 'not-an-instance', 'A DICOMDIR is not an instance.'));
      header = result.header;
    } catch (error) {
      if (error instanceof ImportFileError) return stop(refused(STORE_STATUS.cannotUnderstand, error.code, error.message));
      return stop(refused(STORE_STATUS.processingFailure, 'unreadable', 'The received instance could not be read back.'));
    }
    if (header.instance.sopInstanceUid !== facts.sopInstanceUid) {
      return stop(refused(STORE_STATUS.dataSetMismatch, 'instance-mismatch', 'The data set names another SOP Instance UID than the request.'));
    }
    if (header.instance.sopClassUid !== null && header.instance.sopClassUid !== facts.sopClassUid) {
      return stop(refused(STORE_STATUS.dataSetMismatch, 'class-mismatch', 'The data set names another SOP Class than the request.'));
    }
    // (The UID was just checked to be the request's, so a caller that tested the request's UID
    // in this turn has the answer already: one index lookup an instance, not two.)
    const uid = header.instance.sopInstanceUid;
    if (options.knownTested !== true && this.isKnown(uid)) return stop({ kind: 'duplicate', header });
    return { kind: 'ok', header };
  }

  /** Temporary files left by a crash: removed when the listener starts. */
  static sweepIncoming(libraryDir: string): void {
    const incoming = path.join(libraryDir, '.incoming');
    try {
      for (const name of readdirSync(incoming)) {
        if (name.endsWith('.partial')) unlinkSync(path.join(incoming, name));
      }
    } catch {
      // no folder yet
    }
  }
}
