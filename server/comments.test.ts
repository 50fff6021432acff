/**
 * Comments and @mentions on both engines (issue 16): written through the sync operations,
 * anchored to an image with the viewport, read by whoever sees the study (a private study's
 * comments are as private as it is), edited with history, deleted by their author, hidden by an
 * admin; mentions checked (an account that is gone, someone who cannot see the study — cured by
 * a share in the same batch when the author may share) and notified; replies to a deleted comment
 * refused; a flood rate-limited; a comment too long refused while the rest goes on; the change
 * feed says a study's comments changed; every route checks its caller.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMENT_MAX_CHARS, COMMENT_RATE } from '../shared/comments/comment-schemas';
import type { StudySummary } from '../shared/types/study';
import type { HubDatabase } from './db/schema';
import { HUB_ENGINES } from './test-support/test-database';
import { startTwoSiteHub, type HttpMethod, type TestPerson, type TwoSiteHub } from './test-support/two-site-hub';

const summary = (uid: string): StudySummary => ({
  studyInstanceUid: uid,
  patientName: 'Doe^Jane',
  patientId: `P-${uid}`,
  patientBirthDate: '1960-01-01',
  studyDate: '2024-05-01',
  studyTime: '10:00:00',
  patientSex: 'F',
  accessionNumber: `ACC-${uid}`,
  studyDescription: 'CT Chest',
  referringPhysicianName: null,
  institutionName: 'Site A',
  modalities: ['CT'],
  seriesCount: 1,
  instanceCount: 3,
});

type Comment = { id: string; text: string; replyTo: string | null; mentions: { id: string; name: string }[]; anchor: unknown; editedAt: string | null; deletedAt: string | null; hiddenAt: string | null; mayEdit: boolean; mayHide: boolean };

describe.each(HUB_ENGINES)('hub: comments and mentions (%s)', (engine) => {
  let fixture: TwoSiteHub;
  let db: Kysely<HubDatabase>;
  let clock = new Date('2031-05-01T08:00:00Z');
  let people: Record<string, TestPerson> = {};
  const studies: Record<string, string> = {};
  const uids: Record<string, string> = {};

  const call = (method: HttpMethod, url: string, who: string | null, payload?: unknown) => fixture.call(method, url, who, payload);
  const operate = (who: string, ...operations: unknown[]) => fixture.operate(who, ...operations);
  const comment = (study: string, text: string, more: Record<string, unknown> = {}) => ({ id: randomUUID(), kind: 'comment.add', commentId: randomUUID(), study: { id: studies[study] }, text, ...more });
  const list = async (who: string, study: string) => {
    const answer = await call('GET', `/api/studies/${studies[study]}/comments`, who);
    return answer.statusCode === 200 ? answer.json<{ comments: Comment[]; revision: number; mayComment: boolean }>() : answer.statusCode;
  };
  const notices = (who: string) => db.selectFrom('notifications').select(['kind', 'comment_id', 'anchor']).where('user_id', '=', people[who].id).orderBy('seq').execute();

  beforeAll(async () => {
    fixture = await startTwoSiteHub(engine, { now: () => clock, adminKeys: ['admin', 'outsider'] });
    ({ db, people } = fixture);
    for (const [name, role] of [
      ['Rita Radiologist', 'Radiologist'],
      ['Phil Physician', 'Physician'],
      ['Ray Referrer', 'Referrer'],
      ['Gone Person', 'Physician'],
    ] as const) {
      await fixture.addPerson(name.split(' ')[0].toLowerCase(), fixture.siteA, role, name);
    }
    for (const [name, isPrivate] of [
      ['chest', false],
      ['secret', true],
    ] as const) {
      uids[name] = `1.2.840.9.${Object.keys(studies).length + 1}`;
      const [result] = await operate('rita', { id: randomUUID(), kind: 'study.publish', study: summary(uids[name]), private: isPrivate });
      studies[name] = String(result.value!.studyId);
    }
    // The private study reaches the referrer by a direct share; Gone Person leaves the site.
    expect((await operate('rita', { id: randomUUID(), kind: 'share.create', shareId: randomUUID(), study: { id: studies.secret }, target: { userId: people.ray.id } }))[0].status).toBe('applied');
    await db.updateTable('users').set({ active: 0 }).where('id', '=', people.gone.id).execute();
  });

  afterAll(async () => {
    await fixture.close();
  });

  it('takes a comment on an image with its viewport, lists it to whoever sees the study, and notifies the one it mentions', async () => {
    const anchor = { studyInstanceUid: uids.chest, seriesInstanceUid: '1.2.3.1', sopInstanceUid: '1.2.3.1.7', frame: 1, viewport: { windowCenter: 40, windowWidth: 400, zoom: 2, pan: [10, -4] } };
    const op = comment('chest', 'Nodule here, @Phil Physician — see https://example.org/guide', { anchor, mentions: [people.phil.id] });
    const [result] = await operate('rita', op);
    expect(result).toMatchObject({ status: 'applied', value: { commentId: op.commentId, alreadyAdded: false } });
    const seen = await list('phil', 'chest');
    expect(seen).toMatchObject({ mayComment: true, comments: [{ id: op.commentId, text: op.text, anchor, mentions: [{ id: people.phil.id, name: 'Phil Physician' }], mayEdit: false, mayHide: false }] });
    expect(await notices('phil')).toEqual([{ kind: 'comment.mention', comment_id: op.commentId, anchor: JSON.stringify(anchor) }]);
    // The same operation again changes nothing; the same comment id under another operation neither.
    expect((await operate('rita', op))[0]).toEqual(result);
    expect((await operate('rita', { ...op, id: randomUUID() }))[0].value).toMatchObject({ alreadyAdded: true });
    expect((await list('phil', 'chest')) as { comments: unknown[] }).toMatchObject({ comments: [expect.anything()] });
    // On the study's trail with ids only.
    const audit = await db.selectFrom('audit_events').select(['action', 'detail']).where('study_id', '=', studies.chest).where('action', '=', 'comment.add').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0].detail).not.toContain('Nodule');
  });

  it('keeps script and HTML as the text it is (the desktop renders text, never markup)', async () => {
    const text = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const op = comment('chest', text);
    expect((await operate('phil', op))[0].status).toBe('applied');
    const seen = (await list('rita', 'chest')) as { comments: Comment[] };
    expect(seen.comments.find((c) => c.id === op.commentId)?.text).toBe(text);
  });

  it('refuses a comment of 1 MB and one over the limit with a clear answer, and the rest still goes through', async () => {
    const huge = await call('POST', '/api/operations', 'rita', { operations: [comment('chest', 'x'.repeat(1024 * 1024))] });
    expect(huge.statusCode).toBe(413);
    expect(huge.json<{ error: { message: string } }>().error.message).toMatch(/too large/i);
    const long = await call('POST', '/api/operations', 'rita', { operations: [comment('chest', 'fine'), comment('chest', 'y'.repeat(COMMENT_MAX_CHARS + 1))] });
    expect(long.statusCode).toBe(400);
    expect(long.json<{ error: { message: string } }>().error.message).toMatch(/at most 10,000 characters/);
    // The desktop's outbox splits such a batch until the bad one is alone: the good one applies.
    const good = comment('chest', 'fine');
    expect((await operate('rita', good))[0].status).toBe('applied');
    const empty = await call('POST', '/api/operations', 'rita', { operations: [comment('chest', '   ')] });
    expect(empty.statusCode).toBe(400);
  });

  it('refuses a mention of someone whose account is gone, and of someone who cannot see the study with what would cure it', async () => {
    const gone = await operate('rita', comment('chest', 'for @Gone Person', { mentions: [people.gone.id] }));
    expect(gone[0]).toMatchObject({ status: 'rejected', error: { code: 'mention-unknown', message: expect.stringMatching(/no longer has an account/) } });
    // Phil cannot see the private study: Rita may share it with him, the referrer may not.
    const offered = await operate('rita', comment('secret', 'look @Phil Physician', { mentions: [people.phil.id] }));
    expect(offered[0]).toMatchObject({ status: 'rejected', error: { code: 'mention-cannot-see', message: expect.stringMatching(/Phil Physician cannot see this study\. Share it with them/) } });
    const refused = await operate('ray', comment('secret', 'look @Phil Physician', { mentions: [people.phil.id] }));
    expect(refused[0]).toMatchObject({ status: 'rejected', error: { code: 'mention-cannot-see', message: expect.stringMatching(/your role does not let you share it/) } });
    expect(await list('phil', 'secret')).toBe(404);
    // In the same step: the share (the normal share path) first, then the comment.
    const op = comment('secret', 'look @Phil Physician', { mentions: [people.phil.id] });
    const both = await operate('rita', { id: randomUUID(), kind: 'share.create', shareId: randomUUID(), study: { id: studies.secret }, target: { userId: people.phil.id } }, op);
    expect(both.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(await list('phil', 'secret')).toMatchObject({ comments: [{ id: op.commentId }] });
    expect((await notices('phil')).map((n) => n.kind)).toContain('comment.mention');
  });

  it('keeps a private study’s comments private, and answers each route only to whom may call it', async () => {
    expect(await list('outsider', 'secret')).toBe(404);
    expect(await list('outsider', 'chest')).toBe(404);
    expect((await call('GET', `/api/studies/${studies.chest}/comments`, null)).statusCode).toBe(401);
    expect((await call('GET', `/api/studies/${studies.chest}/mention-candidates?q=p`, 'outsider')).statusCode).toBe(404);
    const [refused] = await operate('outsider', comment('chest', 'hello'));
    expect(refused).toMatchObject({ status: 'rejected', error: { code: 'study-not-found' } });
    // A site member who does not see the private study reads nothing of its comments.
    expect(await list('admin', 'secret')).toMatchObject({ comments: [expect.anything()] });
  });

  it('offers mentions by name prefix: who sees the study first, then colleagues who do not (with whether sharing is possible), bounded', async () => {
    const answer = await call('GET', `/api/studies/${studies.secret}/mention-candidates?q=r`, 'rita');
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ people: [{ id: people.ray.id, name: 'Ray Referrer', role: 'Referrer', seesStudy: true, mayShare: false }] });
    const chest = await call('GET', `/api/studies/${studies.chest}/mention-candidates?q=ph`, 'ray');
    expect(chest.json()).toEqual({ people: [{ id: people.phil.id, name: 'Phil Physician', role: 'Physician', seesStudy: true, mayShare: false }] });
    // Deactivated people are never offered.
    expect((await call('GET', `/api/studies/${studies.chest}/mention-candidates?q=gone`, 'rita')).json()).toEqual({ people: [] });
    expect((await call('GET', `/api/studies/${studies.chest}/mention-candidates?q=`, 'rita')).statusCode).toBe(400);
  });

  it('edits keep their history, deletes keep the thread, a reply to a deleted comment is refused with why, and replies notify the thread', async () => {
    const root = comment('chest', 'first version');
    await operate('rita', root);
    clock = new Date(clock.getTime() + 60_000);
    expect((await operate('phil', { id: randomUUID(), kind: 'comment.edit', commentId: root.commentId, text: 'not mine', mentions: [] }))[0]).toMatchObject({ status: 'rejected', error: { code: 'forbidden' } });
    expect((await operate('rita', { id: randomUUID(), kind: 'comment.edit', commentId: root.commentId, text: 'second version', mentions: [] }))[0].status).toBe('applied');
    const edited = ((await list('phil', 'chest')) as { comments: Comment[] }).comments.find((c) => c.id === root.commentId)!;
    expect(edited).toMatchObject({ text: 'second version', editedAt: expect.any(String) });
    expect((await call('GET', `/api/comments/${root.commentId}/history`, 'phil')).json()).toEqual({ edits: [{ text: 'first version', editedAt: expect.any(String) }] });
    expect((await call('GET', `/api/comments/${root.commentId}/history`, 'outsider')).statusCode).toBe(404);
    const reply = comment('chest', 'agreed', { replyTo: root.commentId });
    expect((await operate('phil', reply))[0]).toMatchObject({ status: 'applied', value: { replyTo: root.commentId } });
    expect((await notices('rita')).map((n) => n.kind)).toContain('comment.reply');
    expect((await operate('rita', { id: randomUUID(), kind: 'comment.delete', commentId: root.commentId }))[0].status).toBe('applied');
    const after = ((await list('phil', 'chest')) as { comments: Comment[] }).comments;
    expect(after.find((c) => c.id === root.commentId)).toMatchObject({ text: '', deletedAt: expect.any(String), mayEdit: false });
    expect(after.find((c) => c.id === reply.commentId)).toMatchObject({ text: 'agreed' });
    const late = await operate('phil', comment('chest', 'me too', { replyTo: root.commentId }));
    expect(late[0]).toMatchObject({ status: 'rejected', error: { code: 'reply-to-deleted', message: expect.stringMatching(/was deleted by its author/) } });
    const actions = (await db.selectFrom('audit_events').select('action').where('study_id', '=', studies.chest).execute()).map((row) => row.action);
    expect(actions).toEqual(expect.arrayContaining(['comment.add', 'comment.edit', 'comment.delete']));
  });

  it('lets the site’s admins hide any comment (and nobody else); readers then see it hidden, without its text', async () => {
    const op = comment('chest', 'unprofessional remark');
    await operate('phil', op);
    expect((await call('PUT', `/api/comments/${op.commentId}/hidden`, 'rita', { hidden: true })).statusCode).toBe(403);
    expect((await call('PUT', `/api/comments/${op.commentId}/hidden`, 'outsider', { hidden: true })).statusCode).toBe(404);
    const hidden = await call('PUT', `/api/comments/${op.commentId}/hidden`, 'admin', { hidden: true });
    expect(hidden.statusCode).toBe(200);
    expect(hidden.json()).toMatchObject({ comment: { text: 'unprofessional remark', hiddenAt: expect.any(String), mayHide: true } });
    expect(((await list('rita', 'chest')) as { comments: Comment[] }).comments.find((c) => c.id === op.commentId)).toMatchObject({ text: '', hiddenAt: expect.any(String) });
    expect((await operate('phil', { id: randomUUID(), kind: 'comment.edit', commentId: op.commentId, text: 'sorry', mentions: [] }))[0]).toMatchObject({ error: { code: 'comment-hidden' } });
    expect((await db.selectFrom('audit_events').select('action').where('action', '=', 'comment.hide').execute()).length).toBe(1);
  });

  it('tells desktops through the change feed that a study’s comments changed (count and revision)', async () => {
    const before = await call('GET', '/api/changes?after=0', 'phil');
    const chest = before.json<{ changes: { studyId: string; comments?: { count: number; revision: number } }[]; cursor: number }>();
    const entry = chest.changes.find((c) => c.studyId === studies.chest)!;
    expect(entry.comments!.revision).toBeGreaterThan(0);
    await operate('rita', comment('chest', 'one more'));
    const next = (await call('GET', `/api/changes?after=${chest.cursor}`, 'phil')).json<{ changes: { studyId: string; comments?: { count: number; revision: number } }[] }>();
    expect(next.changes).toHaveLength(1);
    expect(next.changes[0].comments).toEqual({ count: entry.comments!.count + 1, revision: entry.comments!.revision + 1 });
  });

  it('rate-limits a flood of comments from one person with a clear answer, and takes the others’ comments meanwhile', async () => {
    clock = new Date(clock.getTime() + 10 * 60_000);
    const flood = Array.from({ length: 100 }, (_, i) => comment('chest', `spam ${i}`));
    const results = await operate('ray', ...flood);
    expect(results.filter((r) => r.status === 'applied')).toHaveLength(COMMENT_RATE.max);
    const limited = results.filter((r) => r.status === 'rejected');
    expect(limited).toHaveLength(100 - COMMENT_RATE.max);
    expect(limited[0].error).toMatchObject({ code: 'rate-limited', message: expect.stringMatching(/in the last minute.*Wait \d+ seconds/) });
    expect((await operate('phil', comment('chest', 'still works')))[0].status).toBe('applied');
    // A minute later the same person may write again.
    clock = new Date(clock.getTime() + 61_000);
    expect((await operate('ray', comment('chest', 'back')))[0].status).toBe('applied');
  });
});
