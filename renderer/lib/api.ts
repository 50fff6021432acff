/**
 * The renderer's only door to main. Inside Electron it uses the preload's `window.studyshare`;
 * in browser mode it speaks the same contract over loopback HTTP (calls) and SSE (events), with
 * the session key the address carried in its fragment.
 */
import {
  EVENT_NAMES,
  type CallInput,
  type CallName,
  type CallOutput,
  type CallResult,
  type EventName,
  type EventPayloads,
  type StudyshareBridge,
} from '../../shared/contract';

declare global {
  interface Window {
    studyshare?: StudyshareBridge;
  }
}

const TOKEN_KEY = 'studyshare.session';

/** Takes the key from `#token=…` once, then clears it from the address bar. */
function sessionToken(): string {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (match !== null) {
    sessionStorage.setItem(TOKEN_KEY, match[1]);
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

function httpBridge(): StudyshareBridge {
  const token = sessionToken();
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  let source: EventSource | null = null;

  const connect = (): void => {
    if (source !== null) return;
    source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (event) => {
        const payload = JSON.parse((event as MessageEvent<string>).data) as never;
        for (const listener of listeners.get(name) ?? []) listener(payload);
      });
    }
  };

  return {
    async call(name, input) {
      try {
        const response = await fetch(`/api/call/${encodeURIComponent(name)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(input ?? {}),
        });
        return (await response.json()) as never;
      } catch {
        return { ok: false, error: { code: 'unreachable', message: 'Studyshare is not responding. Is it still running?' } };
      }
    },
    on(name, listener) {
      connect();
      let set = listeners.get(name);
      if (set === undefined) {
        set = new Set();
        listeners.set(name, set);
      }
      set.add(listener);
      return () => set.delete(listener);
    },
  };
}

/**
 * Headers a same-origin request to main needs besides the contract (the viewer's instance bytes
 * at /viewer-data/): the browser mode's key as a Bearer header; nothing inside Electron, where
 * app:// answers the page alone.
 */
export function transportHeaders(): Record<string, string> {
  if (window.studyshare !== undefined) return {};
  current();
  return { authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ''}` };
}

let bridge: StudyshareBridge | null = null;
function current(): StudyshareBridge {
  bridge ??= window.studyshare ?? httpBridge();
  return bridge;
}

export const api = {
  call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallResult<CallOutput<N>>> {
    return current().call(name, input);
  },
  on<E extends EventName>(name: E, listener: (payload: EventPayloads[E]) => void): () => void {
    return current().on(name, listener);
  },
};
