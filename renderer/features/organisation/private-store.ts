/**
 * Actions → Make private / Unmark as private (issue 13): sends the selected studies to main,
 * which queues one operation each in the outbox (offline-first) and pushes it, and says what
 * happened in the share-status style: done, waiting for the hub, refused with why.
 */
import { create } from 'zustand';
import type { PrivateOutcome } from '../../../shared/contract';
import { api } from '../../lib/api';

type Ref = { readonly uid: string } | { readonly hubId: string };

interface PrivateState {
  readonly message: string | null;
  readonly refused: PrivateOutcome['refused'];
  readonly busy: boolean;
  /** Marks (or unmarks) the studies; `after` runs once the hub answered (to reload the list). */
  setPrivate: (studies: readonly Ref[], makePrivate: boolean, after?: () => void) => Promise<void>;
  dismiss: () => void;
}

/** One sentence for an outcome, as the share dialog says its own. */
export function describePrivateOutcome(outcome: PrivateOutcome, makePrivate: boolean): string {
  const verb = makePrivate ? 'made private' : 'no longer private';
  const parts: string[] = [];
  if (outcome.changed > 0) parts.push(`${outcome.changed === 1 ? '1 study' : `${outcome.changed} studies`} ${verb}`);
  if (outcome.pending > 0) parts.push(`${outcome.pending} waiting for the hub${outcome.online ? '' : ' (offline: sent when it answers)'}`);
  if (outcome.refused.length > 0) parts.push(`${outcome.refused.length} refused`);
  return parts.length === 0 ? 'Nothing changed.' : `${parts.join(', ')}.`;
}

export const usePrivateStudies = create<PrivateState>()((set) => ({
  message: null,
  refused: [],
  busy: false,
  setPrivate: async (studies, makePrivate, after) => {
    set({ busy: true, message: null, refused: [] });
    const result = await api.call('studies:set-private', { studies: [...studies], private: makePrivate });
    if (!result.ok) {
      set({ busy: false, message: result.error.message });
      return;
    }
    set({ busy: false, message: describePrivateOutcome(result.value, makePrivate), refused: result.value.refused });
    after?.();
  },
  dismiss: () => set({ message: null, refused: [] }),
}));
