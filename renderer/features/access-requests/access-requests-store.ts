/**
 * Access requests on the desktop (issue 13): the requests this user may answer (their uploads;
 * their site's studies for its admins), their own with the answers, asking for a study by its
 * link, and answering. Through main to the hub.
 */
import { create } from 'zustand';
import type { AccessRequestView } from '../../../shared/contract';
import { api } from '../../lib/api';

interface AccessRequestsState {
  readonly incoming: readonly AccessRequestView[];
  readonly mine: readonly AccessRequestView[];
  readonly open: boolean;
  readonly error: string | null;
  readonly notice: string | null;
  load: () => Promise<void>;
  show: (open: boolean) => void;
  ask: (study: string, message: string) => Promise<boolean>;
  decide: (id: string, approve: boolean) => Promise<void>;
}

export const useAccessRequests = create<AccessRequestsState>()((set, get) => ({
  incoming: [],
  mine: [],
  open: false,
  error: null,
  notice: null,
  load: async () => {
    const result = await api.call('access:requests', {});
    set(result.ok ? { incoming: result.value.incoming, mine: result.value.mine } : { incoming: [], mine: [] });
  },
  show: (open) => set({ open, error: null, notice: null }),
  ask: async (study, message) => {
    const result = await api.call('access:request', { study, message });
    if (!result.ok) {
      set({ error: result.error.message, notice: null });
      return false;
    }
    set({ error: null, notice: 'Asked. The study’s owner and its site’s administrators will answer; the answer shows here.' });
    await get().load();
    return true;
  },
  decide: async (id, approve) => {
    const result = await api.call('access:decide', { id, approve });
    set(result.ok ? { error: null, notice: approve ? `${result.value.requester.name} can now see the study (a direct share you can remove).` : `${result.value.requester.name}’s request was denied.` } : { error: result.error.message, notice: null });
    await get().load();
  },
}));
