/**
 * Replay of the receive journal after a crash (round 4): the listener appends a record before it
 * reads the data set's header (the read overlaps the disk's flush) and may then refuse it, so
 * replay reads every record again and restores only what would have been acknowledged — with
 * the library path taken from the data set itself, as the import files it.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openIndexDatabase } from '../db/connection';
import { CT_IMAGE_STORAGE, MR_IMAGE_STORAGE, testUid, writeInstance } from '../dicom-write/synthetic-study';
import { ReceiveJournal } from './receive-journal';
import { ReceivedInstances } from './received-instances';

const root = mkdtempSync(path.join(tmpdir(), 'studyshare-received-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const instance = (n: number, sopClassUid = CT_IMAGE_STORAGE): Buffer =>
  Buffer.from(writeInstance({ studyInstanceUid: testUid(741), seriesInstanceUid: testUid(741, 1), sopInstanceUid: testUid(741, 1, n), instanceNumber: n, sopClassUid }));
const request = (n: number, sopClassUid = CT_IMAGE_STORAGE) => ({ sopInstanceUid: testUid(741, 1, n), sopClassUid });

/** One instance as a C-STORE brings it: the data set alone (the Part 10 file without its preamble and meta group). */
function storeOne(received: ReceivedInstances, n: number) {
  const part10 = instance(n);
  const facts = { ...request(n), transferSyntaxUid: '1.2.840.10008.1.2.1', callingAeTitle: 'MODALITY' };
  const spool = received.spool(facts);
  spool.end(part10.subarray(144 + part10.readUInt32LE(140)));
  return received.commit(spool, facts);
}

/** A ReceivedInstances on a library and an index of its own (named `name`), the index closed after `body`. */
async function withReceived(name: string, body: (received: ReceivedInstances, db: Database.Database, library: string) => Promise<void>): Promise<void> {
  const library = path.join(root, `${name}-library`);
  const db = openIndexDatabase(path.join(root, `${name}.sqlite`));
  try {
    await body(new ReceivedInstances(db, library), db, library);
  } finally {
    db.close();
  }
}

describe('replaying the receive journal', () => {
  it('restores what was acknowledged and refuses, as on arrival, what was journaled and then refused', async () => {
    const library = path.join(root, 'library');
    const scratch = path.join(root, 'scratch');
    mkdirSync(path.join(library, '.incoming'), { recursive: true });
    // A journal as the listener left it when the process died (appended, never retired).
    const journal = new ReceiveJournal(scratch);
    const appended = [
      { request: request(1), data: instance(1) },
      // The data set names another instance than its request (refused A900 on arrival).
      { request: request(2), data: instance(3) },
      // Not a data set the import can read (refused C000 on arrival).
      { request: request(4), data: Buffer.from('DICM but not really') },
      // The data set's SOP class is not the request's.
      { request: request(5, MR_IMAGE_STORAGE), data: instance(5) },
      // A record of the previous format (its library path written out) is still restored.
      { target: path.join(testUid(741), testUid(741, 1), `${testUid(741, 1, 6)}.dcm`), data: instance(6) },
    ];
    for (const record of appended) (await journal.append(record)).dropped();
    const [segment] = readdirSync(scratch).filter((name) => name.endsWith('.journal'));
    // A copy under another name: this process's own live segments are never replayed.
    copyFileSync(path.join(scratch, segment), path.join(library, '.incoming', 'left-by-a-crash.journal'));
    await journal.close();

    const db = openIndexDatabase(path.join(root, 'index.sqlite'));
    try {
      const received = new ReceivedInstances(db, library);
      expect(await received.recover()).toBe(2);
      const uids = (db.prepare('SELECT sop_instance_uid AS uid FROM instances ORDER BY uid').all() as { uid: string }[]).map((row) => row.uid);
      expect(uids).toEqual([testUid(741, 1, 1), testUid(741, 1, 6)]);
      const series = path.join(library, testUid(741), testUid(741, 1));
      expect(readdirSync(series).sort()).toEqual([`${testUid(741, 1, 1)}.dcm`, `${testUid(741, 1, 6)}.dcm`]);
      expect(existsSync(path.join(library, '.incoming', 'left-by-a-crash.journal'))).toBe(false);
    } finally {
      db.close();
    }
  });
});

describe('senders', () => {
  it("writes the journal through the thread pool while several senders are open, and counts each sender's end once", async () => {
    await withReceived('senders', async (received, db, library) => {
      const store = (n: number) => storeOne(received, n);
      await received.prepare();
      const first = received.openSender();
      const second = received.openSender();
      expect(await store(11)).toMatchObject({ kind: 'stored' });
      // Two senders: the append went to the pool, where another sender's could have joined it.
      expect(received.journalWrites).toEqual({ here: 0, pooled: 1 });
      second();
      second();
      const third = received.openSender();
      expect(await store(12)).toMatchObject({ kind: 'stored' });
      // The second's end counted once: the first and the third are still two.
      expect(received.journalWrites).toEqual({ here: 0, pooled: 2 });
      first();
      third();
      // The only sender (none registered counts as one): on this thread or through the pool,
      // as the disk's flush time says (receive-journal.test.ts); either way stored.
      expect(await store(13)).toMatchObject({ kind: 'stored' });
      const { here, pooled } = received.journalWrites;
      expect(here + pooled).toBe(3);
      await received.settle();
      const count = (db.prepare('SELECT count(*) AS n FROM instances').get() as { n: number }).n;
      expect(count).toBe(3);
      // Each library file went in through a temporary name beside it, and nothing of those is left.
      expect(readdirSync(path.join(library, testUid(741), testUid(741, 1))).sort()).toEqual([11, 12, 13].map((n) => `${testUid(741, 1, n)}.dcm`));
    });
  });
});

describe('filing', () => {
  it('files an instance whose series folder was removed after an earlier one was filed there (the study deleted while it arrives)', async () => {
    await withReceived('filing', async (received, _db, library) => {
      const store = (n: number) => storeOne(received, n);
      expect(await store(21)).toMatchObject({ kind: 'stored' });
      await received.indexNow();
      // The folder this process knows it made is gone: the next instance's file makes it again.
      rmSync(path.join(library, testUid(741)), { recursive: true, force: true });
      expect(await store(22)).toMatchObject({ kind: 'stored' });
      await received.settle();
      expect(readdirSync(path.join(library, testUid(741), testUid(741, 1)))).toEqual([`${testUid(741, 1, 22)}.dcm`]);
    });
  });
});
