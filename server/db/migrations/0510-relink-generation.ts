/**
 * A generation on each physician relink request (`physician_relinks.generation`): every new
 * request for a physician adds one, and a relink step records its progress, or the job's end,
 * only while the generation it read is still the row's (server/physicians/physician-linking.ts).
 * Before, the step matched on `requested_at`, so a second directory change within the same
 * millisecond as the first — while a step of the first was running — could be marked done by
 * that step before it had run at all (seen once in CI on a frozen clock; session 25's note).
 */
import type { Kysely, Migration } from 'kysely';

export const hub0510RelinkGeneration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('physician_relinks').addColumn('generation', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('physician_relinks').dropColumn('generation').execute();
  },
};
