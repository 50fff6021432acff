/**
 * External users who connect, and many sites on one hub (issue 14, parts 3–4).
 *
 * - `site_connections`: someone without a site asking to connect to one as a physician, a
 *   practice manager or an external rep; `review` until an admin assigns physicians
 *   (`assigned`, the physicians are `physician_delegates` rows of kind 'external') or declines
 *   (`declined`, final). At most one open (review or assigned) request per person and site: a
 *   partial unique index, so two requests racing cannot both be kept.
 * - `accounts.connection_code`: what a site tells people to type to find it (a share-code-shaped
 *   code, unique on the hub); `accepts_connections`: whether it takes requests at all.
 * - `users.hub_operator`: the hub's own operator (the first site's admin), who may create
 *   further sites; `hub_settings.sites_may_sign_up`: whether anyone may create one.
 * - `email_verifications`: sign-up on the hub's page; the account is inactive until the mailed
 *   link is opened (only the link's hash is kept).
 */
import { randomBytes } from 'node:crypto';
import { sql, type Kysely, type Migration } from 'kysely';
import { shareCodeFromBytes } from '../../../shared/share-code';

export const hub0330SiteConnections: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('accounts').addColumn('connection_code', 'text').execute();
    await db.schema.alterTable('accounts').addColumn('accepts_connections', 'integer', (c) => c.notNull().defaultTo(1)).execute();
    // Sites made before this migration get their code now (a fresh draw on the rare collision).
    const sites = await sql<{ id: string }>`SELECT id FROM accounts`.execute(db);
    const used = new Set<string>();
    for (const site of sites.rows) {
      let code = shareCodeFromBytes(randomBytes(5));
      while (used.has(code)) code = shareCodeFromBytes(randomBytes(5));
      used.add(code);
      await sql`UPDATE accounts SET connection_code = ${code} WHERE id = ${site.id}`.execute(db);
    }
    await db.schema.createIndex('accounts_by_connection_code').unique().on('accounts').column('connection_code').execute();

    await db.schema.alterTable('users').addColumn('hub_operator', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    // The hub's first site's first admin runs the hub: they may create further sites.
    await sql`UPDATE users SET hub_operator = 1 WHERE id = (
      SELECT u.id FROM users u JOIN roles r ON r.id = u.role_id JOIN accounts a ON a.id = u.account_id
      WHERE r.name = 'Admin' ORDER BY a.created_at, u.created_at, u.id LIMIT 1)`.execute(db);

    await db.schema
      .createTable('hub_settings')
      .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
      .addColumn('sites_may_sign_up', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await sql`INSERT INTO hub_settings (id, sites_may_sign_up) VALUES (1, 0)`.execute(db);

    await db.schema
      .createTable('site_connections')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
      .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('physician', 'practice-manager', 'external-rep')`))
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('review', 'assigned', 'declined')`))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('decided_by', 'text', (c) => c.references('users.id'))
      .addColumn('decided_at', 'text')
      .execute();
    await sql`CREATE UNIQUE INDEX site_connections_one_open ON site_connections (user_id, account_id) WHERE status <> 'declined'`.execute(db);
    await db.schema.createIndex('site_connections_by_site').on('site_connections').columns(['account_id', 'status', 'created_at']).execute();

    await db.schema
      .createTable('email_verifications')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .execute();
    await db.schema.createIndex('email_verifications_by_user').on('email_verifications').columns(['user_id', 'created_at']).execute();
  },
};
