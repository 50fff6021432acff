// @vitest-environment jsdom
/**
 * The comments panel over the fake main: script and HTML in a comment show as text (no element
 * is made from them), only http(s) links become links; a pending or refused comment says so and
 * why; @ offers people (who cannot see the study is marked), and posting a mention of someone who
 * cannot see it shares with them in the same step where the author may, and is held back with
 * why where they may not.
 */
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommentItem, CommentsPage, MentionCandidate } from '../../../shared/comments/comment-schemas';
import { installFakeMain } from '../../test-support/fake-main';
import { CommentsPanel } from './CommentsPanel';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const fake = installFakeMain();
const STUDY = { hubId: '0d6f7c1e-5a2b-4c3d-8e9f-0a1b2c3d4e5f' } as const;
const ME = '11111111-1111-4111-8111-111111111111';

const comment = (over: Partial<CommentItem>): CommentItem => ({
  id: '22222222-2222-4222-8222-222222222222',
  studyId: STUDY.hubId,
  author: { id: ME, name: 'Rita Radiologist' },
  replyTo: null,
  text: '',
  mentions: [],
  anchor: null,
  createdAt: '2031-05-01T08:00:00.000Z',
  editedAt: null,
  deletedAt: null,
  hiddenAt: null,
  mayEdit: true,
  mayHide: false,
  state: 'posted',
  reason: null,
  outboxId: null,
  ...over,
});

const page = (comments: CommentItem[]): CommentsPage => ({ comments, online: true, mayComment: true, hubStudyId: STUDY.hubId });
const people: MentionCandidate[] = [
  { id: '33333333-3333-4333-8333-333333333333', name: 'Phil Physician', role: 'Physician', seesStudy: false, mayShare: true },
  { id: '44444444-4444-4444-8444-444444444444', name: 'Pat Outside', role: 'Referrer', seesStudy: false, mayShare: false },
];

let host: HTMLDivElement;
let root: Root;
beforeEach(() => {
  fake.reset();
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
});
afterEach(() => {
  act(() => root.unmount());
  host.remove();
});

const settle = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)));
async function show() {
  await act(async () => root.render(<CommentsPanel study={STUDY} version={0} openAnchor={() => undefined} />));
  await settle();
}
function type(box: HTMLTextAreaElement, value: string) {
  const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')!.set!;
  setter.call(box, value);
  box.setSelectionRange(value.length, value.length);
  box.dispatchEvent(new Event('input', { bubbles: true }));
}

describe('CommentsPanel', () => {
  it('shows script and HTML as text, and links only http(s)', async () => {
    const text = '<script>window.hacked = 1</script><img src=x onerror="window.hacked = 2"> see javascript:alert(1) and https://example.org/guide';
    fake.handlers['comments:list'] = () => ({ ok: true, value: page([comment({ text })]) });
    await show();
    const body = host.querySelector('.comment-text')!;
    expect(body.textContent).toBe(text);
    expect(body.querySelector('script, img')).toBeNull();
    expect([...body.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual(['https://example.org/guide']);
    expect((globalThis as { hacked?: number }).hacked).toBeUndefined();
  });

  it('says a comment is pending, or refused and why', async () => {
    fake.handlers['comments:list'] = () => ({
      ok: true,
      value: page([comment({ text: 'waits', state: 'pending', reason: 'Not on the hub yet.' }), comment({ id: '55555555-5555-4555-8555-555555555555', text: 'no', state: 'refused', reason: 'You have written 60 comments in the last minute.' })]),
    });
    await show();
    expect(host.textContent).toContain('Pending');
    expect(host.textContent).toContain('Refused');
    expect(host.textContent).toContain('You have written 60 comments in the last minute.');
  });

  it('offers people on @, shares with a mentioned person who cannot see the study where the author may, and holds back a mention of someone they may not', async () => {
    fake.handlers['comments:list'] = () => ({ ok: true, value: page([]) });
    fake.handlers['comments:mentions'] = () => ({ ok: true, value: { people } });
    fake.handlers['comments:add'] = () => ({ ok: true, value: { commentId: '66666666-6666-4666-8666-666666666666', state: 'posted', reason: null } });
    await show();
    const box = host.querySelector<HTMLTextAreaElement>('textarea[aria-label="New comment"]')!;
    await act(async () => type(box, 'Look @ph'));
    await settle();
    const options = [...host.querySelectorAll('[role="option"]')].map((o) => o.textContent);
    expect(options).toEqual(['Phil PhysicianPhysicianWill be shared with', 'Pat OutsideReferrerCannot see it']);
    await act(async () => box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })));
    expect(box.value).toBe('Look @Phil Physician ');
    expect(host.textContent).toContain('Phil Physician cannot see this study yet: posting shares it with them first.');
    await act(async () => host.querySelector<HTMLButtonElement>('button[type="submit"]')!.click());
    await settle();
    const add = fake.calls.find((c) => c.name === 'comments:add');
    expect(add?.input).toMatchObject({ study: STUDY, text: 'Look @Phil Physician ', mentions: [{ id: people[0].id, name: 'Phil Physician' }], shareWith: [people[0].id], replyTo: null });

    // Someone the author may not share with: nothing is sent, and the reason is said.
    fake.calls.length = 0;
    await act(async () => type(box, 'And @pa'));
    await settle();
    await act(async () => box.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true })));
    await act(async () => box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })));
    await act(async () => host.querySelector<HTMLButtonElement>('button[type="submit"]')!.click());
    await settle();
    expect(fake.calls.some((c) => c.name === 'comments:add')).toBe(false);
    expect(host.querySelector('[role="alert"]')?.textContent).toMatch(/Pat Outside cannot see this study, and your role does not let you share it/);
  });

  it('refuses a comment over the limit before sending it', async () => {
    fake.handlers['comments:list'] = () => ({ ok: true, value: page([]) });
    await show();
    const box = host.querySelector<HTMLTextAreaElement>('textarea[aria-label="New comment"]')!;
    await act(async () => type(box, 'x'.repeat(10_001)));
    expect(host.querySelector('[role="alert"]')?.textContent).toMatch(/at most 10,000 characters/);
    expect(host.querySelector<HTMLButtonElement>('button[type="submit"]')!.disabled).toBe(true);
  });
});
