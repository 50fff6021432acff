import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHub, redactPath } from './app';
import { hashPassword } from './auth/password';
import { hashToken } from './auth/sessions';
import { hubMigrations } from './db/migrations';
import { HUB_ENGINES, testHubDatabase, type TestHubDatabase } from './test-support/test-database';
import type { HubDatabase } from './db/schema';
import { addUser, createAccount } from './accounts/accounts-repository';
import { NO_PASSWORD } from './sharing/email-recipient';
import { eventually } from './test-support/eventually';


const OLD_PASSWORD = 'the old password';
const NEW_PASSWORD = 'a brand new password';

describe.each(HUB_ENGINES)('hub: forgot password (%s)', (engine) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-hub-reset-'));
  const dropDir = path.join(dir, 'mail-drop');
  let db: Kysely<HubDatabase>;
  let hubDatabase: TestHubDatabase;
  let hub: FastifyInstance;
  /** The same database behind a hub that was given no public address, logging to `logged`. */
  let bareHub: FastifyInstance;
  const logged: string[] = [];
  let clock = new Date('2030-05-06T09:00:00Z');
  let accountId = '';

  const later = (minutes: number) => {
    clock = new Date(clock.getTime() + minutes * 60_000);
  };
  const form = (fields: Record<string, string>) => ({ payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const ask = (email: string, on = hub) => on.inject({ method: 'POST', url: '/api/password-resets', payload: { email } });
  const signIn = (email: string, password: string) => hub.inject({ method: 'POST', url: '/api/sessions', payload: { email, password } });
  const setPassword = (token: string, password: string, confirm = password) => hub.inject({ method: 'POST', url: `/reset-password/${token}`, ...form({ password, confirm }) });
  const mailsIn = (address: string) =>
    existsSync(dropDir)
      ? readdirSync(dropDir)
          .map((name) => readFileSync(path.join(dropDir, name), 'utf8').replace(/=\r?\n/g, ''))
          .filter((mail) => mail.includes(`To: ${address}`))
      : [];
  /** Queued mail is the truth for "no mail": it is written in the request's transaction, before the answer. */
  const queuedFor = async (address: string) => (await db.selectFrom('mails').select('seq').where('to_address', '=', address).execute()).length;
  const seen = new Set<string>();
  const tokensIn = (mails: string[]) => mails.map((mail) => /https:\/\/hub\.example\.org\/reset-password\/([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/.exec(mail)?.[1] ?? 'no link');
  /** The token of the one reset link newly mailed to the address (waits for the mail sent after commit). */
  const linkFor = async (address: string) => {
    const mails = await eventually(() => mailsIn(address), (found) => tokensIn(found).some((token) => !seen.has(token)));
    const fresh = tokensIn(mails).filter((token) => !seen.has(token));
    expect(fresh).toHaveLength(1);
    expect(fresh[0]).not.toBe('no link');
    seen.add(fresh[0]);
    return fresh[0];
  };
  const person = async (email: string) => {
    const user = await db.transaction().execute(async (trx) => addUser(trx, accountId, { name: email, email, passwordHash: await hashPassword(OLD_PASSWORD), role: 'Physician' }, clock));
    return user.id;
  };

  beforeAll(async () => {
    hubDatabase = await testHubDatabase(engine);
    db = hubDatabase.db;
    hub = buildHub({ db, blobDir: path.join(dir, 'blobs'), mail: { dropDir }, publicUrl: 'https://hub.example.org', now: () => clock });
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => logged.push(chunk.toString('utf8')));
    bareHub = buildHub({ db, blobDir: path.join(dir, 'blobs'), mail: { dropDir }, now: () => clock, logger: { stream } });
    await Promise.all([hub.ready(), bareHub.ready()]);
    const site = await db.transaction().execute(async (trx) => createAccount(trx, 'Site', { name: 'Admin', email: 'admin@site.example', passwordHash: await hashPassword(OLD_PASSWORD) }, clock));
    accountId = site.account.id;
  });

  afterAll(async () => {
    await hub.close();
    await bareHub.close();
    await hubDatabase.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('mails a link on the public address; it sets a new password once, and ends the old password and every session', async () => {
    await person('alice@site.example');
    const session = (await signIn('alice@site.example', OLD_PASSWORD)).json().token;
    const asked = await ask('  Alice@Site.example ');
    expect(asked.statusCode).toBe(202);
    expect(asked.json()).toEqual({ sent: true });

    const [mail] = await eventually(() => mailsIn('alice@site.example'), (found) => found.length === 1);
    expect(mail).toContain('Subject: Reset your Studyshare password');
    expect(mail).toContain('works once, for one hour');
    const token = await linkFor('alice@site.example');

    const shown = await hub.inject({ method: 'GET', url: `/reset-password/${token}` });
    expect(shown.statusCode).toBe(200);
    expect(shown.headers['content-security-policy']).toContain("default-src 'none'");
    expect(shown.headers['referrer-policy']).toBe('no-referrer');
    expect(shown.body).toContain('alice@site.example');
    expect(shown.body).toContain('name="confirm"');

    // A form that is not right is shown again with the reason, and the link still works.
    const short = await setPassword(token, 'too short');
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('at least 10 characters');
    expect(short.body).toContain('<form method="post">');
    const mismatch = await setPassword(token, NEW_PASSWORD, 'another long password');
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.body).toContain('The two passwords are not the same.');

    const done = await setPassword(token, NEW_PASSWORD);
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Your password is changed');
    expect(done.body).toContain('https://hub.example.org');

    expect((await signIn('alice@site.example', NEW_PASSWORD)).statusCode).toBe(201);
    expect((await signIn('alice@site.example', OLD_PASSWORD)).statusCode).toBe(401);
    expect((await hub.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${session}` } })).statusCode).toBe(401);

    // Once only.
    const again = await setPassword(token, 'yet another long password');
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('href="/reset-password"');
    expect((await hub.inject({ method: 'GET', url: `/reset-password/${token}` })).statusCode).toBe(410);
    expect((await signIn('alice@site.example', NEW_PASSWORD)).statusCode).toBe(201);
  });

  it('lets only one of two racing submits of the same link through', async () => {
    await person('racer@site.example');
    await ask('racer@site.example');
    const token = await linkFor('racer@site.example');
    const answers = await Promise.all([setPassword(token, 'first racing password'), setPassword(token, 'second racing password')]);
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 410]);
    const won = answers[0].statusCode === 200 ? 'first racing password' : 'second racing password';
    expect((await signIn('racer@site.example', won)).statusCode).toBe(201);
  });

  it('expires a link after one hour, and a used link voids the user’s other ones', async () => {
    await person('bob@site.example');
    await ask('bob@site.example');
    const first = await linkFor('bob@site.example');
    later(59);
    expect((await hub.inject({ method: 'GET', url: `/reset-password/${first}` })).statusCode).toBe(200);
    later(2);
    const expired = await hub.inject({ method: 'GET', url: `/reset-password/${first}` });
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('has expired');
    expect((await setPassword(first, NEW_PASSWORD)).statusCode).toBe(410);
    expect((await signIn('bob@site.example', OLD_PASSWORD)).statusCode).toBe(201);

    await ask('bob@site.example');
    const second = await linkFor('bob@site.example');
    await ask('bob@site.example');
    const third = await linkFor('bob@site.example');
    expect(new Set([first, second, third]).size).toBe(3);
    expect((await setPassword(third, NEW_PASSWORD)).statusCode).toBe(200);
    expect((await hub.inject({ method: 'GET', url: `/reset-password/${second}` })).statusCode).toBe(410);
  });

  it('answers an unknown address exactly as a known one, and mails nothing', async () => {
    await person('known@site.example');
    const known = await ask('known@site.example');
    const unknown = await ask('nobody@site.example');
    expect([unknown.statusCode, unknown.body]).toEqual([known.statusCode, known.body]);
    expect(await queuedFor('nobody@site.example')).toBe(0);
    expect(await queuedFor('known@site.example')).toBe(1);
    expect((await hub.inject({ method: 'GET', url: '/reset-password/not-a-real-token' })).statusCode).toBe(410);
    // What is not an address at all is a bad request, which says nothing about accounts.
    const bad = await ask('not an address');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid-input');
  });

  it('mails at most three links per user and hour', async () => {
    await person('carol@site.example');
    for (let i = 0; i < 4; i++) expect((await ask('carol@site.example')).statusCode).toBe(202);
    expect(await queuedFor('carol@site.example')).toBe(3);
    later(30);
    expect((await ask('carol@site.example')).statusCode).toBe(202);
    expect(await queuedFor('carol@site.example')).toBe(3);
    later(31);
    await ask('carol@site.example');
    expect(await queuedFor('carol@site.example')).toBe(4);
  });

  it('mails nothing to an invited user who never registered', async () => {
    await db
      .insertInto('users')
      .values({ id: randomUUID(), account_id: null, email: 'invited@elsewhere.example', name: 'invited@elsewhere.example', password_hash: NO_PASSWORD, role_id: null, active: 0, created_at: clock.toISOString() })
      .execute();
    expect((await ask('invited@elsewhere.example')).statusCode).toBe(202);
    expect(await queuedFor('invited@elsewhere.example')).toBe(0);
  });

  it('refuses on a hub without a public address, saying which setting is missing, for any address', async () => {
    await person('dave@site.example');
    for (const address of ['dave@site.example', 'nobody@site.example']) {
      const refused = await ask(address, bareHub);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.code).toBe('public-url-missing');
      expect(refused.json().error.message).toContain('HUB_PUBLIC_URL');
    }
    const page = await bareHub.inject({ method: 'POST', url: '/reset-password', ...form({ email: 'dave@site.example' }) });
    expect(page.statusCode).toBe(409);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('HUB_PUBLIC_URL');
    expect(await queuedFor('dave@site.example')).toBe(0);
  });

  it('works from the browser pages too', async () => {
    await person('erin@site.example');
    const start = await hub.inject({ method: 'GET', url: '/reset-password' });
    expect(start.statusCode).toBe(200);
    expect(start.body).toContain('<form method="post" action="/reset-password">');
    const bad = await hub.inject({ method: 'POST', url: '/reset-password', ...form({ email: 'no <address>' }) });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter an email address.');
    expect(bad.body).toContain('value="no &lt;address&gt;"');

    const sentText = 'If an account exists for that address, a link to choose a new password is on its way. The link works once, for one hour.';
    const unknown = await hub.inject({ method: 'POST', url: '/reset-password', ...form({ email: 'nobody@site.example' }) });
    const known = await hub.inject({ method: 'POST', url: '/reset-password', ...form({ email: 'erin@site.example' }) });
    expect(known.statusCode).toBe(200);
    expect(known.body).toContain(sentText);
    expect(unknown.body).toBe(known.body);
    const token = await linkFor('erin@site.example');
    expect((await setPassword(token, NEW_PASSWORD)).statusCode).toBe(200);
    expect((await signIn('erin@site.example', NEW_PASSWORD)).statusCode).toBe(201);
  });

  it('keeps the token out of the logs and out of the database', async () => {
    expect(redactPath('/reset-password/abc_DEF-123')).toBe('/reset-password/[token]');
    await bareHub.inject({ method: 'GET', url: '/reset-password/secret-token-in-a-path' });
    const log = logged.join('');
    expect(log).toContain('/reset-password/[token]');
    expect(log).not.toContain('secret-token-in-a-path');

    await person('frank@site.example');
    await ask('frank@site.example');
    const token = await linkFor('frank@site.example');
    expect(await db.selectFrom('password_resets').select('token_hash').where('token_hash', '=', hashToken(token)).executeTakeFirst()).toBeDefined();
    // The queued mail holds the link until it is sent; then its body is cleared.
    await eventually(
      () => db.selectFrom('mails').select('body').where('to_address', '=', 'frank@site.example').executeTakeFirstOrThrow(),
      (row) => row.body === '',
    );
    // The file's bytes can be read only on SQLite (PostgreSQL's pages are the server's); the
    // cleared body above is what both engines must show.
    if (engine !== 'sqlite') return;
    const dbFile = hubDatabase.url;
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
    const bytes = Buffer.concat([dbFile, `${dbFile}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file)));
    expect(bytes.includes(Buffer.from(hashToken(token)))).toBe(true);
    expect(bytes.includes(Buffer.from(token))).toBe(false);
  });
});

// SQLite only: it upgrades an existing SQLite hub file from 0060 and reads sqlite_master; the
// same migrations on PostgreSQL are covered by server/db/migrations.test.ts.
describe('hub migration 0070-password-resets', () => {
  it('adds password_resets to a hub database at 0060, keyed by the token hash and tied to a user', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-hub-0070-'));
    const sqlite = new Database(path.join(dir, 'hub.sqlite'));
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely<HubDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
    try {
      const migrator = new Migrator({ db, provider: hubMigrations });
      expect((await migrator.migrateTo('0060-invitations-audit-mail')).error).toBeUndefined();
      await db.insertInto('users').values({ id: 'u1', account_id: null, email: 'u1@example.org', name: 'U1', password_hash: 'x', role_id: null, active: 1, created_at: '2030-01-01T00:00:00.000Z' }).execute();

      const { error, results } = await migrator.migrateToLatest();
      expect(error).toBeUndefined();
      expect(results?.map((result) => [result.migrationName, result.status])).toContainEqual(['0070-password-resets', 'Success']);

      const row = { token_hash: 'h1', user_id: 'u1', created_at: '2030-01-01T00:00:00.000Z', expires_at: '2030-01-01T01:00:00.000Z', used_at: null };
      await db.insertInto('password_resets').values(row).execute();
      await expect(db.insertInto('password_resets').values(row).execute()).rejects.toThrow(/UNIQUE|PRIMARY/i);
      await expect(db.insertInto('password_resets').values({ ...row, token_hash: 'h2', user_id: 'nobody' }).execute()).rejects.toThrow(/FOREIGN KEY/i);
      const index = sqlite.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'password_resets_by_user'").get() as { sql: string } | undefined;
      expect(index?.sql).toMatch(/\("?user_id"?, "?created_at"?\)/);
    } finally {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
