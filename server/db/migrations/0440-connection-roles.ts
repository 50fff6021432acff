/**
 * One role per connection (issue 14; visibility rule 15): `site_connections.role_id`, the role of
 * the site that applies to the connected person on that site's studies. Connections that were
 * already assigned take their kind's built-in role of their site (Physician, Case Manager,
 * Referrer: shared/permissions/connection-role.ts); until now they used the person's one role.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const hub0440ConnectionRoles: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('site_connections').addColumn('role_id', 'text', (c) => c.references('roles.id')).execute();
    // Portable SQL (SQLite and PostgreSQL): the kind's role by name, else the site's Referrer role.
    await sql`UPDATE site_connections SET role_id = COALESCE(
      (SELECT r.id FROM roles r WHERE r.account_id = site_connections.account_id AND r.name =
        CASE site_connections.kind WHEN 'physician' THEN 'Physician' WHEN 'practice-manager' THEN 'Case Manager' ELSE 'Referrer' END LIMIT 1),
      (SELECT r.id FROM roles r WHERE r.account_id = site_connections.account_id AND r.name = 'Referrer' LIMIT 1))
      WHERE status = 'assigned'`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('site_connections').dropColumn('role_id').execute();
  },
};
