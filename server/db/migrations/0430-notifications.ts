/**
 * Notifications (issue 16): one row per person and event (`notifications`, sequenced so that the
 * live signal and the inbox's cursor are one number), each person's delivery per kind
 * (`notification_preferences`; no row means "in the app"), and one claim row per digest day
 * (`notification_digest_runs`), so that with several hub processes on one database exactly one
 * sends a day's digest. `comment_id` has no foreign key: comments are another migration's table.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { isPostgres } from '../dialect';

export const hub0430Notifications: Migration = {
  async up(db: Kysely<unknown>) {
    // A sequence column as migrations.ts makes it (identity on PostgreSQL, AUTOINCREMENT on SQLite).
    const table = db.schema.createTable('notifications');
    await (isPostgres(db) ? table.addColumn('seq', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity()) : table.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement()))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      // Null when nobody signed in caused it (a guest opening a link).
      .addColumn('actor_id', 'text', (c) => c.references('users.id'))
      .addColumn('study_id', 'text', (c) => c.references('studies.id'))
      .addColumn('comment_id', 'text')
      .addColumn('collection_id', 'text', (c) => c.references('collections.id'))
      // JSON of shared/viewer/viewer-anchor.ts ViewerAnchor.
      .addColumn('anchor', 'text')
      .addColumn('delivery', 'text', (c) => c.notNull().check(sql`delivery IN ('app', 'email', 'digest')`))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('read_at', 'text')
      // When a daily digest included it (delivery 'digest' only).
      .addColumn('digested_at', 'text')
      .execute();
    await db.schema.createIndex('notifications_by_user').on('notifications').columns(['user_id', 'seq']).execute();
    await db.schema.createIndex('notifications_unread').on('notifications').columns(['user_id', 'read_at']).execute();
    await db.schema.createIndex('notifications_digest').on('notifications').columns(['delivery', 'digested_at']).execute();
    await db.schema
      .createTable('notification_preferences')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('delivery', 'text', (c) => c.notNull().check(sql`delivery IN ('app', 'email', 'digest', 'off')`))
      .addColumn('os_notification', 'integer', (c) => c.notNull().defaultTo(1).check(sql`os_notification IN (0, 1)`))
      .addPrimaryKeyConstraint('notification_preferences_pk', ['user_id', 'kind'])
      .execute();
    await db.schema
      .createTable('notification_digest_runs')
      .addColumn('day', 'text', (c) => c.primaryKey())
      .addColumn('claimed_by', 'text', (c) => c.notNull())
      .addColumn('claimed_at', 'text', (c) => c.notNull())
      .addColumn('done_at', 'text')
      .execute();
  },
};
