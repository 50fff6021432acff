/**
 * Administration → Organisation (issue 13): the site's viewing policy and its departments, read
 * from the hub through main and changed there. Each change answers with what the hub now holds,
 * which replaces the screen's copy; a refusal shows the hub's sentence and changes nothing.
 */
import { create } from 'zustand';
import type { CallInput, CallName, CallOutput, DepartmentView, OrganisationPolicyView } from '../../../shared/contract';
import { api } from '../../lib/api';

interface OrganisationState {
  readonly policy: OrganisationPolicyView | null;
  readonly departments: readonly DepartmentView[] | null;
  readonly error: string | null;
  readonly notice: string | null;
  load: () => Promise<void>;
  /** Runs a change, then reloads; returns whether it worked. */
  change: <N extends CallName>(name: N, input: CallInput<N>, notice: string) => Promise<CallOutput<N> | null>;
}

export const useOrganisation = create<OrganisationState>()((set, get) => ({
  policy: null,
  departments: null,
  error: null,
  notice: null,
  load: async () => {
    const [policy, departments] = await Promise.all([api.call('organisation:policy', {}), api.call('organisation:departments', {})]);
    if (!policy.ok) return set({ error: policy.error.message });
    if (!departments.ok) return set({ error: departments.error.message });
    set({ policy: policy.value, departments: departments.value.departments, error: null });
  },
  change: async (name, input, notice) => {
    set({ error: null, notice: null });
    const result = await api.call(name, input);
    if (!result.ok) {
      set({ error: result.error.message });
      return null;
    }
    await get().load();
    set({ notice });
    return result.value;
  },
}));
