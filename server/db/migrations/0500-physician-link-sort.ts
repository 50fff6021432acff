/**
 * One doctor's list in date order from an index (issue 14's figure: a case manager's "one
 * doctor" at 1M studies): each link in `study_physicians` carries a copy of its study's date and
 * private flag, indexed as (physician_id, study_private, study_date, study_id). A physician's
 * non-private studies are then walked newest first in that index, and only the page's study rows
 * are read — before, all of the doctor's ~370 studies were read (each a random row: 300–600 ms
 * cold) to sort them.
 *
 * The copies are kept by the database itself, so no write path can forget them: a link takes its
 * study's values when inserted, and a study's new date or flag reaches its links in the same
 * statement (triggers; PostgreSQL's in PL/pgSQL, SQLite's in its own syntax).
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { isPostgres } from '../dialect';

export const hub0500PhysicianLinkSort: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('study_physicians').addColumn('study_date', 'text', (c) => c.notNull().defaultTo('')).execute();
    await db.schema.alterTable('study_physicians').addColumn('study_private', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await sql`UPDATE study_physicians SET
      study_date = (SELECT s.study_date FROM studies s WHERE s.id = study_physicians.study_id),
      study_private = (SELECT s.private FROM studies s WHERE s.id = study_physicians.study_id)`.execute(db);
    await db.schema.createIndex('study_physicians_by_physician_date').on('study_physicians').columns(['physician_id', 'study_private', 'study_date', 'study_id']).execute();
    if (isPostgres(db)) {
      await sql`CREATE FUNCTION study_physicians_copy_study() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          SELECT s.study_date, s.private INTO NEW.study_date, NEW.study_private FROM studies s WHERE s.id = NEW.study_id;
          RETURN NEW;
        END $$`.execute(db);
      await sql`CREATE TRIGGER study_physicians_copy_study BEFORE INSERT OR UPDATE OF study_id ON study_physicians
        FOR EACH ROW EXECUTE FUNCTION study_physicians_copy_study()`.execute(db);
      await sql`CREATE FUNCTION studies_copy_to_links() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE study_physicians SET study_date = NEW.study_date, study_private = NEW.private WHERE study_id = NEW.id;
          RETURN NULL;
        END $$`.execute(db);
      await sql`CREATE TRIGGER studies_copy_to_links AFTER UPDATE OF study_date, private ON studies
        FOR EACH ROW WHEN (OLD.study_date IS DISTINCT FROM NEW.study_date OR OLD.private IS DISTINCT FROM NEW.private)
        EXECUTE FUNCTION studies_copy_to_links()`.execute(db);
    } else {
      await sql`CREATE TRIGGER study_physicians_copy_study AFTER INSERT ON study_physicians BEGIN
        UPDATE study_physicians SET
          study_date = (SELECT s.study_date FROM studies s WHERE s.id = NEW.study_id),
          study_private = (SELECT s.private FROM studies s WHERE s.id = NEW.study_id)
        WHERE study_id = NEW.study_id AND physician_id = NEW.physician_id AND relation = NEW.relation;
      END`.execute(db);
      await sql`CREATE TRIGGER studies_copy_to_links AFTER UPDATE OF study_date, private ON studies
        WHEN OLD.study_date IS NOT NEW.study_date OR OLD.private IS NOT NEW.private BEGIN
        UPDATE study_physicians SET study_date = NEW.study_date, study_private = NEW.private WHERE study_id = NEW.id;
      END`.execute(db);
    }
  },
  async down(db: Kysely<unknown>) {
    if (isPostgres(db)) {
      await sql`DROP TRIGGER studies_copy_to_links ON studies`.execute(db);
      await sql`DROP FUNCTION studies_copy_to_links()`.execute(db);
      await sql`DROP TRIGGER study_physicians_copy_study ON study_physicians`.execute(db);
      await sql`DROP FUNCTION study_physicians_copy_study()`.execute(db);
    } else {
      await sql`DROP TRIGGER studies_copy_to_links`.execute(db);
      await sql`DROP TRIGGER study_physicians_copy_study`.execute(db);
    }
    await db.schema.dropIndex('study_physicians_by_physician_date').execute();
    await db.schema.alterTable('study_physicians').dropColumn('study_private').execute();
    await db.schema.alterTable('study_physicians').dropColumn('study_date').execute();
  },
};
