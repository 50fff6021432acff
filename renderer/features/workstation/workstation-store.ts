/**
 * The workstation lock as the UI sees it: main's state (pushed as `workstation:state`), the lock
 * screen's sign-ins, locking on demand, the lock time, and the reports of activity that keep
 * main's idle timer from locking while someone works (at most one every 30 seconds).
 */
import { create } from 'zustand';
import type { ApiError, CallOutput, CallResult, WorkstationStatus } from '../../../shared/contract';
import { api } from '../../lib/api';

interface WorkstationState {
  readonly status: WorkstationStatus | null;
  readonly busy: boolean;
  readonly error: ApiError | null;
  load: () => Promise<void>;
  receive: (status: WorkstationStatus) => void;
  signInLocal: (name: string, password: string) => Promise<void>;
  createProfile: (name: string, password: string) => Promise<boolean>;
  lock: () => Promise<void>;
  setIdleMinutes: (minutes: number) => Promise<boolean>;
  clearError: () => void;
}

type StatusCall = 'workstation:sign-in-local' | 'workstation:create-profile' | 'workstation:lock' | 'workstation:set-idle-minutes';

export const useWorkstation = create<WorkstationState>()((set) => {
  async function run(call: () => Promise<CallResult<CallOutput<StatusCall>>>): Promise<boolean> {
    set({ busy: true, error: null });
    const result = await call();
    set(result.ok ? { status: result.value, busy: false } : { busy: false, error: result.error });
    return result.ok;
  }
  return {
    status: null,
    busy: false,
    error: null,
    load: async () => {
      const result = await api.call('workstation:status', {});
      if (result.ok) set({ status: result.value });
    },
    receive: (status) => set({ status, error: null }),
    signInLocal: async (name, password) => void (await run(() => api.call('workstation:sign-in-local', { name, password }))),
    createProfile: (name, password) => run(() => api.call('workstation:create-profile', { name, password })),
    lock: async () => void (await run(() => api.call('workstation:lock', {}))),
    setIdleMinutes: (minutes) => run(() => api.call('workstation:set-idle-minutes', { minutes })),
    clearError: () => set({ error: null }),
  };
});

export const ACTIVITY_REPORT_MS = 30_000;
const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;

/**
 * Reports the person's activity to main, at most once per `every` ms (the first event after a
 * quiet spell goes at once, so main hears of activity at most that late). Returns the undo.
 */
export function startActivityReports(target: Pick<Window, 'addEventListener' | 'removeEventListener'> = window, every = ACTIVITY_REPORT_MS, now = () => Date.now(), report: () => void = () => void api.call('workstation:activity', {})): () => void {
  let last = -Infinity;
  const onActivity = (): void => {
    const time = now();
    if (time - last < every) return;
    last = time;
    report();
  };
  for (const name of ACTIVITY_EVENTS) target.addEventListener(name, onActivity, { passive: true, capture: true });
  return () => {
    for (const name of ACTIVITY_EVENTS) target.removeEventListener(name, onActivity, { capture: true });
  };
}
