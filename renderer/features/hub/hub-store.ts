/** The hub connection as the UI sees it: status pushed by main, and the actions on it. */
import { create } from 'zustand';
import type { ApiError, CallInput, HubProbeView, HubStatus, HubSwitchPreview } from '../../../shared/contract';
import { api } from '../../lib/api';

interface HubState {
  readonly status: HubStatus | null;
  readonly dialogOpen: boolean;
  readonly busy: boolean;
  readonly error: ApiError | null;
  /** A hub address to join, from a join link opened on this computer. */
  readonly joinUrl: string | null;
  load: () => Promise<void>;
  /** Opens "Join your site's hub" with this address filled in. */
  offerJoin: (url: string) => void;
  receive: (status: HubStatus) => void;
  openDialog: () => void;
  closeDialog: () => void;
  clearError: () => void;
  setup: (input: CallInput<'hub:setup'>) => Promise<void>;
  signIn: (input: CallInput<'hub:sign-in'>) => Promise<void>;
  signOut: () => Promise<void>;
  syncNow: () => Promise<void>;
  dismissRefused: () => Promise<void>;
  /** Connects to another hub (or this computer's, or none); true when it did. */
  connect: (input: CallInput<'hub:connect'>) => Promise<boolean>;
  setEmbeddedSettings: (input: CallInput<'hub:embedded-settings'>) => Promise<boolean>;
}

export const useHub = create<HubState>()((set, get) => {
  async function run(call: () => ReturnType<typeof api.call<'hub:status'>>, closeOnSuccess: boolean): Promise<boolean> {
    set({ busy: true, error: null });
    const result = await call();
    if (result.ok) set({ status: result.value, busy: false, dialogOpen: closeOnSuccess ? false : get().dialogOpen });
    else set({ busy: false, error: result.error });
    return result.ok;
  }
  return {
    status: null,
    dialogOpen: false,
    busy: false,
    error: null,
    joinUrl: null,
    offerJoin: (url) => set({ joinUrl: url, dialogOpen: true, error: null }),
    load: async () => {
      const result = await api.call('hub:status', {});
      if (!result.ok) return;
      // First run (no hub chosen) or a site to set up: the hub dialog opens by itself.
      set({ status: result.value, dialogOpen: result.value.firstRun || result.value.needsSetup || get().dialogOpen });
    },
    receive: (status) => set({ status }),
    openDialog: () => set({ dialogOpen: true, error: null }),
    closeDialog: () => set({ dialogOpen: false, error: null, joinUrl: null }),
    clearError: () => set({ error: null }),
    setup: async (input) => void (await run(() => api.call('hub:setup', input), true)),
    signIn: async (input) => void (await run(() => api.call('hub:sign-in', input), true)),
    signOut: async () => void (await run(() => api.call('hub:sign-out', {}), false)),
    syncNow: async () => void (await run(() => api.call('hub:sync-now', {}), false)),
    dismissRefused: async () => void (await run(() => api.call('hub:dismiss-refused', {}), false)),
    connect: (input) => run(() => api.call('hub:connect', input), false),
    setEmbeddedSettings: (input) => run(() => api.call('hub:embedded-settings', input), false),
  };
});

/** Checks a hub address (nothing is saved): what is there, or what is wrong with it. */
export async function probeHub(url: string, trustedFingerprint: string | null): Promise<HubProbeView> {
  const result = await api.call('hub:probe', { url, trustedFingerprint });
  return result.ok ? result.value : { ok: false, code: result.error.code, message: result.error.message, certificate: null };
}

/**
 * Changes the signed-in hub user's password, given the current one: null when it did, else the
 * hub's reason as it said it (its password policy's sentence, a wrong current password).
 */
export async function changePassword(currentPassword: string, newPassword: string): Promise<ApiError | null> {
  const result = await api.call('hub:change-password', { currentPassword, newPassword });
  return result.ok ? null : result.error;
}

/** What switching hubs would let go of; null when it cannot be read. */
export async function switchPreview(): Promise<HubSwitchPreview | null> {
  const result = await api.call('hub:switch-preview', {});
  return result.ok ? result.value : null;
}

/** Whether the signed-in user holds any admin.* permission or audit.view (and so sees Administration). */
export function canAdminister(status: HubStatus | null): boolean {
  return status?.user?.permissions.some((key) => key.startsWith('admin.') || key === 'audit.view') ?? false;
}

export function hasPermission(status: HubStatus | null, key: string): boolean {
  return status?.user?.permissions.includes(key) ?? false;
}
