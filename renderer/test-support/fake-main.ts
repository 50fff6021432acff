/**
 * Main as the renderer's stores see it, for their unit tests: the preload bridge
 * (`window.studyshare`, typed by the contract) answering from the test's handlers. Every call is
 * recorded and its input checked with the contract's own schema, as main's dispatch does, so a
 * store cannot pass its test by sending what main would refuse. The renderer is untrusted and the
 * real main process needs Electron, so this typed stand-in for the boundary is what the stores
 * are tested against (their other side, main, has its own tests).
 */
import { afterAll } from 'vitest';
import type { CallInput, CallName, CallOutput, CallResult, StudyshareBridge } from '../../shared/contract';
import { CALLS } from '../../shared/contract-schemas';

export type Answer<N extends CallName> = CallResult<CallOutput<N>> | Promise<CallResult<CallOutput<N>>>;
export type Handlers = { [N in CallName]?: (input: CallInput<N>) => Answer<N> };

export interface FakeMain {
  /** The answer for each call; a call without one is refused as `not-faked`. */
  readonly handlers: Handlers;
  /** Every call made, in order. */
  readonly calls: { readonly name: CallName; readonly input: unknown }[];
  /** Forgets the handlers and the calls (between tests). */
  reset: () => void;
}

/** Installs the fake bridge as `window.studyshare` for this test file (removed after it). */
export function installFakeMain(): FakeMain {
  const handlers: Handlers = {};
  const calls: { readonly name: CallName; readonly input: unknown }[] = [];
  const bridge: StudyshareBridge = {
    call: async (name, input) => {
      calls.push({ name, input });
      if (!CALLS[name].input.safeParse(input).success) return { ok: false, error: { code: 'invalid-input', message: `The fake main refused the input of ${name}.` } };
      const handler = handlers[name];
      return handler === undefined ? { ok: false, error: { code: 'not-faked', message: `The fake main has no answer for ${name}.` } } : handler(input);
    },
    on: () => () => undefined,
  };
  (globalThis as { window?: unknown }).window = { studyshare: bridge };
  afterAll(() => void delete (globalThis as { window?: unknown }).window);
  return {
    handlers,
    calls,
    reset: () => {
      for (const name of Object.keys(handlers)) delete handlers[name as CallName];
      calls.length = 0;
    },
  };
}

/** A promise the test settles when it chooses (an answer that arrives late, or out of order). */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

export const ok = <T>(value: T) => ({ ok: true, value }) as const;
export const refused = (code: string, message: string) => ({ ok: false, error: { code, message } }) as const;
