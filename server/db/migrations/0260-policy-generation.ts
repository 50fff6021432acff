/**
 * A site's policy generation (issue 13, part 3): `accounts.policy_generation`, raised by one each
 * time the site's viewing policy changes (server/policy/site-policy-repository.ts). The change
 * feed tells each page's reader their site's generation; a desktop that sees a new one reads its
 * whole hub cache again and drops what it no longer sees (electron/main/sync-client), because a
 * policy change (department → participated, whole-site access taken back) takes studies away
 * from people without any of those studies changing. Existing sites start at 0.
 */
import type { Kysely, Migration } from 'kysely';

export const hub0260PolicyGeneration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('accounts')
      .addColumn('policy_generation', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};
