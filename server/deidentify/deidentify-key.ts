/**
 * The hub's de-identification key (migration 0250, `hub_secrets`): 32 random bytes made on first
 * use and kept, so a pseudonym or a replaced UID is the same on every request, process and
 * restart — a study's series and instances still group, and a frame fetched twice carries the
 * same UIDs. Never sent and never logged. Two processes racing to make it keep the first.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { HubDatabase } from '../db/schema';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

const NAME = 'deidentify';

export async function deidentifyKey(db: Db): Promise<Buffer> {
  const stored = await db.selectFrom('hub_secrets').select('value').where('name', '=', NAME).executeTakeFirst();
  if (stored !== undefined) return Buffer.from(stored.value, 'base64');
  await db
    .insertInto('hub_secrets')
    .values({ name: NAME, value: randomBytes(32).toString('base64'), created_at: new Date().toISOString() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const made = await db.selectFrom('hub_secrets').select('value').where('name', '=', NAME).executeTakeFirstOrThrow();
  return Buffer.from(made.value, 'base64');
}
