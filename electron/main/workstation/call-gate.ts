/**
 * Which contract calls go through while the workstation is locked. Everything else — every call
 * that reads or changes patient data (studies, import, sharing, guest links, hub worklists,
 * audit, administration) and any call added later — is refused by `dispatch` with `locked`.
 * It is an allowlist on purpose: a new call is locked out until someone decides otherwise here.
 */
import type { ApiError, CallName } from '../../../shared/contract';

/**
 * `always`: harmless while locked (no patient data in, none out). `first-run`: only while no
 * hub has been chosen yet — otherwise someone at a locked workstation could switch it to a hub
 * of their own (or to none) and sign in there.
 */
export type LockedCallRule = 'always' | 'first-run';

export const CALLS_WHILE_LOCKED: Readonly<Partial<Record<CallName, LockedCallRule>>> = {
  'host:info': 'always',
  // The hub status is redacted while locked (no refused operations with their studies).
  'hub:status': 'always',
  // Signing in unlocks; the handler refuses signing in to another hub while locked.
  'hub:sign-in': 'always',
  // Creates a site on a hub that has none (the hub refuses once it has one).
  'hub:setup': 'always',
  'hub:probe': 'always',
  'hub:request-password-reset': 'always',
  'hub:connect': 'first-run',
  'workstation:status': 'always',
  'workstation:sign-in-local': 'always',
  // The service allows it while locked only when no profile exists yet.
  'workstation:create-profile': 'always',
  'workstation:lock': 'always',
  'workstation:activity': 'always',
};

export const LOCKED_ERROR: ApiError = { code: 'locked', message: 'Studyshare is locked. Sign in to continue.' };

/** The refusal for `name` in this state, or null when the call may go through. */
export function lockedRefusal(name: CallName, state: { readonly locked: boolean; readonly firstRun: boolean }): ApiError | null {
  if (!state.locked) return null;
  const rule = CALLS_WHILE_LOCKED[name];
  if (rule === 'always') return null;
  if (rule === 'first-run' && state.firstRun) return null;
  return LOCKED_ERROR;
}
