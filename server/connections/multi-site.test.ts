/**
 * A person of no site connected to two sites (issue 14), on both engines:
 * - part 4's Site column and filter: their lists name each study's site and list the sites they
 *   are connected to; `site` narrows a list to one site in SQL, keyset pages stay whole in every
 *   plan; a person connected to B only learns nothing of A (A's id filters like an unknown one);
 * - one role per connection (visibility rule 15): the same person is a Physician at A and an
 *   External rep at B, each site's role deciding what they may do with that site's studies —
 *   commenting and sharing by email allowed at A and refused at B, then allowed at B once B's
 *   admin gives the connection another role — and never anything site-wide, whatever role a
 *   site gives. Setting a role: another site's role or connection is answered as unknown.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubStudyQuerySchema, HUB_PAGE_MAX } from '../../shared/hub-api/worklists';
import type { StudySummary } from '../../shared/types/study';
import { viewerFacts } from '../access/access-facts';
import { hashPassword } from '../auth/password';
import { createSession, type Actor } from '../auth/sessions';
import { DEFAULT_STUDY_LIST_TUNING, listStudies, type StudyListTuning } from '../studies/study-list';
import { HUB_ENGINES } from '../test-support/test-database';
import { startTwoSiteHub, type TwoSiteHub } from '../test-support/two-site-hub';

const summary = (uid: string, patientName: string, studyDate: string, referring: string | null): StudySummary => ({
  studyInstanceUid: uid,
  patientName,
  patientId: `PID-${uid}`,
  patientBirthDate: null,
  studyDate,
  studyTime: null,
  patientSex: null,
  accessionNumber: null,
  studyDescription: 'CT Knee',
  referringPhysicianName: referring,
  institutionName: null,
  modalities: ['CT'],
  seriesCount: 1,
  instanceCount: 1,
});

/** Each plan of the list forced in turn (fetch, per-site parts, one walk). */
const TUNINGS: readonly StudyListTuning[] = [
  { fetchBelow: 1_000_000, maxPartsOffset: DEFAULT_STUDY_LIST_TUNING.maxPartsOffset },
  { fetchBelow: 0, maxPartsOffset: DEFAULT_STUDY_LIST_TUNING.maxPartsOffset },
  { fetchBelow: 0, maxPartsOffset: -1 },
];

interface ListRow {
  studyId: string;
  summary: { patientName: string };
  site?: { id: string; name: string };
}
interface ListPage {
  studies: ListRow[];
  sites?: { id: string; name: string }[];
  nextCursor: string | null;
}

describe.each(HUB_ENGINES)('hub: a person connected to two sites (%s)', (engine) => {
  let fixture: TwoSiteHub;
  const clock = new Date('2031-08-01T08:00:00Z');
  const studies: Record<string, string> = {};
  const connections: Record<string, string> = {};
  const roles: Record<string, string> = {};

  const list = async (who: string, query = '', url = '/api/studies') => {
    const answer = await fixture.call('GET', `${url}${query}`, who);
    expect(answer.statusCode, answer.body).toBe(200);
    return answer.json<ListPage>();
  };
  const names = (page: ListPage) => page.studies.map((row) => row.summary.patientName).sort();
  const op = async (who: string, operation: Record<string, unknown>) => (await fixture.operate(who, { id: randomUUID(), ...operation }))[0];
  const comment = (who: string, study: string) => op(who, { kind: 'comment.add', commentId: randomUUID(), study: { id: studies[study] }, text: `A note on ${study}` });
  const shareByEmail = (who: string, study: string) => op(who, { kind: 'share.create', shareId: randomUUID(), study: { id: studies[study] }, target: { email: 'colleague@elsewhere.example' } });
  const externalUser = async (key: string, name: string) => {
    const id = randomUUID();
    await fixture.db
      .insertInto('users')
      .values({ id, account_id: null, email: `${key}@outside.example`, name, password_hash: await hashPassword('long enough password'), role_id: null, active: 1, created_at: clock.toISOString() })
      .execute();
    fixture.people[key] = { id, token: await createSession(fixture.db, id, clock) };
  };
  const connect = async (who: string, site: string, kind: string, admin: string, physician: string) => {
    const asked = await fixture.call('POST', '/api/connections', who, { site, kind });
    expect(asked.statusCode, asked.body).toBe(201);
    const id = asked.json<{ connection: { id: string } }>().connection.id;
    const assigned = await fixture.call('PUT', `/api/connections/${id}/physicians`, admin, { physicianIds: [physician] });
    expect(assigned.statusCode, assigned.body).toBe(200);
    return assigned.json<{ connection: { id: string; role: { id: string; name: string } | null } }>().connection;
  };

  beforeAll(async () => {
    fixture = await startTwoSiteHub(engine, { now: () => clock, adminKeys: ['adminA', 'adminB'] });
    const { siteA, siteB } = fixture;
    await fixture.addPerson('radA', siteA, 'Radiologist');
    await fixture.addPerson('radB', siteB, 'Radiologist');
    const physician = async (admin: string, given: string, family: string) => {
      const answer = await fixture.call('POST', '/api/physicians', admin, { displayName: `Dr ${given} ${family}`, familyName: family, givenNames: given, aliases: [], identifier: null, specialty: null });
      expect(answer.statusCode, answer.body).toBe(201);
      return answer.json<{ physician: { id: string } }>().physician.id;
    };
    const paula = await physician('adminA', 'Paula', 'Physician');
    const bruno = await physician('adminB', 'Bruno', 'Bone');
    // Site A: three studies referred by Dr Physician, one by nobody of the directory; site B: two by Dr Bone, one not.
    for (const [who, key, name, date, referring] of [
      ['radA', 'a1', 'Alpha^One', '2031-01-05', 'Physician^Paula'],
      ['radA', 'a2', 'Alpha^Two', '2031-01-03', 'Physician^Paula'],
      ['radA', 'a3', 'Alpha^Three', '2031-01-01', 'Physician^Paula'],
      ['radA', 'aHidden', 'Alpha^Hidden', '2031-01-04', null],
      ['radB', 'b1', 'Beta^One', '2031-01-04', 'Bone^Bruno'],
      ['radB', 'b2', 'Beta^Two', '2031-01-02', 'Bone^Bruno'],
      ['radB', 'bHidden', 'Beta^Hidden', '2031-01-06', null],
    ] as const) {
      const [result] = await fixture.operate(who, { id: randomUUID(), kind: 'study.publish', study: summary(`2.25.${Object.keys(studies).length + 1}`, name, date, referring) });
      expect(result.status).toBe('applied');
      studies[key] = String(result.value!.studyId);
    }
    // Dana connects to A as a Physician (Dr Physician) and to B as an External rep (Dr Bone); Bea to B only.
    await externalUser('dana', 'Dana Doctor');
    await externalUser('bea', 'Bea Rep');
    const danaA = await connect('dana', 'Site A', 'physician', 'adminA', paula);
    const danaB = await connect('dana', 'Site B', 'external-rep', 'adminB', bruno);
    const beaB = await connect('bea', 'Site B', 'external-rep', 'adminB', bruno);
    connections.danaA = danaA.id;
    connections.danaB = danaB.id;
    connections.beaB = beaB.id;
    // Each connection took its kind's role of its own site at the first assignment.
    expect(danaA.role?.name).toBe('Physician');
    expect(danaB.role?.name).toBe('Referrer');
    const rolesOf = async (admin: string) => (await fixture.call('GET', '/api/roles', admin)).json<{ roles: { id: string; name: string }[] }>().roles;
    for (const role of await rolesOf('adminA')) roles[`A:${role.name}`] = role.id;
    for (const role of await rolesOf('adminB')) roles[`B:${role.name}`] = role.id;
    // Site B lets its external reps look, nothing more.
    expect((await fixture.call('PUT', `/api/roles/${roles['B:Referrer']}`, 'adminB', { permissions: ['studies.view'] })).statusCode).toBe(200);
  }, 180_000);

  afterAll(async () => {
    await fixture?.close();
  });

  it('names each study’s site and lists both sites for someone connected to two', async () => {
    const page = await list('dana');
    expect(names(page)).toEqual(['Alpha^One', 'Alpha^Three', 'Alpha^Two', 'Beta^One', 'Beta^Two']);
    expect(page.sites).toEqual([
      { id: fixture.siteA, name: 'Site A' },
      { id: fixture.siteB, name: 'Site B' },
    ]);
    for (const row of page.studies) expect(row.site).toEqual(row.summary.patientName.startsWith('Alpha') ? { id: fixture.siteA, name: 'Site A' } : { id: fixture.siteB, name: 'Site B' });
    // Their physicians' cases carry the sites too, and take the same filter.
    const cases = await list('dana', `?site=${fixture.siteB}`, '/api/physicians/cases');
    expect(names(cases)).toEqual(['Beta^One', 'Beta^Two']);
    expect(cases.sites?.map((site) => site.name)).toEqual(['Site A', 'Site B']);
  });

  it('narrows a list to one site in SQL, with keyset pages that stay whole in every plan', async () => {
    expect(names(await list('dana', `?site=${fixture.siteA}`))).toEqual(['Alpha^One', 'Alpha^Three', 'Alpha^Two']);
    expect(names(await list('dana', `?site=${fixture.siteB}&text=beta`))).toEqual(['Beta^One', 'Beta^Two']);
    // Page by page (one row each) through the route: newest first, nothing lost or repeated.
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: ListPage = await list('dana', `?site=${fixture.siteA}&limit=1${after === null ? '' : `&after=${after}`}`);
      seen.push(...page.studies.map((row) => row.summary.patientName));
      after = page.nextCursor;
    } while (after !== null && seen.length < 10);
    expect(seen).toEqual(['Alpha^One', 'Alpha^Two', 'Alpha^Three']);
    // Each plan gives the same pages.
    const actor: Actor = { userId: fixture.people.dana.id, accountId: null, name: 'Dana Doctor', email: 'dana@outside.example', role: null, permissions: new Set() };
    const viewer = await viewerFacts(fixture.db, actor);
    for (const tuning of TUNINGS) {
      for (const [site, expected] of [
        [fixture.siteA, ['Alpha^One', 'Alpha^Two', 'Alpha^Three']],
        [fixture.siteB, ['Beta^One', 'Beta^Two']],
      ] as const) {
        const got: string[] = [];
        let cursor: string | undefined;
        for (let n = 0; n < 5; n++) {
          const page = await listStudies(fixture.db, viewer, { kind: 'visible' }, hubStudyQuerySchema.parse({ site, limit: '2', ...(cursor === undefined ? {} : { after: cursor }) }), tuning);
          got.push(...page.studies.map((row) => row.summary.patientName ?? ''));
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
        expect(got, JSON.stringify(tuning)).toEqual(expected);
      }
      const all = await listStudies(fixture.db, viewer, { kind: 'visible' }, hubStudyQuerySchema.parse({ limit: String(HUB_PAGE_MAX) }), tuning);
      expect(all.studies.length, JSON.stringify(tuning)).toBe(5);
    }
  });

  it('shows someone connected to B only nothing of A: one site, no column, A’s id filters like an unknown one', async () => {
    const page = await list('bea');
    expect(names(page)).toEqual(['Beta^One', 'Beta^Two']);
    expect(page.sites).toEqual([{ id: fixture.siteB, name: 'Site B' }]);
    const byA = await fixture.call('GET', `/api/studies?site=${fixture.siteA}`, 'bea');
    const byUnknown = await fixture.call('GET', `/api/studies?site=${randomUUID()}`, 'bea');
    expect(byA.statusCode).toBe(200);
    expect(byA.body).toBe(byUnknown.body);
    expect(byA.body).not.toContain('Site A');
    expect(byA.json<ListPage>().studies).toEqual([]);
    expect((await fixture.call('GET', `/api/studies/${studies.a1}`, 'bea')).statusCode).toBe(404);
    // A site's own people get no site per row and no list of sites (one site: no Site column).
    const own = await list('radA');
    expect(own.sites).toBeUndefined();
    expect(own.studies.every((row) => row.site === undefined)).toBe(true);
    // A bad site id is a 400 that says what it wants.
    const bad = await fixture.call('GET', '/api/studies?site=not-a-site', 'dana');
    expect(bad.statusCode).toBe(400);
  });

  it('lets each site’s role decide: Dana comments and shares by email at A, and is refused both at B', async () => {
    expect(await comment('dana', 'a1')).toMatchObject({ status: 'applied' });
    expect(await shareByEmail('dana', 'a2')).toMatchObject({ status: 'applied' });
    const refusedComment = await comment('dana', 'b1');
    expect(refusedComment.status).toBe('rejected');
    expect(refusedComment.error?.code).toBe('forbidden');
    const refusedShare = await shareByEmail('dana', 'b1');
    expect(refusedShare.status).toBe('rejected');
    // Nothing of the refusals was kept.
    expect(await fixture.db.selectFrom('comments').select('id').where('study_id', '=', studies.b1).execute()).toEqual([]);
    expect(await fixture.db.selectFrom('shares').select('id').where('study_id', '=', studies.b1).execute()).toEqual([]);
    // The study's details say so too: A's study offers commenting, B's only viewing.
    const details = async (study: string) => (await fixture.call('GET', `/api/studies/${studies[study]}`, 'dana')).json<{ study: { actions: string[] } }>().study.actions;
    expect(await details('a1')).toEqual(expect.arrayContaining(['view', 'comment', 'share.email']));
    // (Downloading follows the site's download policy, not a role: everyone who views, here.)
    expect((await details('b1')).sort()).toEqual(['download', 'view']);
    // The desktop offers what any of their connections allows; the hub decides per study.
    const me = (await fixture.call('GET', '/api/me', 'dana')).json<{ permissions: string[] }>();
    expect(me.permissions).toEqual(expect.arrayContaining(['studies.view', 'studies.comment', 'studies.share.email']));
  });

  it('applies the role B’s admin sets to the connection, and nothing site-wide whatever the role', async () => {
    const set = await fixture.call('PUT', `/api/connections/${connections.danaB}/role`, 'adminB', { roleId: roles['B:Physician'] });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json<{ connection: { role: { name: string } } }>().connection.role.name).toBe('Physician');
    expect(await comment('dana', 'b1')).toMatchObject({ status: 'applied' });
    // Bea's connection to B keeps B's (view-only) external rep role.
    expect((await comment('bea', 'b1')).status).toBe('rejected');
    // The connection's role is shown to the person and to the site's admins.
    const mine = (await fixture.call('GET', '/api/connections/mine', 'dana')).json<{ connections: { site: { name: string }; role: { name: string } | null }[] }>().connections;
    expect(Object.fromEntries(mine.map((c) => [c.site.name, c.role?.name]))).toEqual({ 'Site A': 'Physician', 'Site B': 'Physician' });
    // A's admin gives the connection A's Admin role: still nothing site-wide, no guest link, no private mark.
    expect((await fixture.call('PUT', `/api/connections/${connections.danaA}/role`, 'adminA', { roleId: roles['A:Admin'] })).statusCode).toBe(200);
    for (const url of ['/api/users', '/api/audit', '/api/roles', '/api/connections']) expect((await fixture.call('GET', url, 'dana')).statusCode, url).toBe(403);
    const actions = (await fixture.call('GET', `/api/studies/${studies.a1}`, 'dana')).json<{ study: { actions: string[] } }>().study.actions;
    expect(actions).not.toContain('guest-link');
    expect(actions).not.toContain('mark-private');
    expect(actions).not.toContain('update');
    expect((await fixture.call('GET', `/api/studies/${studies.aHidden}`, 'dana')).statusCode).toBe(404);
    const me = (await fixture.call('GET', '/api/me', 'dana')).json<{ permissions: string[] }>();
    expect(me.permissions.filter((key) => key.startsWith('admin.') || key === 'audit.view')).toEqual([]);
  });

  it('refuses a role or a connection of another site as unknown, and anyone without admin.connections', async () => {
    // B's admin naming A's role, or A's connection.
    const otherRole = await fixture.call('PUT', `/api/connections/${connections.danaB}/role`, 'adminB', { roleId: roles['A:Referrer'] });
    expect(otherRole.statusCode).toBe(404);
    expect(otherRole.json<{ error: { code: string } }>().error.code).toBe('no-such-role');
    const otherConnection = await fixture.call('PUT', `/api/connections/${connections.danaA}/role`, 'adminB', { roleId: roles['B:Referrer'] });
    const unknownConnection = await fixture.call('PUT', `/api/connections/${randomUUID()}/role`, 'adminB', { roleId: roles['B:Referrer'] });
    expect(otherConnection.statusCode).toBe(404);
    expect(otherConnection.body).toBe(unknownConnection.body);
    // A radiologist of B, and the connected person themself.
    expect((await fixture.call('PUT', `/api/connections/${connections.danaB}/role`, 'radB', { roleId: roles['B:Referrer'] })).statusCode).toBe(403);
    expect((await fixture.call('PUT', `/api/connections/${connections.danaB}/role`, 'dana', { roleId: roles['B:Admin'] })).statusCode).toBe(403);
    // Nothing changed: Dana's B connection is still a Physician's.
    const row = await fixture.db.selectFrom('site_connections').select('role_id').where('id', '=', connections.danaB).executeTakeFirstOrThrow();
    expect(row.role_id).toBe(roles['B:Physician']);
  });
});
