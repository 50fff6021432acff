/**
 * The hub's schema migrations, run by Kysely's Migrator (which records them in its own table and
 * works the same on SQLite and PostgreSQL). Numbered in steps of 10 like the desktop's.
 */
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { isPostgres } from './dialect';
import type { HubDatabase } from './schema';
import { indexStudySearch, searchColumns } from '../studies/study-search-index';
import { hub0230WithdrawnChanges } from './migrations/0230-withdrawn-changes';
import { hub0240DownloadPolicy } from './migrations/0240-download-policy';
import { hub0250DeidentifiedView } from './migrations/0250-deidentified-view';
import { hub0260PolicyGeneration } from './migrations/0260-policy-generation';
import { hub0300 } from './migrations/0300-physicians';
import { hub0330SiteConnections } from './migrations/0330-site-connections';
import { hub0400Comments } from './migrations/0400-comments';
import { hub0430Notifications } from './migrations/0430-notifications';
import { hub0440ConnectionRoles } from './migrations/0440-connection-roles';
import { hub0500PhysicianLinkSort } from './migrations/0500-physician-link-sort';
import { hub0510RelinkGeneration } from './migrations/0510-relink-generation';

/**
 * A table's sequence column (changes, guest_access, audit_events, mails), the one place the two
 * engines need different DDL: SQLite keeps `INTEGER PRIMARY KEY AUTOINCREMENT` (the schema of
 * existing hub files stays as it was), PostgreSQL gets an identity column (it has no
 * AUTOINCREMENT). Both hand out increasing numbers that are never reused.
 */
function createSequencedTable(db: Kysely<unknown>, table: string) {
  const builder = db.schema.createTable(table);
  return isPostgres(db) ? builder.addColumn('seq', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity()) : builder.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement());
}

const hub0010: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('accounts').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('name', 'text', (c) => c.notNull()).addColumn('created_at', 'text', (c) => c.notNull()).execute();
    await db.schema
      .createTable('roles')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('permissions', 'text', (c) => c.notNull())
      .addColumn('built_in', 'integer', (c) => c.notNull().defaultTo(0))
      .addUniqueConstraint('roles_name_unique', ['account_id', 'name'])
      .execute();
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.references('accounts.id'))
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('role_id', 'text', (c) => c.references('roles.id'))
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('sessions')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    for (const table of ['locations', 'groups'] as const) {
      let builder = db.schema
        .createTable(table)
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('name', 'text', (c) => c.notNull());
      if (table === 'groups') builder = builder.addColumn('department', 'integer', (c) => c.notNull().defaultTo(0));
      await builder.execute();
      await db.schema
        .createTable(`${table === 'locations' ? 'location' : 'group'}_members`)
        .addColumn('owner_id', 'text', (c) => c.notNull().references(`${table}.id`))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addPrimaryKeyConstraint(`${table}_members_pk`, ['owner_id', 'user_id'])
        .execute();
    }
    await db.schema
      .createTable('worklists')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('location', 'group', 'personal')`))
      .addColumn('owner_id', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text', (c) => c.references('accounts.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('share_code', 'text', (c) => c.notNull().unique())
      .addUniqueConstraint('worklists_owner_unique', ['kind', 'owner_id'])
      .execute();
  },
};

const hub0020: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('studies')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
      .addColumn('study_uid', 'text', (c) => c.notNull())
      .addColumn('uploader_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('private', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('studies_account_uid', ['account_id', 'study_uid'])
      .execute();
    await db.schema
      .createTable('shares')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
      .addColumn('worklist_id', 'text', (c) => c.references('worklists.id'))
      .addColumn('user_id', 'text', (c) => c.references('users.id'))
      .addColumn('shared_by', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('removed_at', 'text')
      .addColumn('removed_by', 'text', (c) => c.references('users.id'))
      .addCheckConstraint('shares_one_target', sql`(worklist_id IS NULL) <> (user_id IS NULL)`)
      .execute();
    await db.schema.createIndex('shares_by_study').on('shares').column('study_id').execute();
    // Idempotency: each client operation id is applied once; a replay gets the stored result.
    await db.schema
      .createTable('operations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('result', 'text', (c) => c.notNull())
      .addColumn('applied_at', 'text', (c) => c.notNull())
      .execute();
    // The change feed clients pull by cursor: one row per change to a study or its shares.
    await createSequencedTable(db, 'changes')
      .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
      .addColumn('at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('study_files')
      .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
      .addColumn('sop_instance_uid', 'text', (c) => c.notNull())
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('blob', 'text', (c) => c.notNull())
      .addColumn('uploaded_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('study_files_pk', ['study_id', 'sop_instance_uid'])
      .execute();
  },
};

/** Worklist pages look shares up by target: index them so, live ones first. */
const hub0030: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('shares_by_worklist').on('shares').columns(['worklist_id', 'removed_at', 'study_id']).execute();
    await db.schema.createIndex('shares_by_user').on('shares').columns(['user_id', 'removed_at', 'study_id']).execute();
  },
};

/** Guest links: only a hash of each token, the PIN as a scrypt hash, and every access recorded. */
const hub0040: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('guest_links')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
      .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('study_ids', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('max_uses', 'integer')
      .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('pin_kind', 'text', (c) => c.notNull().check(sql`pin_kind in ('none', 'pin', 'birth-date')`))
      .addColumn('pin_hash', 'text')
      .addColumn('max_attempts', 'integer', (c) => c.notNull())
      .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('locked_at', 'text')
      .addColumn('allow_download', 'integer', (c) => c.notNull())
      .addColumn('include_priors', 'integer', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('revoked_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_access_at', 'text')
      .execute();
    await createSequencedTable(db, 'guest_access')
      .addColumn('link_id', 'text', (c) => c.notNull().references('guest_links.id'))
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .execute();
  },
};

/** Where each uploaded instance belongs (read from its header), and guests' viewing sessions. */
const hub0050: Migration = {
  async up(db: Kysely<unknown>) {
    for (const [column, type] of [
      ['series_uid', 'text'],
      ['series_number', 'integer'],
      ['series_description', 'text'],
      ['modality', 'text'],
      ['instance_number', 'integer'],
    ] as const) {
      await db.schema.alterTable('study_files').addColumn(column, type).execute();
    }
    await db.schema
      .createTable('guest_sessions')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('link_id', 'text', (c) => c.notNull().references('guest_links.id'))
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
  },
};

/**
 * Sharing by email and the audit trail. An invitation names a user row created inactive for the
 * address (so a share can point at a person from the start and the shares table keeps its one
 * target); registering activates it. Outgoing mail is queued in the same transaction as what
 * caused it and sent after commit, so a mail server that is down loses no invitation.
 */
const hub0060: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('shares').addColumn('external', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema
      .createTable('invitations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
      .addColumn('invited_by', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('accepted_at', 'text')
      .execute();
    await db.schema.createIndex('invitations_by_user').on('invitations').column('user_id').execute();
    await createSequencedTable(db, 'audit_events')
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
      .addColumn('study_id', 'text', (c) => c.references('studies.id'))
      .addColumn('share_id', 'text')
      .addColumn('trail', 'text', (c) => c.notNull().check(sql`trail in ('study', 'share', 'account')`))
      .addColumn('actor_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('on_behalf_of', 'text', (c) => c.references('users.id'))
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('detail', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audit_by_account').on('audit_events').columns(['account_id', 'seq']).execute();
    await db.schema.createIndex('audit_by_study').on('audit_events').columns(['study_id', 'seq']).execute();
    await db.schema.createIndex('audit_by_share').on('audit_events').columns(['share_id', 'seq']).execute();
    await createSequencedTable(db, 'mails')
      .addColumn('to_address', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('sent_at', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .execute();
  },
};

/**
 * Password resets: a link by mail that works once, for an hour. Only the token's SHA-256 is kept
 * (as for sessions and invitations), so a copy of the database resets no password. Requests are
 * counted per user and hour from this table, so every hub process sharing the database shares
 * the limit.
 */
const hub0070: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('password_resets')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .execute();
    await db.schema.createIndex('password_resets_by_user').on('password_resets').columns(['user_id', 'created_at']).execute();
  },
};

/**
 * Hub lists at scale. The summary's sortable and searchable fields move out of the JSON into
 * real columns, each with a (column, id) index for sorting and keyset paging (text columns in
 * byte order on PostgreSQL, collation "C", as on SQLite, so both engines and the local index
 * sort alike); searched words go to `study_terms` (a prefix is a range on its btree index) and
 * modalities to `study_modalities`; a guest link's studies to `guest_link_studies` instead of a
 * JSON list that had to be scanned.
 */
/**
 * Several hub processes on one database share the mail queue: a process claims a message (a
 * conditional UPDATE that only one of them can win) before sending it, so each is sent once. A
 * claim older than a few minutes is taken over (its process died mid-send).
 */
const hub0080: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('mails').addColumn('claimed_by', 'text').execute();
    await db.schema.alterTable('mails').addColumn('claimed_at', 'text').execute();
  },
};

const hub0090: Migration = {
  async up(db: Kysely<unknown>) {
    const text = isPostgres(db) ? sql`text collate "C"` : sql`text`;
    for (const column of ['patient_name', 'patient_name_key', 'patient_id', 'patient_birth_date', 'study_date', 'accession_number', 'study_description', 'modalities']) {
      await db.schema.alterTable('studies').addColumn(column, text, (c) => c.notNull().defaultTo('')).execute();
    }
    for (const column of ['series_count', 'instance_count']) {
      await db.schema.alterTable('studies').addColumn(column, 'integer', (c) => c.notNull().defaultTo(0)).execute();
    }
    await db.schema
      .createTable('study_terms')
      .addColumn('term', text, (c) => c.notNull())
      .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
      .addPrimaryKeyConstraint('study_terms_pk', ['term', 'study_id'])
      .execute();
    await db.schema.createIndex('study_terms_by_study').on('study_terms').columns(['study_id', 'term']).execute();
    await db.schema
      .createTable('study_modalities')
      .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
      .addColumn('modality', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('study_modalities_pk', ['study_id', 'modality'])
      .execute();
    await db.schema.createIndex('study_modalities_by_modality').on('study_modalities').columns(['modality', 'study_id']).execute();
    await db.schema
      .createTable('guest_link_studies')
      .addColumn('link_id', 'text', (c) => c.notNull().references('guest_links.id'))
      .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
      .addPrimaryKeyConstraint('guest_link_studies_pk', ['link_id', 'study_id'])
      .execute();
    await db.schema.createIndex('guest_link_studies_by_study').on('guest_link_studies').columns(['study_id', 'link_id']).execute();

    // Fill them from what is already there (before the indexes, which is faster).
    const hub = db as unknown as Kysely<HubDatabase>;
    for (const study of await hub.selectFrom('studies').select(['id', 'summary']).execute()) {
      const summary = JSON.parse(study.summary) as Parameters<typeof searchColumns>[0];
      await hub.updateTable('studies').set(searchColumns(summary)).where('id', '=', study.id).execute();
      await indexStudySearch(hub, study.id, summary);
    }
    for (const link of await hub.selectFrom('guest_links').select(['id', 'study_ids']).execute()) {
      const studyIds = [...new Set(JSON.parse(link.study_ids) as string[])];
      if (studyIds.length > 0) await hub.insertInto('guest_link_studies').values(studyIds.map((study_id) => ({ link_id: link.id, study_id }))).execute();
    }

    for (const [name, column] of [
      ['name', 'patient_name_key'],
      ['patient_id', 'patient_id'],
      ['birth_date', 'patient_birth_date'],
      ['date', 'study_date'],
      ['modalities', 'modalities'],
      ['description', 'study_description'],
      ['accession', 'accession_number'],
      ['series_count', 'series_count'],
      ['instance_count', 'instance_count'],
    ]) {
      await db.schema.createIndex(`studies_by_${name}`).on('studies').columns([column, 'id']).execute();
    }
    // Visibility: a viewer's own uploads and their department peers' (rules 2 and 3).
    await db.schema.createIndex('studies_by_uploader').on('studies').columns(['uploader_id', 'id']).execute();
  },
};

/**
 * Hub lists per site. A site member (or an admin, or someone acting for physicians of several
 * sites) sees a whole site's non-private studies: the list walks, for each such site, an
 * (account_id, private, column, id) index, which holds that site's studies already in sort order,
 * so a first page reads about a page of rows per site however big the hub is (before, the
 * (column, id) index was walked across every site and most rows were skipped: at a million
 * studies over 20 sites, 19 of 20; with a search word on top, far more).
 */
const hub0110: Migration = {
  async up(db: Kysely<unknown>) {
    for (const [name, column] of SORT_INDEX_COLUMNS) {
      await db.schema.createIndex(`studies_by_site_${name}`).on('studies').columns(['account_id', 'private', column, 'id']).execute();
    }
  },
};

/**
 * A list's part outside whole sites reads uploads by the viewer and their peers that lie outside
 * those sites (or are private): with account_id and private in the index, from the index alone.
 */
const hub0120: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('studies_by_uploader_site').on('studies').columns(['uploader_id', 'account_id', 'private', 'id']).execute();
  },
};

/**
 * Each share carries its study's site (a study never changes site), so that lists can leave out,
 * from the share index alone, shares of studies a whole-site part already gives: a case manager
 * acting for physicians of 20 sites reaches 13,000 studies through their shares, nearly all inside
 * those sites, and probing each study to learn its site took 100–150 ms at a million studies.
 * The share indexes become covering for the lookups lists make: by target (with the study's site)
 * and by study (with what the visibility test reads), so neither reads the table.
 */
const hub0130: Migration = {
  async up(db: Kysely<unknown>) {
    // '' until filled: never a site, so a row missed here is only never pruned (lists still test it).
    await db.schema.alterTable('shares').addColumn('study_account_id', 'text', (c) => c.notNull().defaultTo('')).execute();
    await sql`UPDATE shares SET study_account_id = (SELECT st.account_id FROM studies st WHERE st.id = shares.study_id)`.execute(db);
    for (const name of ['shares_by_study', 'shares_by_worklist', 'shares_by_user']) await db.schema.dropIndex(name).execute();
    await db.schema.createIndex('shares_by_study').on('shares').columns(['study_id', 'removed_at', 'user_id', 'worklist_id']).execute();
    await db.schema.createIndex('shares_by_worklist').on('shares').columns(['worklist_id', 'removed_at', 'study_account_id', 'study_id']).execute();
    await db.schema.createIndex('shares_by_user').on('shares').columns(['user_id', 'removed_at', 'study_account_id', 'study_id']).execute();
  },
};

/**
 * Sign-in hardening (issue 18). `rate_limits`: the per-address counters of @fastify/rate-limit
 * (server/http/throttle.ts), one row per (group, address) with its window's end, so every hub
 * process on one database counts the same hits. `sign_in_failures`: wrong passwords per address
 * signed in with (known or not, so the answers tell nobody which exist), for back-off and lock.
 * `sessions.last_seen_at`: when a session was last used, for the idle timeout.
 */
const hub0150: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('rate_limits')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('hits', 'integer', (c) => c.notNull())
      .addColumn('resets_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('rate_limits_by_reset').on('rate_limits').column('resets_at').execute();
    await db.schema
      .createTable('sign_in_failures')
      .addColumn('email', 'text', (c) => c.primaryKey())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('last_failure_at', 'text', (c) => c.notNull())
      .addColumn('locked_at', 'text')
      .execute();
    await db.schema.alterTable('sessions').addColumn('last_seen_at', 'text', (c) => c.notNull().defaultTo('')).execute();
    await sql`UPDATE sessions SET last_seen_at = created_at`.execute(db);
  },
};

/**
 * The workstation lock time as a site's policy (issue 18, item 13): how many minutes without
 * activity before a desktop where one of the site's users is signed in locks itself. Hospital
 * policies ask for 15 at most, so that is the default every existing site gets; the bounds are
 * a constraint in the database as well as the route's schema.
 */
const hub0160: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('accounts')
      .addColumn('workstation_lock_minutes', 'integer', (c) => c.notNull().defaultTo(15).check(sql`workstation_lock_minutes BETWEEN 1 AND 240`))
      .execute();
  },
};

/**
 * One live share per study and target, enforced by the database (issue 19, item 6): the share
 * operation read, then inserted, so two requests — or two hub processes — could both find none
 * and both insert. Live duplicates already there are closed first (the earliest share of each
 * pair stays), so the unique indexes can be built on any existing hub.
 */
const hub0170: Migration = {
  async up(db: Kysely<unknown>) {
    const at = new Date().toISOString();
    for (const target of ['worklist_id', 'user_id'] as const) {
      const column = sql.ref(target);
      await sql`UPDATE shares SET removed_at = ${at}
        WHERE removed_at IS NULL AND ${column} IS NOT NULL AND EXISTS (
          SELECT 1 FROM shares k WHERE k.removed_at IS NULL AND k.study_id = shares.study_id AND ${sql.ref(`k.${target}`)} = ${sql.ref(`shares.${target}`)}
            AND (k.created_at < shares.created_at OR (k.created_at = shares.created_at AND k.id < shares.id)))`.execute(db);
      await sql`CREATE UNIQUE INDEX ${sql.id(`shares_one_live_per_${target === 'worklist_id' ? 'worklist' : 'user'}`)} ON shares (study_id, ${column}) WHERE removed_at IS NULL AND ${column} IS NOT NULL`.execute(db);
    }
  },
};

/**
 * Sync that never loses a file (issue 19): resumable uploads (`upload_sessions`, whose chunks
 * are blobs listed in `upload_chunks`), a row the hub writes at start to prove its database
 * takes writes (`hub_write_checks`), and on PostgreSQL 64-bit file sizes (an instance may be up
 * to 4 GiB; `integer` stopped at 2 GiB there — SQLite's integers are 64-bit already).
 */
const hub0180: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('upload_sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
      .addColumn('sop_instance_uid', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('correction', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('received', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      // One open upload per person, instance and bytes: opening it again finds it (resume).
      .addUniqueConstraint('upload_sessions_one_open', ['study_id', 'sop_instance_uid', 'user_id', 'sha256'])
      .execute();
    await db.schema.createIndex('upload_sessions_by_age').on('upload_sessions').columns(['updated_at']).execute();
    await db.schema
      .createTable('upload_chunks')
      .addColumn('upload_id', 'text', (c) => c.notNull().references('upload_sessions.id').onDelete('cascade'))
      .addColumn('start', 'bigint', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('blob', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('upload_chunks_pk', ['upload_id', 'start'])
      .execute();
    await db.schema.createTable('hub_write_checks').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('checked_at', 'text', (c) => c.notNull()).execute();
    if (isPostgres(db)) await sql`ALTER TABLE study_files ALTER COLUMN size TYPE bigint`.execute(db);
  },
};

/**
 * The site's viewing policy (issue 13): what its members see beyond what reaches them
 * (shared/permissions/site-policy.ts). Every existing site keeps today's behaviour ('site'), and
 * its uploaders keep marking their studies private. `whole_site_grants`: the people and roles who
 * see the whole site whatever the policy. The built-in roles of existing sites gain the new keys
 * a new site's get (admin.policy for Admin; collections.create for Admin, Radiologist, Physician).
 */
const hub0200: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('accounts')
      .addColumn('viewing_policy', 'text', (c) => c.notNull().defaultTo('site').check(sql`viewing_policy IN ('participated', 'department', 'site')`))
      .execute();
    await db.schema
      .alterTable('accounts')
      .addColumn('uploader_marks_private', 'integer', (c) => c.notNull().defaultTo(1).check(sql`uploader_marks_private IN (0, 1)`))
      .execute();
    await db.schema
      .createTable('whole_site_grants')
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
      .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('user', 'role')`))
      .addColumn('subject_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('whole_site_grants_pk', ['account_id', 'kind', 'subject_id'])
      .execute();
    const added: Record<string, readonly string[]> = { Admin: ['admin.policy', 'collections.create'], Radiologist: ['collections.create'], Physician: ['collections.create'] };
    const roles = await sql<{ id: string; name: string; permissions: string }>`SELECT id, name, permissions FROM roles WHERE built_in = 1`.execute(db);
    for (const role of roles.rows) {
      const extra = added[role.name];
      if (extra === undefined) continue;
      const keys = JSON.parse(role.permissions) as string[];
      const next = [...keys, ...extra.filter((key) => !keys.includes(key))];
      await sql`UPDATE roles SET permissions = ${JSON.stringify(next)} WHERE id = ${role.id}`.execute(db);
    }
  },
};

/**
 * Collections (issue 13): named lists of study references with members (users or groups), each
 * holding rights (shared/permissions/collections.ts). A deleted collection keeps its row (a late
 * add is refused with "was deleted"); a study taken out keeps its row with `removed_at`, so the
 * change feed can tell the members it left them. Indexes: a study's collections (visibility's
 * EXISTS), a collection's studies (its list), a member's collections (their facts).
 */
const hub0210: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('collections')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.references('accounts.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('deleted_at', 'text')
      .execute();
    await db.schema
      .createTable('collection_members')
      .addColumn('collection_id', 'text', (c) => c.notNull().references('collections.id'))
      .addColumn('member_kind', 'text', (c) => c.notNull().check(sql`member_kind IN ('user', 'group')`))
      .addColumn('member_id', 'text', (c) => c.notNull())
      .addColumn('rights', 'text', (c) => c.notNull())
      .addColumn('added_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('collection_members_pk', ['collection_id', 'member_kind', 'member_id'])
      .execute();
    await db.schema.createIndex('collection_members_by_member').on('collection_members').columns(['member_kind', 'member_id', 'collection_id']).execute();
    await db.schema
      .createTable('collection_studies')
      .addColumn('collection_id', 'text', (c) => c.notNull().references('collections.id'))
      .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
      .addColumn('series_uids', 'text')
      .addColumn('added_by', 'text', (c) => c.notNull())
      .addColumn('added_at', 'text', (c) => c.notNull())
      .addColumn('removed_at', 'text')
      .addPrimaryKeyConstraint('collection_studies_pk', ['collection_id', 'study_id'])
      .execute();
    await db.schema.createIndex('collection_studies_by_study').on('collection_studies').columns(['study_id', 'removed_at', 'collection_id']).execute();
    await db.schema.createIndex('collection_studies_by_collection').on('collection_studies').columns(['collection_id', 'removed_at', 'study_id']).execute();
  },
};

/**
 * Access requests (issue 13): someone who reached a study they cannot see asks its owner; the
 * owner or the site's admins approve (a direct share to the requester is made, removable like any
 * other) or deny. At most one undecided request per study and requester (a partial unique index).
 */
const hub0220: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('access_requests')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
      .addColumn('requester_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('decision', 'text', (c) => c.check(sql`decision IN ('approved', 'denied')`))
      .addColumn('decided_by', 'text')
      .addColumn('decided_at', 'text')
      .addColumn('share_id', 'text')
      .execute();
    await sql`CREATE UNIQUE INDEX access_requests_one_open ON access_requests (study_id, requester_id) WHERE decision IS NULL`.execute(db);
    await db.schema.createIndex('access_requests_by_requester').on('access_requests').columns(['requester_id', 'created_at']).execute();
    await db.schema.createIndex('access_requests_by_study').on('access_requests').columns(['study_id', 'decision']).execute();
  },
};

/**
 * One open invitation per invited person, enforced by the database (issue 19, item 6): a new
 * link replaces an expired one (marked superseded) rather than adding a second, so two email
 * shares racing for the same address cannot both mail a registration link. Existing doubles are
 * closed first (the newest stays open).
 */
const hub0190: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('invitations').addColumn('superseded_at', 'text').execute();
    const at = new Date().toISOString();
    await sql`UPDATE invitations SET superseded_at = ${at}
      WHERE accepted_at IS NULL AND EXISTS (
        SELECT 1 FROM invitations newer WHERE newer.user_id = invitations.user_id AND newer.accepted_at IS NULL
          AND (newer.created_at > invitations.created_at OR (newer.created_at = invitations.created_at AND newer.id > invitations.id)))`.execute(db);
    await sql`CREATE UNIQUE INDEX invitations_one_open_per_user ON invitations (user_id) WHERE accepted_at IS NULL AND superseded_at IS NULL`.execute(db);
  },
};

/** The (name, column) of each sortable column's indexes: `studies_by_<name>` (0090) and `studies_by_site_<name>` (0110). */
export const SORT_INDEX_COLUMNS = [
  ['name', 'patient_name_key'],
  ['patient_id', 'patient_id'],
  ['birth_date', 'patient_birth_date'],
  ['date', 'study_date'],
  ['modalities', 'modalities'],
  ['description', 'study_description'],
  ['accession', 'accession_number'],
  ['series_count', 'series_count'],
  ['instance_count', 'instance_count'],
] as const;

export const hubMigrations: MigrationProvider = {
  getMigrations: async () => ({
    '0010-accounts-users-worklists': hub0010,
    '0020-studies-shares-operations': hub0020,
    '0030-share-target-indexes': hub0030,
    '0040-guest-links': hub0040,
    '0050-file-series-guest-sessions': hub0050,
    '0060-invitations-audit-mail': hub0060,
    '0070-password-resets': hub0070,
    '0080-mail-claims': hub0080,
    '0090-study-columns-terms-guest-link-studies': hub0090,
    '0110-site-sort-indexes': hub0110,
    '0120-uploader-site-index': hub0120,
    '0130-share-study-site': hub0130,
    '0150-sign-in-throttle-session-idle': hub0150,
    '0160-site-workstation-lock-minutes': hub0160,
    '0170-one-live-share': hub0170,
    '0180-resumable-uploads-write-check': hub0180,
    '0190-one-open-invitation': hub0190,
    '0200-site-viewing-policy': hub0200,
    '0210-collections': hub0210,
    '0220-access-requests': hub0220,
    '0230-withdrawn-changes': hub0230WithdrawnChanges,
    '0240-download-policy': hub0240DownloadPolicy,
    '0250-deidentified-view': hub0250DeidentifiedView,
    '0260-policy-generation': hub0260PolicyGeneration,
    '0300-physicians': hub0300,
    '0330-site-connections': hub0330SiteConnections,
    '0400-comments': hub0400Comments,
    '0430-notifications': hub0430Notifications,
    '0440-connection-roles': hub0440ConnectionRoles,
    '0500-physician-link-sort': hub0500PhysicianLinkSort,
    '0510-relink-generation': hub0510RelinkGeneration,
  }),
};
