/**
 * A site's download policy (issue 13, part 2; visibility rule 13): `accounts.download_policy`
 * ('nobody' | 'viewers' | 'roles'; every existing site keeps today's behaviour, 'viewers') and
 * `download_roles`, the roles whose people may download under 'roles'. The SQL predicate reads
 * both (server/access/visibility-sql.ts), so a list or a route asks the database, not a copy.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const hub0240DownloadPolicy: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('accounts')
      .addColumn('download_policy', 'text', (c) => c.notNull().defaultTo('viewers').check(sql`download_policy IN ('nobody', 'viewers', 'roles')`))
      .execute();
    await db.schema
      .createTable('download_roles')
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
      .addColumn('role_id', 'text', (c) => c.notNull().references('roles.id'))
      .addPrimaryKeyConstraint('download_roles_pk', ['account_id', 'role_id'])
      .execute();
  },
};
