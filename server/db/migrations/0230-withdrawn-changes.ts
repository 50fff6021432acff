/**
 * Changes addressed to one person (issue 13, part 4): when a department loses a member, a
 * department is deleted, or a collection loses a member or is deleted, nothing about the studies
 * themselves changed, yet they left some people. The change feed then carries a row per
 * (study, person) with `for_user_id` set, read by that person only, so that their desktop's
 * cached copy drops what they no longer see at its next pull (server/access/withdrawn-access.ts).
 * Rows for everyone keep `for_user_id` null.
 */
import type { Kysely, Migration } from 'kysely';

export const hub0230WithdrawnChanges: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('changes').addColumn('for_user_id', 'text').execute();
    // The feed reads one person's rows after their cursor.
    await db.schema.createIndex('changes_for_user').on('changes').columns(['for_user_id', 'seq']).execute();
  },
};
