/**
 * Removal reaches the desktop (issue 13, part 4), with the real sync client against a real hub
 * over HTTP on both engines: a department member removed, a study taken out of a collection, a
 * collection member removed, a collection deleted, a study made private — after its next pull,
 * the desktop's cached copy of the hub (`hub_studies`) no longer holds what the person lost, and
 * still holds what reaches them another way. A member removed while their desktop was offline
 * loses it at the pull after they come back; the cache is kept meanwhile (nothing is dropped on a
 * failed pull). A change of the site's viewing policy takes studies away without changing them:
 * the desktop reads its cache again at the next pull (policy generation, hub migration 0260).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../../server/accounts/accounts-repository';
import { hashPassword } from '../../../server/auth/password';
import { createSession } from '../../../server/auth/sessions';
import { testStudySummary } from '../../../server/test-support/study-summary';
import { HUB_ENGINES } from '../../../server/test-support/test-database';
import { openIndexDatabase, type IndexDatabase } from '../db/connection';
import { HubClient, HubUnreachableError } from '../sync-client/hub-client';
import { SyncClient } from '../sync-client/sync-client';
import { TestHub } from '../test-support/test-hub';

describe.each(HUB_ENGINES)('removal reaches the desktop, real sync client and hub (%s)', (engine) => {
  let dir: string;
  let hub: TestHub;
  const people: Record<string, { id: string; token: string; local: IndexDatabase; sync: SyncClient }> = {};
  const studies: Record<string, string> = {};
  let department = '';

  const call = async (method: string, url: string, who: string, body?: unknown) => {
    const answer = await fetch(`${hub.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${people[who].token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await answer.text();
    expect(answer.status, `${method} ${url}: ${text}`).toBeLessThan(300);
    return text === '' ? null : (JSON.parse(text) as Record<string, unknown>);
  };
  /** What someone's desktop holds of the hub after a pull, by study name. */
  const cached = async (who: string) => {
    await people[who].sync.pull();
    const ids = (people[who].local.prepare('SELECT hub_study_id AS id FROM hub_studies').all() as { id: string }[]).map((row) => row.id);
    return Object.entries(studies).filter(([, id]) => ids.includes(id)).map(([name]) => name).sort();
  };
  const publish = async (who: string, name: string, n: number, isPrivate = false) => {
    const id = people[who].sync.enqueue({ kind: 'study.publish', study: { ...testStudySummary('1.2.826.0.1.3680043.10.1234.613', n), patientName: name }, private: isPrivate });
    await people[who].sync.sync();
    const result = people[who].sync.result(id);
    if (result?.status !== 'applied') throw new Error(`publish ${name}: ${JSON.stringify(result)}`);
    studies[name] = String(result.value.studyId);
  };
  const operate = async (who: string, operation: Record<string, unknown>) => {
    const answer = (await call('POST', '/api/operations', who, { operations: [{ id: randomUUID(), ...operation }] })) as { results: { status: string }[] };
    expect(answer.results[0].status).toBe('applied');
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'studyshare-withdrawn-'));
    hub = new TestHub(path.join(dir, 'hub'), engine);
    await hub.start();
    const adminToken = await hub.setUpSite();
    const db = hub.db!;
    const admin = await db.selectFrom('users').select(['id', 'account_id']).executeTakeFirstOrThrow();
    const passwordHash = await hashPassword('long enough password');
    const add = (name: string, token: string, id: string) => {
      const local = openIndexDatabase(path.join(dir, `${name}.sqlite`));
      people[name] = { id, token, local, sync: new SyncClient(local, new HubClient(hub.url, token)) };
    };
    add('admin', adminToken, admin.id);
    for (const name of ['rad', 'phys', 'student']) {
      const user = await addUser(db, admin.account_id!, { name, email: `${name}@site.example`, passwordHash, role: 'Radiologist' }, new Date());
      add(name, await createSession(db, user.id, new Date()), user.id);
    }
    await call('PUT', '/api/site/policy', 'admin', { viewing: 'department', wholeSiteUserIds: [], wholeSiteRoleIds: [], uploaderMarksPrivate: true });
    department = ((await call('POST', '/api/departments', 'admin', { name: 'Neuro' })) as { department: { id: string } }).department.id;
    for (const who of ['rad', 'phys']) await call('POST', `/api/departments/${department}/members`, 'admin', { userId: people[who].id });
    await publish('rad', 'byRad', 1);
    await publish('rad', 'byRad2', 2);
    await publish('phys', 'byPhys', 3);
  });

  afterAll(async () => {
    for (const person of Object.values(people)) person.local.close();
    await hub?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops a former peer’s studies from both desktops when a member leaves the department; keeps what is shared directly', async () => {
    expect(await cached('phys')).toEqual(['byPhys', 'byRad', 'byRad2']);
    expect(await cached('rad')).toEqual(['byPhys', 'byRad', 'byRad2']);
    await operate('rad', { kind: 'share.create', shareId: randomUUID(), study: { id: studies.byRad2 }, target: { userId: people.phys.id } });
    await call('DELETE', `/api/departments/${department}/members/${people.rad.id}`, 'admin');
    expect(await cached('phys')).toEqual(['byPhys', 'byRad2']);
    expect(await cached('rad')).toEqual(['byRad', 'byRad2']);
  });

  it('drops them at the next pull after a member was removed while their desktop was offline, keeping the cache meanwhile', async () => {
    await call('POST', `/api/departments/${department}/members`, 'admin', { userId: people.rad.id });
    expect(await cached('phys')).toEqual(['byPhys', 'byRad', 'byRad2']);
    // phys's desktop loses the hub: its pulls fail and its cache stays as it was.
    const offline = new SyncClient(people.phys.local, new HubClient('http://127.0.0.1:9', people.phys.token));
    await offline.sync();
    expect(offline.status().state).toBe('offline');
    await call('DELETE', `/api/departments/${department}/members/${people.rad.id}`, 'admin');
    await publish('rad', 'laterByRad', 4);
    const kept = (people.phys.local.prepare('SELECT count(*) AS n FROM hub_studies').get() as { n: number }).n;
    expect(kept).toBe(3);
    // Back online: one pull catches up.
    expect(await cached('phys')).toEqual(['byPhys', 'byRad2']);
  });

  it('drops a collection’s studies from a member’s desktop when taken out, when the member is removed, and when the collection is deleted', async () => {
    const made = (await call('POST', '/api/collections', 'rad', { name: 'Teaching' })) as { collection: { id: string } };
    const teaching = made.collection.id;
    await call('PUT', `/api/collections/${teaching}/members`, 'rad', { kind: 'user', memberId: people.student.id, rights: [] });
    for (const name of ['byRad', 'byRad2', 'laterByRad']) await operate('rad', { kind: 'collection.add', collectionId: teaching, study: { id: studies[name] } });
    expect(await cached('student')).toEqual(['byRad', 'byRad2', 'laterByRad']);
    await operate('rad', { kind: 'collection.remove', collectionId: teaching, study: { id: studies.laterByRad } });
    expect(await cached('student')).toEqual(['byRad', 'byRad2']);
    await call('DELETE', `/api/collections/${teaching}/members/user/${people.student.id}`, 'rad');
    expect(await cached('student')).toEqual([]);

    const board = ((await call('POST', '/api/collections', 'rad', { name: 'Board' })) as { collection: { id: string } }).collection.id;
    await call('PUT', `/api/collections/${board}/members`, 'rad', { kind: 'user', memberId: people.student.id, rights: [] });
    await operate('rad', { kind: 'collection.add', collectionId: board, study: { id: studies.byRad } });
    expect(await cached('student')).toEqual(['byRad']);
    await call('DELETE', `/api/collections/${board}`, 'rad');
    expect(await cached('student')).toEqual([]);
  });

  it('drops a study made private from a department member’s desktop', async () => {
    await call('POST', `/api/departments/${department}/members`, 'admin', { userId: people.rad.id });
    expect(await cached('phys')).toEqual(['byPhys', 'byRad', 'byRad2', 'laterByRad']);
    await operate('admin', { kind: 'study.private', study: { id: studies.laterByRad }, private: true });
    expect(await cached('phys')).toEqual(['byPhys', 'byRad', 'byRad2']);
  });

  it('drops what a policy change took away (department → participated) though none of those studies changed, and brings it back when the policy does', async () => {
    const policy = (viewing: string) => call('PUT', '/api/site/policy', 'admin', { viewing, wholeSiteUserIds: [], wholeSiteRoleIds: [], uploaderMarksPrivate: true });
    expect(await cached('phys')).toEqual(['byPhys', 'byRad', 'byRad2']);
    expect(await cached('rad')).toEqual(['byPhys', 'byRad', 'byRad2', 'laterByRad']);
    await policy('participated');
    // byRad2 was shared to phys directly (first test): a share stays whatever the policy.
    expect(await cached('phys')).toEqual(['byPhys', 'byRad2']);
    expect(await cached('rad')).toEqual(['byRad', 'byRad2', 'laterByRad']);
    // A pull with nothing new keeps what is there (the reread happens once per generation).
    expect(await cached('phys')).toEqual(['byPhys', 'byRad2']);
    await policy('department');
    expect(await cached('phys')).toEqual(['byPhys', 'byRad', 'byRad2']);
  });

  it('keeps the cache when the reread after a policy change is cut short, and finishes it at the next pull', async () => {
    // A real client whose hub goes away after the reread's first page (one study a page).
    class CutShort extends HubClient {
      calls = 0;
      override changes(after: number) {
        this.calls++;
        if (this.calls > 2) return Promise.reject(new HubUnreachableError());
        return super.changes(after, 1);
      }
    }
    expect(await cached('phys')).toEqual(['byPhys', 'byRad', 'byRad2']);
    await call('PUT', '/api/site/policy', 'admin', { viewing: 'participated', wholeSiteUserIds: [], wholeSiteRoleIds: [], uploaderMarksPrivate: true });
    const cut = new SyncClient(people.phys.local, new CutShort(hub.url, people.phys.token));
    await cut.sync();
    expect(cut.status().state).toBe('offline');
    expect((people.phys.local.prepare('SELECT count(*) AS n FROM hub_studies').get() as { n: number }).n).toBe(3);
    expect(await cached('phys')).toEqual(['byPhys', 'byRad2']);
  });
});
