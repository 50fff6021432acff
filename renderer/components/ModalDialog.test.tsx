// @vitest-environment jsdom
/**
 * The dialog shell keeps keyboard focus inside while open and gives it back when closed: Tab from
 * the last control comes round to the first, Shift+Tab from the first goes to the last, Esc
 * closes, and focus returns to the button that opened the dialog.
 */
import { act, useState } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModalDialog } from './ModalDialog';

// React's act() outside a test renderer wants this flag.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

function App() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Open
      </button>
      {open && (
        <ModalDialog title="Example" onClose={() => setOpen(false)}>
          <input aria-label="Name" />
          <button type="button">Cancel</button>
          <button type="button">Save</button>
        </ModalDialog>
      )}
    </>
  );
}

const tab = (shift = false) => {
  const event = new KeyboardEvent('keydown', { key: 'Tab', keyCode: 9, shiftKey: shift, bubbles: true, cancelable: true });
  (document.activeElement ?? document.body).dispatchEvent(event);
};
const focused = () => (document.activeElement as HTMLElement | null)?.getAttribute('aria-label') ?? document.activeElement?.textContent;

describe('ModalDialog', () => {
  let root: Root;
  let host: HTMLDivElement;
  beforeEach(() => {
    host = document.createElement('div');
    document.body.append(host);
    root = createRoot(host);
  });
  afterEach(() => {
    act(() => root.unmount());
    host.remove();
  });

  it('traps Tab inside, closes on Esc and returns focus to the opener', async () => {
    act(() => root.render(<App />));
    const opener = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Open')!;
    opener.focus();
    await act(async () => opener.click());
    // focus-trap moves focus in on the next tick (so the key that opened the dialog does not act inside it).
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(document.querySelector('[role="dialog"]')?.getAttribute('aria-modal')).toBe('true');
    expect(focused()).toBe('Name');
    // From the last control, Tab comes round to the first; from the first, Shift+Tab goes to the last.
    (([...document.querySelectorAll('[role="dialog"] button')].at(-1)) as HTMLElement).focus();
    act(() => tab());
    expect(focused()).toBe('Name');
    act(() => tab(true));
    expect(focused()).toBe('Save');
    // Focus moved behind the backdrop (a stray click, a script) is brought back into the dialog.
    await act(async () => opener.focus());
    expect(document.querySelector('[role="dialog"]')!.contains(document.activeElement)).toBe(true);
    await act(async () => document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })));
    expect(document.querySelector('[role="dialog"]')).toBeNull();
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(document.activeElement).toBe(opener);
  });
});
