/** The hub connection as the UI sees it: status pushed by main, and the actions on it. */
import { create } from 'zustand';
import type { ApiError, HubStatus } from '../../../shared/contract';
import { api } from '../../lib/api';

interface HubState {
  readonly status: HubStatus | null;
  readonly dialogOpen: boolean;
  readonly busy: boolean;
  readonly error: ApiError | null;
  load(): Promise<void>;
  receive(status: HubStatus): void;
  openDialog(): void;
  closeDialog(): void;
  setup(input: { siteName: string; adminName: string; email: string; password: string }): Promise<void>;
  signIn(input: { url?: string; email: string; password: string }): Promise<void>;
  signOut(): Promise<void>;
  syncNow(): Promise<void>;
  dismissRefused(): Promise<void>;
}

export const useHub = create<HubState>()((set, get) => {
  async function run(call: () => ReturnType<typeof api.call<'hub:status'>>, closeOnSuccess: boolean): Promise<void> {
    set({ busy: true, error: null });
    const result = await call();
    if (result.ok) set({ status: result.value, busy: false, dialogOpen: closeOnSuccess ? false : get().dialogOpen });
    else set({ busy: false, error: result.error });
  }
  return {
    status: null,
    dialogOpen: false,
    busy: false,
    error: null,
    load: async () => {
      const result = await api.call('hub:status', {});
      if (!result.ok) return;
      // First run: the embedded hub has no site yet, so the setup screen opens by itself.
      set({ status: result.value, dialogOpen: result.value.needsSetup || get().dialogOpen });
    },
    receive: (status) => set({ status }),
    openDialog: () => set({ dialogOpen: true, error: null }),
    closeDialog: () => set({ dialogOpen: false, error: null }),
    setup: (input) => run(() => api.call('hub:setup', input), true),
    signIn: (input) => run(() => api.call('hub:sign-in', input), true),
    signOut: () => run(() => api.call('hub:sign-out', {}), false),
    syncNow: () => run(() => api.call('hub:sync-now', {}), false),
    dismissRefused: () => run(() => api.call('hub:dismiss-refused', {}), false),
  };
});

/** Whether the signed-in user holds any admin.* permission or audit.view (and so sees Administration). */
export function canAdminister(status: HubStatus | null): boolean {
  return status?.user?.permissions.some((key) => key.startsWith('admin.') || key === 'audit.view') ?? false;
}

export function hasPermission(status: HubStatus | null, key: string): boolean {
  return status?.user?.permissions.includes(key) ?? false;
}
