/** The site administration data (from the hub, through main) and the changes an admin makes. */
import { create } from 'zustand';
import type { AdminOverview, CallInput, CallName, CallOutput, CallResult } from '../../../shared/contract';
import { api } from '../../lib/api';

interface AdminState {
  readonly overview: AdminOverview | null;
  readonly loading: boolean;
  readonly error: string | null;
  readonly notice: string | null;
  load: () => Promise<void>;
  /** Runs an admin call, then reloads; returns whether it worked. */
  change: <N extends CallName>(name: N, input: CallInput<N>, notice: string) => Promise<boolean>;
}

export const useAdmin = create<AdminState>()((set, get) => ({
  overview: null,
  loading: false,
  error: null,
  notice: null,
  load: async () => {
    set({ loading: true });
    const result = await api.call('admin:overview', {});
    // A load that works clears what the last one that failed said (the hub is back).
    set(result.ok ? { overview: result.value, loading: false, error: null } : { loading: false, error: result.error.message });
  },
  change: async (name, input, notice) => {
    set({ error: null, notice: null });
    const result: CallResult<CallOutput<typeof name>> = await api.call(name, input);
    if (!result.ok) {
      set({ error: result.error.message });
      return false;
    }
    // The notice appears once the screen shows the change, not before.
    await get().load();
    set({ notice });
    return true;
  },
}));
