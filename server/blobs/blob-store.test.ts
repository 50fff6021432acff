/**
 * One contract, two stores: every case runs against the local folder and against a real
 * S3-compatible server (s3rver on loopback), through the same interface.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { CreateMultipartUploadCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3Server, type TestS3Server } from '../test-support/s3-server';
import { BlobNotFoundError, type BlobStore } from './blob-store';
import { folderBlobStore } from './folder-blob-store';
import { s3BlobStore } from './s3-blob-store';

const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** A body that sends `bytes` in 64 KiB chunks and then fails, as a dropped connection does. */
function failingBody(bytes: Buffer): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let at = 0; at < bytes.length; at += 65_536) yield bytes.subarray(at, at + 65_536);
    throw new Error('connection reset by the client');
  }
  return Readable.from(chunks());
}

interface StoreUnderTest {
  readonly store: BlobStore;
  /**
   * Whether the server lists unfinished uploads. s3rver (the S3 server the tests run) implements
   * neither ListMultipartUploads nor AbortMultipartUpload; AWS, MinIO and Ceph do. Where it
   * cannot list, the cases that count leftovers check what a client can see instead.
   */
  readonly listsUnfinished: boolean;
  /** Unfinished uploads the store holds (partial files, open multipart uploads). */
  partials(): Promise<number>;
  /** Starts an upload and leaves it unfinished, as a crashed hub would. */
  abandonUpload(): Promise<void>;
}

const stores: Record<'folder' | 's3', () => Promise<StoreUnderTest & { close(): Promise<void> }>> = {
  async folder() {
    const root = mkdtempSync(path.join(tmpdir(), 'studyshare-blobs-'));
    const store = folderBlobStore(root);
    return {
      store,
      listsUnfinished: true,
      partials: async () => readdirSync(root, { recursive: true }).filter((name) => String(name).endsWith('.partial')).length,
      async abandonUpload() {
        const { mkdirSync, writeFileSync } = await import('node:fs');
        mkdirSync(path.join(root, 'crashed'), { recursive: true });
        writeFileSync(path.join(root, 'crashed', 'x.dcm.1.partial'), 'half');
      },
      close: async () => rmSync(root, { recursive: true, force: true }),
    };
  },
  async s3() {
    const server: TestS3Server = await startTestS3Server();
    const store = s3BlobStore({ bucket: server.bucket, prefix: 'hub-one' }, server.clientConfig);
    return {
      store,
      listsUnfinished: false,
      partials: async () => ((await store.client.send(new ListMultipartUploadsCommand({ Bucket: server.bucket }))).Uploads ?? []).length,
      async abandonUpload() {
        await store.client.send(new CreateMultipartUploadCommand({ Bucket: server.bucket, Key: 'hub-one/crashed/x.dcm' }));
      },
      async close() {
        store.client.destroy();
        await server.close();
      },
    };
  },
};

describe.each(['folder', 's3'] as const)('blob store contract: %s', (kind) => {
  let subject: StoreUnderTest & { close(): Promise<void> };
  let store: BlobStore;
  beforeAll(async () => {
    subject = await stores[kind]();
    store = subject.store;
  });
  afterAll(async () => subject?.close());

  it('stores a body and returns its size and SHA-256, and gives back the bytes, whole or a range', async () => {
    const bytes = randomBytes(300_000);
    expect(await store.put('study-1/1.2.3.dcm', Readable.from([bytes]))).toEqual({ size: bytes.length, sha256: sha(bytes) });
    expect(await store.head('study-1/1.2.3.dcm')).toEqual({ size: bytes.length });
    expect((await buffer(await store.get('study-1/1.2.3.dcm'))).equals(bytes)).toBe(true);
    expect((await buffer(await store.get('study-1/1.2.3.dcm', { start: 1000, end: 1999 }))).equals(bytes.subarray(1000, 2000))).toBe(true);
  });

  it('streams a body larger than one upload part without losing or reordering a byte', async () => {
    // 20 MiB in 1 MiB chunks: more than two of the S3 store's 8 MiB parts.
    const chunk = (i: number) => Buffer.alloc(1024 * 1024, i);
    const expected = createHash('sha256');
    for (let i = 0; i < 20; i++) expected.update(chunk(i));
    const facts = await store.put('study-1/large.dcm', Readable.from((function* () { for (let i = 0; i < 20; i++) yield chunk(i); })()));
    expect(facts).toEqual({ size: 20 * 1024 * 1024, sha256: expected.digest('hex') });
    const back = createHash('sha256');
    for await (const part of await store.get('study-1/large.dcm')) back.update(part as Buffer);
    expect(back.digest('hex')).toBe(facts.sha256);
  });

  it('says plainly when there is no such blob', async () => {
    await expect(store.get('study-1/missing.dcm')).rejects.toBeInstanceOf(BlobNotFoundError);
    expect(await store.head('study-1/missing.dcm')).toBeNull();
    await store.delete('study-1/missing.dcm');
  });

  it('keeps nothing from a body that fails half-way, and the blob already there stays intact', async () => {
    const before = randomBytes(10_000);
    await store.put('study-2/a.dcm', Readable.from([before]));
    await expect(store.put('study-2/a.dcm', failingBody(randomBytes(12 * 1024 * 1024)))).rejects.toThrow('connection reset');
    await expect(store.put('study-2/b.dcm', failingBody(randomBytes(100_000)))).rejects.toThrow('connection reset');
    expect((await buffer(await store.get('study-2/a.dcm'))).equals(before)).toBe(true);
    expect(await store.head('study-2/b.dcm')).toBeNull();
    if (subject.listsUnfinished) expect(await subject.partials()).toBe(0);
  });

  it('keeps nothing when the caller’s check refuses the complete body', async () => {
    const refused = store.put('study-2/c.dcm', Readable.from([randomBytes(9 * 1024 * 1024)]), {
      verify: (facts) => {
        if (facts.size !== 1) throw new Error('the size is not the declared one');
      },
    });
    await expect(refused).rejects.toThrow('the size is not the declared one');
    expect(await store.head('study-2/c.dcm')).toBeNull();
    if (subject.listsUnfinished) expect(await subject.partials()).toBe(0);
  });

  it('deletes a blob', async () => {
    await store.put('study-3/d.dcm', Readable.from([Buffer.from('x')]));
    await store.delete('study-3/d.dcm');
    expect(await store.head('study-3/d.dcm')).toBeNull();
  });

  it('sweeps uploads a crash left unfinished, only once they are old (or says it cannot)', async () => {
    await subject.abandonUpload();
    if (!subject.listsUnfinished) {
      await expect(store.sweepPartial(new Date())).rejects.toThrow('lifecycle rule that aborts incomplete multipart uploads');
      return;
    }
    expect(await store.sweepPartial(new Date(Date.now() - 3_600_000))).toBe(0);
    expect(await store.sweepPartial(new Date(Date.now() + 60_000))).toBe(1);
    expect(await subject.partials()).toBe(0);
  });

  it('refuses keys that would leave the store, and is ready', async () => {
    await expect(store.put('../outside.dcm', Readable.from([Buffer.from('x')]))).rejects.toThrow('Not a valid blob key');
    await expect(store.head('/etc/passwd')).rejects.toThrow('Not a valid blob key');
    await store.check();
  });
});
