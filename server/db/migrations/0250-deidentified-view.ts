/**
 * The de-identified view of department studies (issue 13, item 1; visibility rule 14):
 * `accounts.deidentified_department` (1: under 'participated', members see their department
 * colleagues' studies de-identified; every existing site keeps 0) and `hub_secrets`, the hub's
 * own keys by name — here the key of the de-identification's keyed hashes (pseudonyms and UIDs),
 * made on first use by server/deidentify/deidentify-key.ts and never sent anywhere.
 */
import type { Kysely, Migration } from 'kysely';

export const hub0250DeidentifiedView: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('accounts').addColumn('deidentified_department', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema
      .createTable('hub_secrets')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
};
