/**
 * The receive journal on a real file system: records come back after the process "dies"
 * (the journal is simply not closed), a torn or corrupt tail is ignored, a reused segment's old
 * records do not come back, appends that arrive together share a write, a lone append is written
 * on the calling thread unless the disk was slow, and a retired segment's library files were flushed.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leftoverSegments, readSegment, ReceiveJournal, SEGMENT_BYTES } from './receive-journal';

const root = mkdtempSync(path.join(tmpdir(), 'studyshare-journal-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function folder(): string {
  const dir = path.join(root, `case-${++n}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const bytes = (seed: number, size = 3000): Buffer => Buffer.alloc(size, seed);

/** Segment files of a journal directory; the journal's own are not "left over" in this process. */
const segments = (dir: string): string[] => readdirSync(dir).filter((name) => name.endsWith('.journal'));

describe('receive journal', () => {
  it('gives back every appended record, in order, from a preallocated segment', async () => {
    const dir = folder();
    const journal = new ReceiveJournal(dir);
    for (let i = 0; i < 5; i++) (await journal.append({ target: `S/${i}.dcm`, data: bytes(i) })).filed(null);
    const [file] = segments(dir);
    expect(statSync(path.join(dir, file)).size).toBe(SEGMENT_BYTES);
    const records = await readSegment(path.join(dir, file));
    expect(records.map((r) => r.target)).toEqual(['S/0.dcm', 'S/1.dcm', 'S/2.dcm', 'S/3.dcm', 'S/4.dcm']);
    expect(records[3].data.equals(bytes(3))).toBe(true);
    // Its own live segments are never handed to a replay in this process.
    expect(await leftoverSegments(dir)).toEqual([]);
  });

  it('stops at a torn or corrupt record: what follows is not trusted', async () => {
    const dir = folder();
    const journal = new ReceiveJournal(dir);
    for (let i = 0; i < 3; i++) (await journal.append({ target: `S/${i}.dcm`, data: bytes(i + 10) })).filed(null);
    const file = path.join(dir, segments(dir)[0]);
    const copy = path.join(dir, 'copy.bin');
    const whole = readFileSync(file);
    // Flip one byte inside the second record's data: its checksum fails.
    const second = whole.indexOf(bytes(11, 64));
    whole[second + 5] ^= 0xff;
    writeFileSync(copy, whole);
    expect((await readSegment(copy)).map((r) => r.target)).toEqual(['S/0.dcm']);
    // Cut inside the third record (a write the crash interrupted): the first two stand.
    const intact = readFileSync(file);
    const third = intact.indexOf(bytes(12, 64));
    writeFileSync(copy, intact.subarray(0, third + 100));
    expect((await readSegment(copy)).map((r) => r.target)).toEqual(['S/0.dcm', 'S/1.dcm']);
  });

  it('never replays a record whose path would leave the library', async () => {
    const dir = folder();
    const journal = new ReceiveJournal(dir);
    (await journal.append({ target: 'S/ok.dcm', data: bytes(1) })).filed(null);
    (await journal.append({ target: '../../etc/evil.dcm', data: bytes(2) })).filed(null);
    expect((await readSegment(path.join(dir, segments(dir)[0]))).map((r) => r.target)).toEqual(['S/ok.dcm']);
  });

  it('keeps a record named by its request (no path) and gives it back; a record naming neither is not trusted', async () => {
    const dir = folder();
    const journal = new ReceiveJournal(dir);
    (await journal.append({ request: { sopInstanceUid: '1.2.3', sopClassUid: '1.2.840.10008.5.1.4.1.1.2' }, data: bytes(4) })).dropped();
    (await journal.append({ data: bytes(5) })).dropped();
    (await journal.append({ target: 'S/after.dcm', data: bytes(6) })).dropped();
    const records = await readSegment(path.join(dir, segments(dir)[0]));
    expect(records).toHaveLength(1);
    expect(records[0].request).toEqual({ sopInstanceUid: '1.2.3', sopClassUid: '1.2.840.10008.5.1.4.1.1.2' });
    expect(records[0].target).toBeUndefined();
    expect(records[0].data.equals(bytes(4))).toBe(true);
  });

  it('starts the write of an append before append() returns, when a segment is ready', async () => {
    const dir = folder();
    const journal = new ReceiveJournal(dir);
    (await journal.append({ target: 'S/first.dcm', data: bytes(1) })).dropped();
    const file = path.join(dir, segments(dir)[0]);
    const pending = journal.append({ target: 'S/second.dcm', data: bytes(2, 5000) });
    // No turn of the event loop yet: the write is already with the thread pool (the listener reads
    // the header meanwhile). Busy-wait on this thread for it to land.
    const deadline = Date.now() + 5_000;
    while (!readFileSync(file).includes(bytes(2, 5000)) && Date.now() < deadline);
    expect(readFileSync(file).includes(bytes(2, 5000))).toBe(true);
    (await pending).dropped();
    await journal.close();
  });

  it('removes its segments when its records were dropped (refused after the append): nothing to replay', async () => {
    const dir = folder();
    const journal = new ReceiveJournal(dir);
    (await journal.append({ request: { sopInstanceUid: '1.2.3', sopClassUid: '1.2.4' }, data: bytes(1) })).dropped();
    await journal.close();
    expect(segments(dir)).toEqual([]);
  });

  it('flushes the library files of a closed journal and removes its segments', async () => {
    const dir = folder();
    const library = folder();
    const journal = new ReceiveJournal(dir);
    const files: string[] = [];
    for (let i = 0; i < 4; i++) {
      const file = path.join(library, `${i}.dcm`);
      writeFileSync(file, bytes(i));
      files.push(file);
      (await journal.append({ target: `${i}.dcm`, data: bytes(i) })).filed(file);
    }
    await journal.close();
    expect(segments(dir)).toEqual([]);
    expect(files.every((file) => existsSync(file))).toBe(true);
  });

  it('keeps a segment whose record could not be filed, for the next start', async () => {
    const dir = folder();
    const journal = new ReceiveJournal(dir);
    (await journal.append({ target: 'S/a.dcm', data: bytes(1) })).filed(null);
    await journal.close();
    // Filed as null means "not in the library": the segment stays, and is now left over.
    const left = await leftoverSegments(dir);
    expect(left).toHaveLength(1);
    expect((await readSegment(left[0])).map((r) => r.target)).toEqual(['S/a.dcm']);
  });

  it('takes appends that arrive together (one write for the group), every one in order', async () => {
    const dir = folder();
    const journal = new ReceiveJournal(dir);
    const receipts = await Promise.all(Array.from({ length: 20 }, (_, i) => journal.append({ target: `G/${i}.dcm`, data: bytes(i, 1000) })));
    for (const receipt of receipts) receipt.filed(null);
    const file = path.join(dir, segments(dir)[0]);
    expect((await readSegment(file)).map((r) => r.target)).toEqual(Array.from({ length: 20 }, (_, i) => `G/${i}.dcm`));
    await journal.close();
  });

  it("writes the only sender's appends on the calling thread while the disk is fast, and through the pool once its flushes are slow", async () => {
    // (No limit here: on a loaded test machine a real flush may well take a few milliseconds.)
    const fast = new ReceiveJournal(folder(), undefined, { syncWriteLimitMs: Number.POSITIVE_INFINITY });
    for (let i = 0; i < 3; i++) (await fast.append({ target: `F/${i}.dcm`, data: bytes(i) }, { onlySender: true })).dropped();
    expect(fast.writes).toEqual({ here: 3, pooled: 0 });
    // Several senders: through the pool however fast the disk, so their appends can share a write.
    for (let i = 3; i < 5; i++) (await fast.append({ target: `F/${i}.dcm`, data: bytes(i) })).dropped();
    expect(fast.writes).toEqual({ here: 3, pooled: 2 });
    await fast.close();

    // Every flush counts as slow (any mean over the limit): the first append, with no flush
    // measured yet, is written here; after it, the only sender's appends go through the pool (the
    // event loop is not held on a slow disk), and appends that arrive together share one write there.
    const dir = folder();
    const slow = new ReceiveJournal(dir, undefined, { syncWriteLimitMs: Number.MIN_VALUE });
    for (let i = 0; i < 3; i++) (await slow.append({ target: `S/${i}.dcm`, data: bytes(i) }, { onlySender: true })).dropped();
    expect(slow.writes).toEqual({ here: 1, pooled: 2 });
    const together = await Promise.all([3, 4, 5].map((i) => slow.append({ target: `S/${i}.dcm`, data: bytes(i) }, { onlySender: true })));
    for (const receipt of together) receipt.dropped();
    // The first of the three found the journal idle and went alone; the two behind it, together.
    expect(slow.writes.pooled).toBe(4);
    const file = path.join(dir, segments(dir)[0]);
    expect((await readSegment(file)).map((r) => r.target)).toEqual(['S/0.dcm', 'S/1.dcm', 'S/2.dcm', 'S/3.dcm', 'S/4.dcm', 'S/5.dcm']);
    await slow.close();
  });

  it('moves to a new segment when one is full', async () => {
    const dir = folder();
    const library = folder();
    const journal = new ReceiveJournal(dir);
    const big = Buffer.alloc(SEGMENT_BYTES / 4 - 1024, 7);
    const file = path.join(library, 'x.dcm');
    writeFileSync(file, 'x');
    for (let i = 0; i < 5; i++) (await journal.append({ target: `B/${i}.dcm`, data: big })).filed(file);
    const all = await Promise.all(segments(dir).map((name) => readSegment(path.join(dir, name))));
    // Three fit in the first (with its header and theirs); the fourth opened the next; the first
    // was retired (its files flushed) and either reused with a new generation or removed:
    // nothing of it replays.
    expect(all.flat().map((r) => r.target)).toEqual(['B/3.dcm', 'B/4.dcm']);
    await journal.close();
    expect(segments(dir)).toEqual([]);
  }, 60_000);
});
