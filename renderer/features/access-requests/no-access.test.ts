// @vitest-environment jsdom
/**
 * "You do not have access" in a DOM over a fake main: nothing of the study is shown, *Request
 * access* asks the hub for that study with the message, says so, and a refusal keeps the hub's
 * reason; which refusals mean "not there, or not yours" (both read the same).
 */
import { act, createElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { installFakeMain, ok, refused } from '../../test-support/fake-main';
import { useAccessRequests } from './access-requests-store';
import { NoAccess, isNoAccess } from './NoAccess';

const { handlers, calls, reset } = installFakeMain();
const STUDY = '00000000-0000-4000-8000-0000000000aa';
let container: HTMLDivElement;
let root: Root;
const settle = () => act(() => new Promise((resolve) => setTimeout(resolve, 0)));

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});
beforeEach(() => {
  reset();
  useAccessRequests.setState({ error: null, notice: null, incoming: [], mine: [] });
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
});
afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

async function show(): Promise<void> {
  await act(async () => root.render(createElement(NoAccess, { studyId: STUDY })));
  await settle();
}

async function ask(message: string): Promise<void> {
  const box = container.querySelector('textarea')!;
  await act(async () => {
    Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')!.set!.call(box, message);
    box.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await act(async () => (container.querySelector('button[type="submit"]') as HTMLButtonElement).click());
  await settle();
}

describe('You do not have access', () => {
  it('shows no study, asks for access with the message, and says it was asked', async () => {
    handlers['access:request'] = () => ok({ id: '00000000-0000-4000-8000-0000000000bb' } as never);
    handlers['access:requests'] = () => ok({ incoming: [], mine: [] });
    await show();
    expect(container.querySelector('[role="region"]')?.getAttribute('aria-label')).toBe('You do not have access');
    expect(container.textContent).toMatch(/not on the hub, or it is not shared with you/);
    await ask('For the tumour board');
    expect(calls.find((c) => c.name === 'access:request')?.input).toEqual({ study: STUDY, message: 'For the tumour board' });
    expect(container.textContent).toMatch(/Asked\. The study’s owner/);
    expect(container.querySelector('form')).toBeNull();
  });

  it('keeps the hub’s reason when asking is refused, and the form to try again', async () => {
    handlers['access:request'] = () => refused('already-asked', 'You asked for this study already; its owner has not answered yet.');
    await show();
    await ask('');
    expect(container.textContent).toMatch(/asked for this study already/);
    expect(container.querySelector('form')).not.toBeNull();
  });

  it('reads "not found" and "forbidden" alike, and nothing else as no access', () => {
    expect(['study-not-found', 'not-found', 'forbidden'].every(isNoAccess)).toBe(true);
    expect(isNoAccess('hub-unreachable')).toBe(false);
  });
});
