/**
 * Uploads against a hub in its own process over real sockets: the hub streams a file to the
 * store without holding it (its resident memory, read from /proc, grows far less than the file),
 * and an upload cut off half-way leaves no blob and no row, so the desktop's retry (HubClient,
 * as the sync client sends files) completes it. The hub here uses SQLite and the folder store;
 * the store contract (server/blobs/blob-store.test.ts) runs the same failures against S3.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from '../electron/main/sync-client/hub-client';
import { residentBytes, startUploadHub, uploadGenerated, withPeakRss, type UploadHub } from '../scripts/bench/upload-client';
import { largeDicomStream } from './test-support/large-dicom';

describe.skipIf(process.platform !== 'linux')('hub uploads (a hub process, real sockets)', () => {
  let hub: UploadHub;
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-uploads-'));
  beforeAll(async () => {
    hub = await startUploadHub();
  });
  afterAll(async () => {
    await hub?.stop();
    rmSync(dir, { recursive: true, force: true });
    if (hub !== undefined) rmSync(path.dirname(hub.blobDir), { recursive: true, force: true });
  });

  it('receives 256 MiB without holding the file: the hub’s memory grows by far less than its size', { timeout: 120_000 }, async () => {
    // A small upload first, so that code loaded on first use is not counted as the file's.
    expect((await uploadGenerated(hub, '1.2.826.0.1.3680043.10.1234.901.1', 1024 * 1024)).status).toBe(201);
    // Large enough that holding it would show far above the noise of the garbage collector's
    // working space (tens of MB, which a smaller file's bound would have to allow for).
    const size = 256 * 1024 * 1024;
    const { result, peak, before } = await withPeakRss(hub.process.pid!, () => uploadGenerated(hub, '1.2.826.0.1.3680043.10.1234.901.2', size));
    expect(result.status).toBe(201);
    expect(JSON.parse(result.body).size).toBeGreaterThan(size);
    expect(peak - before).toBeLessThan(size / 4);
    expect(residentBytes(hub.process.pid!)).toBeGreaterThan(0);
  });

  it('keeps nothing from an upload cut off half-way, and the desktop’s retry then stores it once, intact', { timeout: 60_000 }, async () => {
    const sop = '1.2.826.0.1.3680043.10.1234.902.1';
    const file = path.join(dir, 'instance.dcm');
    const bytes = await buffer(largeDicomStream(4 * 1024 * 1024, { sopInstanceUid: sop }).stream);
    writeFileSync(file, bytes);
    // A raw socket: the request's head with the whole length, half the body, then gone.
    const socket = connect(hub.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      `PUT /api/studies/${hub.studyId}/files/${sop} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${hub.token}\r\nContent-Type: application/dicom\r\nContent-Length: ${bytes.length}\r\n\r\n`,
    );
    await new Promise<void>((resolve) => socket.write(bytes.subarray(0, bytes.length / 2), () => resolve()));
    socket.destroy();
    const client = new HubClient(`http://127.0.0.1:${hub.port}`, hub.token);
    const stored = await client.uploadFile(hub.studyId, sop, file);
    expect(stored).toMatchObject({ size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    const listing = (await (await fetch(`http://127.0.0.1:${hub.port}/api/studies/${hub.studyId}/files`, { headers: { authorization: `Bearer ${hub.token}` } })).json()) as { files: { sopInstanceUid: string; sha256: string }[] };
    expect(listing.files.filter((f) => f.sopInstanceUid === sop)).toEqual([{ sopInstanceUid: sop, size: bytes.length, sha256: stored.sha256 }]);
    const back = Buffer.from(await (await fetch(`http://127.0.0.1:${hub.port}/api/studies/${hub.studyId}/files/${sop}`, { headers: { authorization: `Bearer ${hub.token}` } })).arrayBuffer());
    expect(back.equals(bytes)).toBe(true);
    // The cut-off upload's temporary file goes once the hub has seen the connection close
    // (waited for, not timed): nothing half-written remains beside the blob.
    const partials = () => readdirSync(hub.blobDir, { recursive: true }).filter((name) => String(name).endsWith('.partial'));
    while (partials().length > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(readdirSync(path.join(hub.blobDir, hub.studyId)).filter((name) => name.startsWith(sop))).toEqual([`${sop}.dcm`]);
  });
});
