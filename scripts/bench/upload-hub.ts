/**
 * A hub in its own process for bench:upload and the upload memory test: a fresh SQLite database
 * and blob folder in a temp folder, one site with one study, listening on loopback. Prints one
 * JSON line, { port, token, studyId, blobDir }, then serves until killed.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildHub } from '../../server/app';
import { createAccount } from '../../server/accounts/accounts-repository';
import { hashPassword } from '../../server/auth/password';
import { createSession } from '../../server/auth/sessions';
import { openHubDatabase } from '../../server/db/open-hub-db';

const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-upload-hub-'));
const blobDir = path.join(dir, 'blobs');
const db = await openHubDatabase(path.join(dir, 'hub.sqlite'));
const now = new Date();
const site = await db.transaction().execute(async (trx) => createAccount(trx, 'Bench site', { name: 'Admin', email: 'admin@bench.example', passwordHash: await hashPassword('long enough password') }, now));
const token = await createSession(db, site.user.id, now);
const hub = buildHub({ db, blobDir, publicUrl: 'https://hub.example.org' });
await hub.listen({ host: '127.0.0.1', port: 0 });
const port = (hub.server.address() as { port: number }).port;
const operation = {
  id: randomUUID(),
  kind: 'study.publish',
  study: {
    studyInstanceUid: '1.2.826.0.1.3680043.10.1234.900', patientName: 'Bench^Upload', patientId: 'B1', patientBirthDate: null, studyDate: '2026-01-01', studyTime: null,
    patientSex: null, accessionNumber: null, studyDescription: 'CT', referringPhysicianName: null, institutionName: null, modalities: ['CT'], seriesCount: 1, instanceCount: 4,
  },
};
const answer = await fetch(`http://127.0.0.1:${port}/api/operations`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ operations: [operation] }) });
const { results } = (await answer.json()) as { results: { value: { studyId: string } }[] };
process.stdout.write(`${JSON.stringify({ port, token, studyId: results[0].value.studyId, blobDir })}\n`);
