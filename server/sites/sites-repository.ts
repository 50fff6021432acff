/**
 * Sites as the hub sees them (issue 14, parts 3–4): connection codes, whether a site takes
 * connection requests and its role for external users, the hub's operator and its one setting.
 * Functions take the database (or a transaction) first; routes only call them.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { parseShareCode, shareCodeFromBytes } from '../../shared/share-code';
import { recordAudit } from '../audit/audit-trail';
import type { HubDatabase } from '../db/schema';
import { HttpError } from '../http-error';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

/** A connection code no other site on the hub has (the share-code format: typed loosely, a check symbol). */
export async function uniqueConnectionCode(db: Db): Promise<string> {
  for (;;) {
    const code = shareCodeFromBytes(randomBytes(5));
    const taken = await db.selectFrom('accounts').select('id').where('connection_code', '=', code).executeTakeFirst();
    if (taken === undefined) return code;
  }
}

/**
 * The site a person means by what they typed: its connection code (case, dashes and look-alike
 * letters forgiven) or its exact name (case forgiven) — never a partial name, so site names are
 * not listed to whoever asks. Only sites that take requests; otherwise undefined, the same for a
 * site that does not exist and one that is closed.
 */
export async function findSiteForConnection(db: Db, typed: string): Promise<{ id: string; name: string } | undefined> {
  const parsed = parseShareCode(typed);
  if (parsed.ok) {
    const byCode = await db.selectFrom('accounts').select(['id', 'name']).where('connection_code', '=', parsed.code).where('accepts_connections', '=', 1).executeTakeFirst();
    if (byCode !== undefined) return byCode;
  }
  const named = await db
    .selectFrom('accounts')
    .select(['id', 'name'])
    .where((eb) => eb(eb.fn('lower', ['name']), '=', typed.trim().toLowerCase()))
    .where('accepts_connections', '=', 1)
    .orderBy('created_at')
    .limit(2)
    .execute();
  // Two sites of the same name: the name alone cannot say which; the code must.
  return named.length === 1 ? named[0] : undefined;
}

export async function connectionSettings(db: Db, accountId: string) {
  const row = await db.selectFrom('accounts').select(['connection_code', 'accepts_connections']).where('id', '=', accountId).executeTakeFirst();
  if (row === undefined) throw new HttpError(404, 'not-found', 'Your site no longer exists.');
  return { connectionCode: row.connection_code ?? '', acceptsConnections: row.accepts_connections === 1 };
}

export async function setConnectionSettings(
  db: Kysely<HubDatabase>,
  change: { readonly accountId: string; readonly acceptsConnections: boolean; readonly actorId: string; readonly at: Date },
) {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('accounts').set({ accepts_connections: change.acceptsConnections ? 1 : 0 }).where('id', '=', change.accountId).execute();
    await recordAudit(trx, {
      at: change.at.toISOString(),
      accountId: change.accountId,
      trail: 'account',
      actorId: change.actorId,
      action: 'site.settings',
      detail: { setting: 'connections', acceptsConnections: change.acceptsConnections },
    });
  });
  return connectionSettings(db, change.accountId);
}

export async function regenerateConnectionCode(db: Kysely<HubDatabase>, accountId: string) {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('accounts').set({ connection_code: await uniqueConnectionCode(trx) }).where('id', '=', accountId).execute();
  });
  return connectionSettings(db, accountId);
}

/** Whether the user runs this hub (may create sites and change the hub's settings). */
export async function isHubOperator(db: Db, userId: string): Promise<boolean> {
  const row = await db.selectFrom('users').select('hub_operator').where('id', '=', userId).where('active', '=', 1).executeTakeFirst();
  return row?.hub_operator === 1;
}

export async function hubSettings(db: Db): Promise<{ sitesMaySignUp: boolean }> {
  const row = await db.selectFrom('hub_settings').select('sites_may_sign_up').where('id', '=', 1).executeTakeFirst();
  return { sitesMaySignUp: row?.sites_may_sign_up === 1 };
}

export async function setHubSettings(db: Db, settings: { sitesMaySignUp: boolean }): Promise<{ sitesMaySignUp: boolean }> {
  await db.updateTable('hub_settings').set({ sites_may_sign_up: settings.sitesMaySignUp ? 1 : 0 }).where('id', '=', 1).execute();
  return hubSettings(db);
}
