/**
 * Physicians on studies, and the people who act for them (issue 14, parts 1 and 2).
 *
 * - `physicians`: a site's directory. `name_key` is the matching key of its display name
 *   (shared/physicians/name-key.ts: accents stripped, lower case, components sorted);
 *   `physician_names` holds one row per key the physician answers to (its name and every alias),
 *   so that matching a study's DICOM name is one indexed lookup, never a scan of JSON.
 * - `study_physician_names`: the DICOM names a study arrived with (0008,0090 referring, 0008,1060
 *   reading), by key: relinking existing studies after a directory change reads this, by index,
 *   instead of parsing a million summaries.
 * - `study_physicians`: the links (referring / reading / associated), with how they came
 *   (dicom / share / manual) and who made them, for whom.
 * - `physician_match_reviews`: a DICOM name that matched several physicians of the site, waiting
 *   for an admin to choose.
 * - `physician_delegates`: case managers (and, issue 14 part 3, external users) acting for
 *   physicians.
 * - `physician_relinks`: the background relink queue, one row per changed physician, with the
 *   keyset position reached (bounded batches, resumable after a restart).
 * - `audit_events.on_behalf_of_physician` and `shares.on_behalf_of_physician`: the directory
 *   physician a case manager acted for. `audit_events.on_behalf_of` references users, and a
 *   directory physician need not have an account; it is still written (the physician's user)
 *   when they have one.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const hub0300: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('physicians')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('family_name', 'text', (c) => c.notNull())
      .addColumn('given_names', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('name_key', 'text', (c) => c.notNull())
      .addColumn('aliases', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('identifier', 'text')
      .addColumn('specialty', 'text')
      .addColumn('user_id', 'text', (c) => c.references('users.id'))
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('physicians_by_name_key').on('physicians').columns(['account_id', 'name_key']).execute();
    await db.schema.createIndex('physicians_by_family_name').on('physicians').columns(['account_id', 'family_name']).execute();
    // A signed-in physician is one directory entry: "My cases" and "a physician sees studies they are on" need one answer.
    await sql`CREATE UNIQUE INDEX physicians_one_per_user ON physicians (user_id) WHERE user_id IS NOT NULL`.execute(db);

    await db.schema
      .createTable('physician_names')
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('name_key', 'text', (c) => c.notNull())
      .addColumn('physician_id', 'text', (c) => c.notNull().references('physicians.id'))
      .addPrimaryKeyConstraint('physician_names_pk', ['account_id', 'name_key', 'physician_id'])
      .execute();
    await db.schema.createIndex('physician_names_by_physician').on('physician_names').columns(['physician_id']).execute();

    await db.schema
      .createTable('study_physician_names')
      .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
      .addColumn('relation', 'text', (c) => c.notNull().check(sql`relation IN ('referring', 'reading')`))
      .addColumn('name_key', 'text', (c) => c.notNull())
      .addColumn('dicom_name', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('study_physician_names_pk', ['study_id', 'relation', 'name_key'])
      .execute();
    await db.schema.createIndex('study_physician_names_by_key').on('study_physician_names').columns(['account_id', 'name_key', 'study_id']).execute();

    await db.schema
      .createTable('study_physicians')
      .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
      .addColumn('physician_id', 'text', (c) => c.notNull().references('physicians.id'))
      .addColumn('relation', 'text', (c) => c.notNull().check(sql`relation IN ('referring', 'reading', 'associated')`))
      .addColumn('source', 'text', (c) => c.notNull().check(sql`source IN ('dicom', 'share', 'manual')`))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('on_behalf_of', 'text')
      .addPrimaryKeyConstraint('study_physicians_pk', ['study_id', 'physician_id', 'relation'])
      .execute();
    await db.schema.createIndex('study_physicians_by_physician').on('study_physicians').columns(['physician_id', 'study_id']).execute();

    await db.schema
      .createTable('physician_match_reviews')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
      .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
      .addColumn('relation', 'text', (c) => c.notNull().check(sql`relation IN ('referring', 'reading')`))
      .addColumn('dicom_name', 'text', (c) => c.notNull())
      .addColumn('name_key', 'text', (c) => c.notNull())
      .addColumn('candidate_ids', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('resolved_at', 'text')
      .addColumn('resolved_by', 'text')
      .addColumn('chosen_physician_id', 'text')
      .execute();
    // One open question per study, relation and name: a study published again does not ask twice.
    await sql`CREATE UNIQUE INDEX physician_match_reviews_one_open ON physician_match_reviews (study_id, relation, name_key) WHERE resolved_at IS NULL`.execute(db);
    await db.schema.createIndex('physician_match_reviews_by_site').on('physician_match_reviews').columns(['account_id', 'resolved_at', 'created_at']).execute();

    await db.schema
      .createTable('physician_delegates')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('physician_id', 'text', (c) => c.notNull().references('physicians.id'))
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
      .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('case-manager', 'external')`))
      .addColumn('assigned_by', 'text', (c) => c.notNull())
      .addColumn('assigned_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('physician_delegates_pk', ['user_id', 'physician_id'])
      .execute();
    await db.schema.createIndex('physician_delegates_by_physician').on('physician_delegates').columns(['physician_id']).execute();

    await db.schema
      .createTable('physician_relinks')
      .addColumn('physician_id', 'text', (c) => c.primaryKey().references('physicians.id'))
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('after_study_id', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('requested_at', 'text', (c) => c.notNull())
      .addColumn('finished_at', 'text')
      .execute();

    await db.schema.alterTable('audit_events').addColumn('on_behalf_of_physician', 'text').execute();
    await db.schema.alterTable('shares').addColumn('on_behalf_of_physician', 'text').execute();
  },
};
