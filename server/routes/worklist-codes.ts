/** Gives a worklist a share code that no other worklist on the hub has. */
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { shareCodeFromBytes } from '../../shared/share-code';
import type { HubDatabase } from '../db/schema';

/** Takes the transaction when there is one: SQLite has one connection, and it is taken. */
export async function uniqueShareCode(db: Kysely<HubDatabase> | Transaction<HubDatabase>): Promise<string> {
  // 2^40 codes: a collision is rare, and then simply another draw.
  for (;;) {
    const code = shareCodeFromBytes(randomBytes(5));
    const taken = await db.selectFrom('worklists').select('id').where('share_code', '=', code).executeTakeFirst();
    if (taken === undefined) return code;
  }
}
