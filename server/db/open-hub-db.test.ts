/** The hub's SQLite file holds patient data: it and its WAL files are the owner's only, new or inherited. */
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openHubDatabase } from './open-hub-db';
import { folderBlobStore } from '../blobs/folder-blob-store';
import { Readable } from 'node:stream';

const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-hub-modes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const mode = (file: string) => statSync(file).mode & 0o777;

it.skipIf(process.platform === 'win32')('creates hub.sqlite and its WAL files 0600, tightens an older 0644 file, and keeps blobs 0700/0600', async () => {
  const file = path.join(dir, 'hub.sqlite');
  const db = await openHubDatabase(file);
  await db.selectFrom('accounts').select('id').execute();
  for (const name of [file, `${file}-wal`, `${file}-shm`].filter(existsSync)) expect(mode(name), name).toBe(0o600);
  await db.destroy();

  const older = path.join(dir, 'older.sqlite');
  writeFileSync(older, '');
  chmodSync(older, 0o644);
  await (await openHubDatabase(older)).destroy();
  expect(mode(older)).toBe(0o600);

  const blobs = folderBlobStore(path.join(dir, 'blobs'));
  await blobs.put('study/1.2.3.dcm', Readable.from([Buffer.from('DICM')]));
  expect(mode(path.join(dir, 'blobs'))).toBe(0o700);
  expect(mode(path.join(dir, 'blobs', 'study'))).toBe(0o700);
  expect(mode(path.join(dir, 'blobs', 'study', '1.2.3.dcm'))).toBe(0o600);
});
