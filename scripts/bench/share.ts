/**
 * bench:share — a radiologist's desktop shares 1,000 local studies (not yet on the hub) to 5
 * targets — two locations, a group, a physician, and another site's worklist by share code —
 * through the real outbox, sync client and hub on loopback; then each recipient's desktop pulls
 * until it sees all 1,000. Prints the seconds for each part and end to end (target ≤ 5 s).
 *
 *   npm run bench:share [-- --studies 1000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildHub } from '../../server/app';
import { hashPassword } from '../../server/auth/password';
import { openHubDatabase } from '../../server/db/open-hub-db';
import { addUser, createAccount } from '../../server/accounts/accounts-repository';
import { signedInDesktop } from '../../electron/main/test-support/signed-in-desktop';
import { fillIndex } from './fill-index';

const { values } = parseArgs({ options: { studies: { type: 'string', default: '1000' } } });
const studies = Number(values.studies);
const PASSWORD = 'long enough password';

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-bench-share-'));
  const hubDb = await openHubDatabase(path.join(dir, 'hub.sqlite'));
  const hub = buildHub({ db: hubDb, blobDir: path.join(dir, 'blobs'), publicUrl: 'https://hub.example.org' });
  await hub.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(hub.server.address() as AddressInfo).port}`;
  const desktops: { close(): Promise<void> }[] = [];
  try {
    // Two sites; the radiologist's has two locations and a group, each with one member, and a physician.
    const passwordHash = await hashPassword(PASSWORD);
    const now = new Date();
    const site = await hubDb.transaction().execute((trx) => createAccount(trx, 'Riverside', { name: 'Admin', email: 'admin@r.example', passwordHash }, now));
    const other = await hubDb.transaction().execute((trx) => createAccount(trx, 'Lakeside', { name: 'Admin L', email: 'admin@l.example', passwordHash }, now));
    const person = (accountId: string, name: string, role: 'Radiologist' | 'Physician' | 'Technologist') =>
      hubDb.transaction().execute((trx) => addUser(trx, accountId, { name, email: `${name}@bench.example`, passwordHash, role }, now));
    await person(site.account.id, 'rita', 'Radiologist');
    const adminToken = (await hub.inject({ method: 'POST', url: '/api/sessions', payload: { email: 'admin@r.example', password: PASSWORD } })).json<{ token: string }>().token;
    const otherToken = (await hub.inject({ method: 'POST', url: '/api/sessions', payload: { email: 'admin@l.example', password: PASSWORD } })).json<{ token: string }>().token;
    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    const targets: { worklistId: string; label: string; recipient: string }[] = [];
    for (const [kind, name, token, accountId] of [
      ['location', 'North Wing', adminToken, site.account.id],
      ['location', 'South Wing', adminToken, site.account.id],
      ['group', 'Cardiology', adminToken, site.account.id],
      ['location', 'Lakeside Reading Room', otherToken, other.account.id],
    ] as const) {
      const member = await person(accountId, name.replace(/\s/g, '').toLowerCase(), 'Technologist');
      const created = (await hub.inject({ method: 'POST', url: `/api/${kind}s`, payload: { name }, headers: as(token) })).json<Record<string, { id: string }>>()[kind];
      await hub.inject({ method: 'POST', url: `/api/${kind}s/${created.id}/members`, payload: { userId: member.id }, headers: as(token) });
      const worklist = await hubDb.selectFrom('worklists').select('id').where('owner_id', '=', created.id).executeTakeFirstOrThrow();
      targets.push({ worklistId: worklist.id, label: name, recipient: member.email });
    }
    const paul = await person(site.account.id, 'paul', 'Physician');
    const personal = await hubDb.selectFrom('worklists').select('id').where('owner_id', '=', paul.id).executeTakeFirstOrThrow();
    targets.push({ worklistId: personal.id, label: 'Paul', recipient: paul.email });

    const desktop = async (name: string, email: string) => {
      const signedIn = await signedInDesktop(path.join(dir, name), url, email, PASSWORD);
      desktops.push(signedIn);
      return signedIn;
    };
    const rita = await desktop('rita', 'rita@bench.example');
    fillIndex(rita.localDb, studies);
    const uids = (rita.localDb.prepare('SELECT study_uid FROM studies ORDER BY id').all() as { study_uid: string }[]).map((row) => row.study_uid);
    const recipients = await Promise.all(targets.map((target, i) => desktop(`recipient-${i}`, target.recipient)));
    const sharing = rita.sharing;

    const t0 = performance.now();
    const outcome = await sharing.share({ studies: uids.map((uid) => ({ uid })), targets: targets.map(({ worklistId, label }) => ({ worklistId, label })) });
    const t1 = performance.now();
    const shared = outcome.targets.reduce((n, target) => n + target.shared, 0);
    if (shared !== studies * targets.length) throw new Error(`only ${shared} of ${studies * targets.length} shares went through: ${JSON.stringify(outcome.targets.map((t) => t.refused[0]))}`);
    // Each recipient syncs (as its timer would) until its cache holds all the shared studies.
    await Promise.all(
      recipients.map(async ({ hub: connection, localDb }) => {
        for (;;) {
          await connection.syncNow();
          const { n } = localDb.prepare('SELECT count(*) AS n FROM hub_studies').get() as { n: number };
          if (n >= studies) return;
        }
      }),
    );
    const t2 = performance.now();
    console.log(`bench:share — ${studies} studies × ${targets.length} targets (${shared} shares, ${studies} publishes) on loopback`);
    console.log(`  share (outbox → hub, all applied)     ${((t1 - t0) / 1000).toFixed(2)} s`);
    console.log(`  recipients see them after sync (5×)   ${((t2 - t1) / 1000).toFixed(2)} s`);
    console.log(`  end to end                            ${((t2 - t0) / 1000).toFixed(2)} s   (target ≤ 5 s)`);
  } finally {
    for (const item of desktops) await item.close();
    await hub.close();
    await hubDb.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
