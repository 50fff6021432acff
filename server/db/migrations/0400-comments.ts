/**
 * Comments on studies (issue 16): `comments` (never deleted: a delete or an admin's hide keeps the
 * comment's place in its thread), `comment_edits` (every earlier text, so "edited" can show its
 * history) and `comment_mentions`. The anchor's series, image and frame are columns too, so the
 * viewer's scroll-bar markers are one indexed read. `revision` orders a study's comment changes
 * for the change feed. Existing sites' built-in roles get the new `studies.comment` permission,
 * as a new site's do (shared/permissions/catalogue.ts): commenting is part of what those roles
 * are for, and an admin who edited a role keeps their choice for every other key.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { isPostgres } from '../dialect';

const COMMENTING_ROLES = ['Admin', 'Radiologist', 'Technologist', 'Physician', 'Case Manager', 'Referrer'];

export const hub0400Comments: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('comments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
      .addColumn('author_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('reply_to', 'text', (c) => c.references('comments.id'))
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('anchor', 'text')
      .addColumn('series_uid', 'text')
      .addColumn('sop_uid', 'text')
      .addColumn('frame', 'integer')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('edited_at', 'text')
      .addColumn('deleted_at', 'text')
      .addColumn('hidden_at', 'text')
      .addColumn('hidden_by', 'text', (c) => c.references('users.id'))
      .addColumn('revision', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('comments_by_study').on('comments').columns(['study_id', 'created_at', 'id']).execute();
    await db.schema.createIndex('comments_by_study_revision').on('comments').columns(['study_id', 'revision']).execute();
    await db.schema.createIndex('comments_by_image').on('comments').columns(['study_id', 'sop_uid']).execute();
    await db.schema.createIndex('comments_by_author').on('comments').columns(['author_id', 'created_at']).execute();
    const edits = db.schema.createTable('comment_edits');
    await (isPostgres(db) ? edits.addColumn('seq', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity()) : edits.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement()))
      .addColumn('comment_id', 'text', (c) => c.notNull().references('comments.id'))
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('replaced_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('comment_edits_by_comment').on('comment_edits').columns(['comment_id', 'seq']).execute();
    await db.schema
      .createTable('comment_mentions')
      .addColumn('comment_id', 'text', (c) => c.notNull().references('comments.id'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addPrimaryKeyConstraint('comment_mentions_pk', ['comment_id', 'user_id'])
      .execute();
    // Built-in roles of sites made before: add the key where it is missing (JSON arrays of keys).
    const roles = await sql<{ id: string; permissions: string }>`SELECT id, permissions FROM roles WHERE built_in = 1 AND name IN (${sql.join(COMMENTING_ROLES)})`.execute(db);
    for (const role of roles.rows) {
      const keys = JSON.parse(role.permissions) as string[];
      if (keys.includes('studies.comment')) continue;
      await sql`UPDATE roles SET permissions = ${JSON.stringify([...keys, 'studies.comment'])} WHERE id = ${role.id}`.execute(db);
    }
  },
};
