/**
 * Adds to one collection sent together go set-wise (collection-add-run.ts, issue 13 part 4), on
 * both engines. The oracle is the one-operation path (addStudyToCollection): the same operations
 * sent one per batch to a twin collection must get the same answers as sent in one batch —
 * applied, already in, a series choice changed, a private study not one's own refused, one
 * nobody can see refused — and the collection ends with the same entries. A batch to a deleted
 * collection, or from a member without the right to add, is refused operation by operation
 * with why and writes nothing; the same batch sent again is answered from its records.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testStudySummary } from '../test-support/study-summary';
import { HUB_ENGINES } from '../test-support/test-database';
import { startTwoSiteHub, type OperationAnswer, type TwoSiteHub } from '../test-support/two-site-hub';

const ROOT = '1.2.826.0.1.3680043.10.1234.663';

describe.each(HUB_ENGINES)('hub: a run of adds to one collection, set-wise (%s)', (engine) => {
  let fixture: TwoSiteHub;
  const studies: Record<string, string> = {};
  const clock = new Date('2031-06-01T08:00:00Z');
  const collection = async (name: string) => {
    const made = await fixture.call('POST', '/api/collections', 'rad', { name });
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json<{ collection: { id: string } }>().collection.id;
    expect((await fixture.call('PUT', `/api/collections/${id}/members`, 'rad', { kind: 'user', memberId: fixture.people.student.id, rights: [] })).statusCode).toBe(200);
    return id;
  };
  /** The adds of the scenario to `collectionId`, with fresh ids. */
  const scenario = (collectionId: string) =>
    [
      { study: { id: studies.mine } },
      { study: { id: studies.mine } },
      { study: { id: studies.myPrivate } },
      { study: { id: studies.othersPrivate } },
      { study: { id: randomUUID() } },
      { study: { id: studies.peer }, seriesUids: ['1.2.3'] },
      { study: { id: studies.peer }, seriesUids: ['1.2.3'] },
      { study: { id: studies.peer } },
    ].map((op) => ({ id: randomUUID(), kind: 'collection.add', collectionId, seriesUids: null, ...op }));
  const shape = (answers: readonly OperationAnswer[]) => answers.map((a) => ({ status: a.status, alreadyIn: a.value?.alreadyIn, code: a.error?.code, message: a.error?.message }));
  const entries = async (collectionId: string) =>
    (await fixture.db.selectFrom('collection_studies').select(['study_id', 'series_uids', 'removed_at']).where('collection_id', '=', collectionId).orderBy('study_id').execute()).map(({ study_id, ...rest }) => ({ study: Object.keys(studies).find((k) => studies[k] === study_id), ...rest }));

  beforeAll(async () => {
    fixture = await startTwoSiteHub(engine, { now: () => clock });
    await fixture.addPerson('rad', fixture.siteA, 'Radiologist');
    await fixture.addPerson('peerRad', fixture.siteA, 'Radiologist');
    await fixture.addPerson('student', fixture.siteA, 'Physician');
    for (const [name, who, isPrivate, n] of [
      ['mine', 'rad', false, 1],
      ['myPrivate', 'rad', true, 2],
      ['othersPrivate', 'peerRad', true, 3],
      ['peer', 'peerRad', false, 4],
    ] as const) {
      const [answer] = await fixture.operate(who, { id: randomUUID(), kind: 'study.publish', study: testStudySummary(ROOT, n), private: isPrivate });
      expect(answer.status).toBe('applied');
      studies[name] = String(answer.value?.studyId);
    }
    // rad sees peerRad's private study (shared directly) but may not put it in a collection.
    const [shared] = await fixture.operate('peerRad', { id: randomUUID(), kind: 'share.create', shareId: randomUUID(), study: { id: studies.othersPrivate }, target: { userId: fixture.people.rad.id } });
    expect(shared.status, JSON.stringify(shared)).toBe('applied');
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it('answers a batch as the operations one by one would, and leaves the same entries', async () => {
    const [together, oneByOne] = [await collection('Together'), await collection('One by one')];
    const batch = await fixture.operate('rad', ...scenario(together));
    const single: OperationAnswer[] = [];
    for (const op of scenario(oneByOne)) single.push(...(await fixture.operate('rad', op)));
    expect(shape(batch)).toEqual(shape(single));
    expect(shape(batch).map((a) => a.code ?? (a.alreadyIn === true ? 'already' : 'added'))).toEqual(['added', 'already', 'added', 'forbidden', 'study-not-found', 'added', 'already', 'added']);
    expect(await entries(together)).toEqual(await entries(oneByOne));
    // The member's feed and the studies' trails say the same for both.
    const trail = async (collectionId: string) => Number((await fixture.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'collection.study').where('detail', 'like', `%${collectionId}%`).executeTakeFirstOrThrow()).n);
    expect(await trail(together)).toBe(await trail(oneByOne));
    const listed = await fixture.call('GET', `/api/collections/${together}/studies?limit=100`, 'student');
    expect(listed.json<{ total: number }>().total).toBe(3);
  });

  it('answers the same batch sent again from its records, changing nothing', async () => {
    const id = await collection('Again');
    const ops = scenario(id);
    const first = await fixture.operate('rad', ...ops);
    const before = await entries(id);
    expect(await fixture.operate('rad', ...ops)).toEqual(first);
    expect(await entries(id)).toEqual(before);
    // Someone else reusing those ids is told so.
    expect((await fixture.operate('peerRad', ...ops.slice(0, 2))).map((a) => a.error?.code)).toEqual(['duplicate-id', 'duplicate-id']);
  });

  it('refuses every add of a batch to a deleted collection, or from a member without the right to add, with why, writing nothing', async () => {
    const gone = await collection('Gone');
    expect((await fixture.call('DELETE', `/api/collections/${gone}`, 'rad')).statusCode).toBeLessThan(300);
    const late = await fixture.operate('rad', ...scenario(gone).slice(0, 3));
    expect(late.map((a) => a.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(late[0].error?.message).toMatch(/deleted|not.*exist|cannot see/i);
    expect(await entries(gone)).toEqual([]);
    const readOnly = await collection('Read only');
    const refused = await fixture.operate('student', ...scenario(readOnly).slice(0, 2));
    expect(refused.map((a) => a.error?.message)).toEqual([expect.stringMatching(/do not include adding/), expect.stringMatching(/do not include adding/)]);
    expect(await entries(readOnly)).toEqual([]);
  });
});
