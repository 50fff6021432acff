/**
 * The workstation lock as a pure state machine: locked (and why, and who was signed in before)
 * or unlocked (by whom, and when they were last active). Times are milliseconds; no clock, no
 * timer, no I/O here — the service (workstation.ts) feeds it the time and acts on the result.
 */

/** Who is signed in at this computer: a hub account, or a local profile (no hub used). */
export type WorkstationUser =
  | {
      readonly kind: 'hub';
      readonly hubUserId: string;
      readonly name: string;
      readonly email: string;
      /** A site admin of the hub (may change the lock time). */
      readonly admin: boolean;
      /** The lock time the user's site sets (null: a hub from before site lock times, or a user outside any site). */
      readonly siteLockMinutes: number | null;
    }
  | { readonly kind: 'local'; readonly profileId: number; readonly name: string; readonly admin: boolean };

export type LockReason = 'start' | 'idle' | 'manual' | 'signed-out';

export type LockState =
  | { readonly kind: 'locked'; readonly reason: LockReason; readonly lastUser: WorkstationUser | null }
  | { readonly kind: 'unlocked'; readonly user: WorkstationUser; readonly lastActivity: number };

/** Hospital policies ask for 15 minutes at most; a site may choose less (or, within reason, more). */
export const DEFAULT_IDLE_MINUTES = 15;
export const MIN_IDLE_MINUTES = 1;
export const MAX_IDLE_MINUTES = 240;

export const INITIAL_STATE: LockState = { kind: 'locked', reason: 'start', lastUser: null };

/** Someone proved who they are (a password): unlocked for them, active now. */
export function unlock(_state: LockState, user: WorkstationUser, now: number): LockState {
  return { kind: 'unlocked', user, lastActivity: now };
}

/** Locks (the button, the keys, the hub session ending); locking a locked workstation keeps its first reason. */
export function lock(state: LockState, reason: LockReason): LockState {
  if (state.kind === 'locked') return state;
  return { kind: 'locked', reason, lastUser: state.user };
}

/** The person did something: the idle time starts again. Activity never unlocks. */
export function activity(state: LockState, now: number): LockState {
  if (state.kind === 'locked') return state;
  // A clock that went backwards (a time change) does not push the lock further away.
  return now > state.lastActivity ? { ...state, lastActivity: now } : state;
}

/** The timer's check: locked once nobody was active for `idleMs`. */
export function tick(state: LockState, now: number, idleMs: number): LockState {
  if (state.kind === 'locked') return state;
  return now - state.lastActivity >= idleMs ? lock(state, 'idle') : state;
}

/** When the workstation locks by itself if nothing happens (null while locked). */
export function lockDeadline(state: LockState, idleMs: number): number | null {
  return state.kind === 'unlocked' ? state.lastActivity + idleMs : null;
}
