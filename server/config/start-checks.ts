/**
 * A hub that cannot write refuses to start, rather than failing at the first person's change:
 * its database takes a row (`checkDatabaseWritable`) and its blob store a probe. The error is
 * one sentence naming what cannot be written and the codes of why (never a stack); the server
 * prints it and exits 1, the desktop's embedded hub shows it. Both use this one check.
 */
import type { Kysely } from 'kysely';
import type { BlobStore } from '../blobs/blob-store';
import type { HubDatabase } from '../db/schema';
import { checkDatabaseWritable } from '../db/write-check';
import { faultCause } from '../http/server-faults';

/** The distinct codes (or kinds) along an error's cause chain: `EROFS`, `SQLITE_READONLY`. */
const why = (error: unknown): string =>
  faultCause(error)
    .map((cause) => cause.code ?? cause.name)
    .filter((code, i, all) => all.indexOf(code) === i)
    .join(', ');

/** `where` names the database and the store for the sentence (a path, or "the S3 bucket"). */
export async function assertHubWritable(db: Kysely<HubDatabase>, blobs: BlobStore, where: { readonly database: string; readonly blobs: string }): Promise<void> {
  try {
    await checkDatabaseWritable(db);
  } catch (error) {
    throw new Error(`cannot write to ${where.database} (${why(error)}); the hub needs a database it can write. Check the folder's owner and free space.`, { cause: error });
  }
  try {
    await blobs.check();
  } catch (error) {
    throw new Error(`cannot write study files to ${where.blobs} (${why(error)}); the hub needs storage it can write. Check its owner, permissions and free space.`, { cause: error });
  }
}
