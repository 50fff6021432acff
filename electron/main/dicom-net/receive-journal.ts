/**
 * The receive journal: how the listener makes a received instance durable with one disk flush
 * instead of four, so it can acknowledge sooner (issue 17, receive rate).
 *
 * Why: a new file made durable costs open + write + fdatasync + rename + the folder's fsync; on
 * this machine's disk that was ~6 ms of an instance's 6.7 ms. Overwriting blocks that already
 * belong to a file and flushing them (O_DSYNC) changes no file-system metadata, so it costs only
 * the data's own flush. So each small instance is appended, whole (Part 10 bytes), to a segment
 * file that was filled with zeros when it was made; the append is durable when its write
 * returns. The library file is written beside it, without a flush. Only when a segment is
 * retired (full, idle, or the listener stopping) are its library files and their folders
 * flushed, in one go, and the segment reused. After a crash, `replaySegments` gives back every
 * record of every segment left behind: the caller rewrites those files and indexes them.
 *
 * Concurrent associations share the journal, and appends that arrive while one is being written
 * go out together in the next write (a group commit): four associations cost about one flush per
 * round, not four.
 *
 * Layout (little endian). Segment: a 4 KiB header (magic, generation: 16 random bytes), then
 * records. Record: magic, generation, meta length, data length, CRC-32 of meta + data, then the
 * meta (JSON: the file's path in the library) and the data. A record counts only if its magic,
 * generation (a reused segment gets a new one, so old records after the live ones are ignored)
 * and checksum hold; replay stops at the first that does not (a torn last write).
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs, writevSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { FileSystemFlusher, flushFiles, syncFolder } from './flush-files';

/** Bytes per segment; an instance larger than a quarter of it is not journaled (the caller flushes its file). */
export const SEGMENT_BYTES = 32 << 20;
export const MAX_RECORD_DATA = SEGMENT_BYTES / 4;
const SEGMENT_HEADER = 4096;
const SEGMENT_MAGIC = Buffer.from('SSJSEG01', 'latin1');
const RECORD_MAGIC = 0x4a525353;
const RECORD_HEADER = 4 + 16 + 4 + 4 + 4;
/** A segment with no append for this long is retired, so the journal does not outlive a study by much. */
const IDLE_RETIRE_MS = 3_000;
/**
 * Segments kept ready beside the active one (64 MiB on the library's disk while idle). Making one
 * (32 MiB of zeros, flushed) while instances arrive held the journal's flushes back for up to a
 * second (the first 1,000 instances after a start took twice as long as the next); with two,
 * the active one's successor is ready and the retired one comes back as the next, so a steady
 * stream, or a study after a pause, never waits for one to be made.
 */
const SPARE_SEGMENTS = 2;
/**
 * An append from the only sender (one association, or one retrieval: DIMSE sends the next
 * instance only once this one is answered, so nothing else waits on the event loop meanwhile) is
 * written on the calling thread while the disk flushes fast. Through libuv's thread pool the
 * same write costs two thread wake-ups and a turn of the event loop on top of the flush, which on
 * this machine's virtual CPUs was 10–20 % of an instance (rounds of 500 from storescu alternating
 * the two ways in one process: 7 of 8 pairs faster). "Fast" is the flush time averaged over the
 * last writes (an exponential mean, weight 1/8), not the last write alone: a limit on each write
 * (the first way, session 26) tripped on this disk's every few-hundredth slow flush, and its
 * second-long backoff kept 87–99 % of appends in the pool. Over the limit (a spinning disk, a
 * busy one) appends go through the pool, so the event loop is not held on every instance.
 * Appends from several senders always go through the pool: those that arrive while one is being
 * written go out together in the next write (the group commit), which a write on the calling
 * thread would serialise.
 */
const SYNC_WRITE_LIMIT_MS = 4;
const FLUSH_MEAN_WEIGHT = 1 / 8;
/** Journal files of this process: a replay at another listener's start never takes them. */
const live = new Set<string>();

export interface JournalRecord {
  /**
   * Relative to the library. Absent in the listener's records (round 4): the path is the data
   * set's own (study/series/instance UIDs), read again from it on replay.
   */
  readonly target?: string;
  /**
   * The UIDs the C-STORE request named. The listener appends a record before it has read the
   * data set (the read overlaps the disk's flush) and may then refuse it: replay reads each
   * record again and keeps only one that would have been accepted.
   */
  readonly request?: { readonly sopInstanceUid: string; readonly sopClassUid: string };
  readonly data: Buffer;
}

/** What the caller does with an appended record once durable. */
export interface JournalReceipt {
  /** Its library file is written (flushed at retirement), or could not be (null: the segment is kept for the next start). */
  filed(absolutePath: string | null): void;
  /** It was refused after all (its data set unreadable or not the one named): nothing to file; a replay refuses it too. */
  dropped(): void;
}

interface Segment {
  readonly path: string;
  handle: fs.FileHandle;
  generation: Buffer;
  offset: number;
  /** Library files (absolute) written for this segment's records: flushed before it is reused. */
  readonly filed: Set<string>;
  /** Appends not yet settled (written or failed); retirement waits for them. */
  inFlight: number;
  /** A record's library file could not be written: the segment is left for the next start. */
  keep: boolean;
}

interface Pending {
  readonly buffers: Buffer[];
  readonly bytes: number;
  readonly onlySender: boolean;
  readonly resolve: (segment: Segment) => void;
  readonly reject: (error: unknown) => void;
}

function segmentHeader(generation: Buffer): Buffer {
  const header = Buffer.alloc(SEGMENT_HEADER);
  SEGMENT_MAGIC.copy(header, 0);
  generation.copy(header, SEGMENT_MAGIC.length);
  return header;
}

/** What is left of `buffers` once `written` bytes of them went out (a short write). */
function unwritten(buffers: readonly Buffer[], written: number): Buffer[] {
  let skip = written;
  const rest: Buffer[] = [];
  for (const buffer of buffers) {
    if (skip >= buffer.length) skip -= buffer.length;
    else {
      rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
      skip = 0;
    }
  }
  return rest;
}

async function writeAll(handle: fs.FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let remaining = buffers;
  let at = position;
  while (remaining.length > 0) {
    const { bytesWritten } = await handle.writev(remaining, at);
    at += bytesWritten;
    remaining = unwritten(remaining, bytesWritten);
  }
}

function writeAllHere(fd: number, buffers: Buffer[], position: number): void {
  let remaining = buffers;
  let at = position;
  while (remaining.length > 0) {
    const written = writevSync(fd, remaining, at);
    at += written;
    remaining = unwritten(remaining, written);
  }
}

export class ReceiveJournal {
  private active: Segment | null = null;
  private spares: Promise<Segment>[] = [];
  private opening: Promise<Segment> | null = null;
  private readonly retiring = new Set<Promise<void>>();
  private queue: Pending[] = [];
  private writing = false;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Flushes the library's file system at each retirement (one resident helper, not a process per retirement). */
  private readonly flusher: FileSystemFlusher;
  /** The disk's recent flush time (exponential mean of the writes' times), ms. */
  private flushMeanMs = 0;
  private readonly syncWriteLimitMs: number;
  /** Writes made so far: on the calling thread, and through the thread pool (tests and benches read them). */
  readonly writes = { here: 0, pooled: 0 };

  constructor(
    private readonly dir: string,
    /** A retirement failed to flush the library files (they stay journaled for the next start). */
    private readonly onRetireFailure?: (error: unknown) => void,
    /** Tests only: the mean flush time over which the only sender's appends go through the pool. */
    options: { readonly syncWriteLimitMs?: number } = {},
  ) {
    this.syncWriteLimitMs = options.syncWriteLimitMs ?? SYNC_WRITE_LIMIT_MS;
    // The library (the journal's folder's parent) is where every file and folder of it lives.
    this.flusher = new FileSystemFlusher(path.dirname(dir));
  }

  /**
   * Appends one record and resolves once it is durable, with a receipt the caller hands back
   * through `filed` once the library file is written (or `filed(null)` if it was not).
   * `onlySender`: no other association or retrieval is appending meanwhile (see SYNC_WRITE_LIMIT_MS).
   */
  async append(record: JournalRecord, options: { readonly onlySender?: boolean } = {}): Promise<JournalReceipt> {
    if (this.closed) throw new Error('The receive journal is closed.');
    const meta = Buffer.from(JSON.stringify({ target: record.target, request: record.request }), 'utf8');
    const head = Buffer.alloc(RECORD_HEADER);
    head.writeUInt32LE(RECORD_MAGIC, 0);
    head.writeUInt32LE(meta.length, 20);
    head.writeUInt32LE(record.data.length, 24);
    head.writeUInt32LE(crc32(record.data, crc32(meta)), 28);
    const segment = await new Promise<Segment>((resolve, reject) => {
      this.queue.push({ buffers: [head, meta, record.data], bytes: RECORD_HEADER + meta.length + record.data.length, onlySender: options.onlySender === true, resolve, reject });
      void this.drain();
    });
    let settled = false;
    return {
      filed: (absolutePath) => {
        if (settled) return;
        settled = true;
        if (absolutePath !== null) segment.filed.add(absolutePath);
        else segment.keep = true;
        segment.inFlight--;
      },
      dropped: () => {
        if (settled) return;
        settled = true;
        segment.inFlight--;
      },
    };
  }

  /** Makes the spare segments ready now (the listener starting), so no instance waits for their zeros. Never rejects. */
  async prepare(): Promise<void> {
    while (!this.closed && this.spares.length < SPARE_SEGMENTS) this.makeSpare();
    await Promise.allSettled(this.spares);
  }

  /** Starts making one more spare segment. A failure is met again, and reported, by the append that needs it. */
  private makeSpare(): void {
    const spare = this.create();
    spare.catch(() => undefined);
    this.spares.push(spare);
  }

  /** Retires every segment (flushing their library files) and removes the journal's files. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    while (this.writing || this.queue.length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const active = this.active;
    this.active = null;
    if (active !== null) this.retire(active, false);
    await Promise.allSettled([...this.retiring]);
    const spares = await Promise.all(this.spares.map((spare) => spare.catch(() => null)));
    this.spares = [];
    for (const spare of spares) if (spare) await this.drop(spare);
    this.flusher.close();
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        let segment: Segment;
        try {
          // The active segment is used without a turn of the event loop: the first append's
          // write is done (the only sender's, on this thread) or on its way to the disk (through the
          // pool: the listener reads the data set's header meanwhile) before append() returns.
          const ready = this.segmentFor(this.queue[0].bytes);
          segment = ready instanceof Promise ? await ready : ready;
        } catch (error) {
          for (const pending of this.queue.splice(0)) pending.reject(error);
          return;
        }
        // As many waiting records as fit in this segment go out in one write.
        const batch: Pending[] = [];
        let bytes = 0;
        while (this.queue.length > 0 && segment.offset + bytes + this.queue[0].bytes <= SEGMENT_BYTES) {
          const pending = this.queue.shift() as Pending;
          pending.buffers[0].set(segment.generation, 4);
          batch.push(pending);
          bytes += pending.bytes;
        }
        const at = segment.offset;
        segment.offset += bytes;
        segment.inFlight += batch.length;
        try {
          const buffers = batch.flatMap((pending) => pending.buffers);
          const started = performance.now();
          if (batch.length === 1 && batch[0].onlySender && this.flushMeanMs <= this.syncWriteLimitMs) {
            writeAllHere(segment.handle.fd, buffers, at);
            this.writes.here++;
          } else {
            this.writes.pooled++;
            await writeAll(segment.handle, buffers, at);
          }
          this.flushMeanMs += (performance.now() - started - this.flushMeanMs) * FLUSH_MEAN_WEIGHT;
          for (const pending of batch) pending.resolve(segment);
        } catch (error) {
          segment.inFlight -= batch.length;
          for (const pending of batch) pending.reject(error);
        }
      }
    } finally {
      this.writing = false;
      this.armIdle();
    }
  }

  private armIdle(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.writing || this.queue.length > 0 || this.active === null || this.active.offset === SEGMENT_HEADER) return;
      const active = this.active;
      this.active = null;
      this.retire(active, true);
    }, IDLE_RETIRE_MS);
    this.idleTimer.unref();
  }

  /** The segment the next record goes to: the active one if it fits, else a fresh one. */
  private segmentFor(bytes: number): Segment | Promise<Segment> {
    if (this.active !== null && this.active.offset + bytes <= SEGMENT_BYTES) {
      // Half full: the next segment is made ready in the background.
      if (this.spares.length === 0 && this.active.offset > SEGMENT_BYTES / 2) this.makeSpare();
      return this.active;
    }
    if (this.active !== null) {
      const full = this.active;
      this.active = null;
      this.retire(full, true);
    }
    const next = this.spares.shift() ?? this.create();
    return next.then((segment) => (this.active = segment));
  }

  /** A new segment: zeros written and flushed (its blocks allocated), its folder entry flushed. */
  private async create(): Promise<Segment> {
    await fs.mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, `${randomBytes(8).toString('hex')}.journal`);
    live.add(file);
    let handle = await fs.open(file, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      const zeros = Buffer.alloc(1 << 20);
      for (let at = 0; at < SEGMENT_BYTES; at += zeros.length) await writeAll(handle, [zeros], at);
      await handle.sync();
      await handle.close();
      await syncFolder(this.dir);
      // From here on every write returns only once it is on the disk: one call, no separate flush.
      handle = await fs.open(file, constants.O_RDWR | constants.O_DSYNC);
      const generation = randomBytes(16);
      await writeAll(handle, [segmentHeader(generation)], 0);
      return { path: file, handle, generation, offset: SEGMENT_HEADER, filed: new Set(), inFlight: 0, keep: false };
    } catch (error) {
      await handle.close().catch(() => undefined);
      await fs.unlink(file).catch(() => undefined);
      live.delete(file);
      throw error;
    }
  }

  /**
   * Flushes the library files of a segment's records and their folders, then reuses the segment
   * (a new generation makes its old records void) or, when closing, removes it.
   */
  private retire(segment: Segment, reuse: boolean): void {
    const work = (async () => {
      while (segment.inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 2));
      if (segment.keep) {
        // Left as it is, for the next start's recovery (this process no longer claims it).
        await segment.handle.close().catch(() => undefined);
        live.delete(segment.path);
        return;
      }
      try {
        const files = [...segment.filed];
        const folders = new Set(files.map((file) => path.dirname(file)));
        for (const folder of [...folders]) folders.add(path.dirname(folder)).add(path.dirname(path.dirname(folder)));
        await flushFiles(path.dirname(this.dir), files, [...folders], { flusher: this.flusher });
      } catch (error) {
        // The records stay: the next start replays them. A fresh segment takes over.
        this.onRetireFailure?.(error);
        await segment.handle.close().catch(() => undefined);
        live.delete(segment.path);
        return;
      }
      if (!reuse || this.closed || this.spares.length >= SPARE_SEGMENTS) {
        await this.drop(segment);
        return;
      }
      segment.generation = randomBytes(16);
      await writeAll(segment.handle, [segmentHeader(segment.generation)], 0);
      segment.offset = SEGMENT_HEADER;
      segment.filed.clear();
      if (this.closed) await this.drop(segment);
      else this.spares.push(Promise.resolve(segment));
    })().catch((error: unknown) => this.onRetireFailure?.(error));
    this.retiring.add(work);
    void work.finally(() => this.retiring.delete(work));
  }

  private async drop(segment: Segment): Promise<void> {
    await segment.handle.close().catch(() => undefined);
    await fs.unlink(segment.path).catch(() => undefined);
    live.delete(segment.path);
  }
}

/** The valid records of one segment file, in order. */
export async function readSegment(file: string): Promise<JournalRecord[]> {
  const bytes = await fs.readFile(file);
  if (bytes.length < SEGMENT_HEADER || !bytes.subarray(0, SEGMENT_MAGIC.length).equals(SEGMENT_MAGIC)) return [];
  const generation = bytes.subarray(SEGMENT_MAGIC.length, SEGMENT_MAGIC.length + 16);
  const records: JournalRecord[] = [];
  let at = SEGMENT_HEADER;
  while (at + RECORD_HEADER <= bytes.length) {
    if (bytes.readUInt32LE(at) !== RECORD_MAGIC || !bytes.subarray(at + 4, at + 20).equals(generation)) break;
    const metaLength = bytes.readUInt32LE(at + 20);
    const dataLength = bytes.readUInt32LE(at + 24);
    const end = at + RECORD_HEADER + metaLength + dataLength;
    if (end > bytes.length) break;
    const meta = bytes.subarray(at + RECORD_HEADER, at + RECORD_HEADER + metaLength);
    const data = bytes.subarray(at + RECORD_HEADER + metaLength, end);
    if (crc32(data, crc32(meta)) !== bytes.readUInt32LE(at + 28)) break;
    try {
      const { target, request } = JSON.parse(meta.toString('utf8')) as { target?: unknown; request?: { sopInstanceUid?: unknown; sopClassUid?: unknown } };
      // A path that would leave the library is not a record we wrote; nor is one with neither a path nor a request.
      if (target !== undefined && (typeof target !== 'string' || path.isAbsolute(target) || target.split(/[\\/]/).includes('..'))) break;
      if (request !== undefined && (typeof request?.sopInstanceUid !== 'string' || typeof request.sopClassUid !== 'string')) break;
      if (target === undefined && request === undefined) break;
      records.push({
        ...(target === undefined ? {} : { target }),
        ...(request === undefined ? {} : { request: { sopInstanceUid: request.sopInstanceUid as string, sopClassUid: request.sopClassUid as string } }),
        data,
      });
    } catch {
      break;
    }
    at = end;
  }
  return records;
}

/** Journal segments in `dir` left by an earlier run (not this process's own). */
export async function leftoverSegments(dir: string): Promise<string[]> {
  try {
    const names = await fs.readdir(dir);
    return names.filter((name) => name.endsWith('.journal')).map((name) => path.join(dir, name)).filter((file) => !live.has(file));
  } catch {
    return [];
  }
}
