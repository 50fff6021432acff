/**
 * Who the signed-in user is in the site's physician directory and whom they act for (issue 14),
 * and the doctor chosen in the My cases picker (null: All doctors). Loaded when someone signs in.
 */
import { create } from 'zustand';
import type { DelegationView, PhysicianView } from '../../../shared/hub-api/physicians';
import { api } from '../../lib/api';

interface PhysiciansState {
  readonly self: PhysicianView | null;
  readonly actsFor: readonly DelegationView[];
  readonly chosen: string | null;
  load(): Promise<void>;
  choose(physicianId: string | null): void;
}

let latest = 0;

export const useMyPhysicians = create<PhysiciansState>()((set) => ({
  self: null,
  actsFor: [],
  chosen: null,
  load: async () => {
    // Only the latest answer counts (the user may change while a slower answer is on its way).
    const request = ++latest;
    const result = await api.call('physicians:mine', {});
    if (request !== latest) return;
    set(result.ok ? { self: result.value.self, actsFor: result.value.actsFor, chosen: null } : { self: null, actsFor: [], chosen: null });
  },
  choose: (chosen) => set({ chosen }),
}));

/** Whether the user has cases at all: a physician of the directory, or someone acting for one. */
export const hasCases = (state: Pick<PhysiciansState, 'self' | 'actsFor'>): boolean => state.self !== null || state.actsFor.length > 0;
