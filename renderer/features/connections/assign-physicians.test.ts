// @vitest-environment jsdom
/**
 * The Assign physicians dialog in a DOM over a fake main: a Physician connection takes one
 * physician (ticking another replaces it), Submit sends exactly the ticked ones and closes with
 * the outcome, a physician added from the dialog comes back ticked, and the hub's refusal stays
 * in the dialog in its words with nothing closed.
 */
import { act, createElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SiteConnectionView } from '../../../shared/hub-api/connections';
import { installFakeMain, ok, refused } from '../../test-support/fake-main';
import { AssignPhysiciansDialog } from './AssignPhysiciansDialog';
import { useConnections } from './connections-store';

const { handlers, calls, reset } = installFakeMain();
const ids = {
  connection: '00000000-0000-4000-8000-0000000000c1',
  user: '00000000-0000-4000-8000-0000000000c2',
  paula: '00000000-0000-4000-8000-0000000000d1',
  peter: '00000000-0000-4000-8000-0000000000d2',
  nora: '00000000-0000-4000-8000-0000000000d3',
};
const physicians = [
  { id: ids.peter, name: 'Dr Peter Parker', specialty: null },
  { id: ids.paula, name: 'Dr Paula Physician', specialty: 'Orthopaedics' },
];
const request = (kind: SiteConnectionView['kind']): SiteConnectionView => ({
  id: ids.connection,
  user: { id: ids.user, name: 'Rita Rep', email: 'rita@outside.example' },
  kind,
  status: 'review',
  createdAt: '2026-11-30T10:00:00.000Z',
  decidedAt: null,
  physicians: [],
});

let container: HTMLDivElement;
let root: Root;
const settle = () => act(() => new Promise((resolve) => setTimeout(resolve, 200)));
const box = (name: string) => container.ownerDocument.querySelector<HTMLInputElement>(`input[type="checkbox"][aria-label="${name}"]`);
const button = (text: string) => [...container.ownerDocument.querySelectorAll('button')].find((b) => b.textContent?.trim() === text)!;

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});
beforeEach(() => {
  reset();
  handlers['connections:physicians'] = () => ok({ physicians });
  handlers['connections:site'] = () => ok({ connections: [], reviewCount: 0, settings: null });
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
});
afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

async function open(connection: SiteConnectionView): Promise<void> {
  useConnections.setState({ assigning: connection, error: null, notice: null });
  await act(async () => root.render(createElement(AssignPhysiciansDialog, { connection })));
  await settle();
}

describe('Assign physicians', () => {
  it('keeps one physician for a Physician connection and sends exactly that one', async () => {
    handlers['connections:assign'] = (input) => ok({ ...request('physician'), status: 'assigned', physicians: physicians.filter((p) => input.physicianIds.includes(p.id)) });
    await open(request('physician'));
    await act(async () => box('Dr Paula Physician')!.click());
    await act(async () => box('Dr Peter Parker')!.click());
    expect(box('Dr Paula Physician')!.checked).toBe(false);
    expect(box('Dr Peter Parker')!.checked).toBe(true);
    await act(async () => button('Submit').click());
    await settle();
    expect(calls.filter((c) => c.name === 'connections:assign').map((c) => c.input)).toEqual([{ connectionId: ids.connection, physicianIds: [ids.peter] }]);
    expect(useConnections.getState().assigning).toBeNull();
    expect(useConnections.getState().notice).toBe('Rita Rep is connected to one physician and was told so.');
  });

  it('ticks several for a rep, adds a missing physician ticked, and keeps the hub’s refusal in the dialog', async () => {
    handlers['connections:create-physician'] = (input) => ok({ id: ids.nora, name: `Dr ${input.givenNames} ${input.familyName}`, specialty: null });
    handlers['connections:assign'] = () => refused('no-such-physician', 'One of the chosen physicians is not in your site’s directory (or no longer active). Reload the list.');
    await open(request('external-rep'));
    await act(async () => box('Dr Paula Physician')!.click());
    await act(async () => box('Dr Peter Parker')!.click());
    const field = (label: string) => container.ownerDocument.querySelector<HTMLInputElement>(`input[aria-label="${label}"]`)!;
    const type = async (input: HTMLInputElement, value: string) => {
      await act(async () => {
        Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, value);
        input.dispatchEvent(new Event('input', { bubbles: true }));
      });
    };
    await type(field('Given names'), 'Nora');
    await type(field('Family name'), 'Newcomer');
    await act(async () => button('Add and tick').click());
    await settle();
    expect(box('Dr Nora Newcomer')!.checked).toBe(true);
    await act(async () => button('Submit').click());
    await settle();
    const sent = calls.filter((c) => c.name === 'connections:assign').map((c) => (c.input as { physicianIds: string[] }).physicianIds.slice().sort());
    expect(sent).toEqual([[ids.paula, ids.peter, ids.nora].sort()]);
    expect(useConnections.getState().assigning).not.toBeNull();
    expect(container.ownerDocument.body.textContent).toContain('is not in your site’s directory');
  });
});
