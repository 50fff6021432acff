/**
 * The workstation lock as a service: who is signed in at this computer (a hub account or a local
 * profile), the idle timer that locks it, locking on demand, and the gate `dispatch` asks before
 * every call. Its state is pushed as the `workstation:state` event. The rules are in
 * lock-machine.ts (states) and call-gate.ts (what runs while locked); the profiles in
 * local-profiles.ts. The lock time is the site's policy for a hub user (the hub says it when they
 * sign in, and an admin of the site changes it through the hub) and a setting in the local
 * database for local profiles (and for hubs from before site lock times).
 */
import type Database from 'better-sqlite3';
import type { ApiError, CallName, WorkstationStatus } from '../../../shared/contract';
import { AppError } from '../api/app-error';
import type { EventBus } from '../api/event-bus';
import type { IndexViewer } from '../study-index/local-visibility';
import { prepared } from '../study-index/statement-cache';
import { lockedRefusal } from './call-gate';
import { countProfiles, createProfile, ProfileNameTakenError, verifyProfile } from './local-profiles';
import {
  DEFAULT_IDLE_MINUTES,
  INITIAL_STATE,
  MAX_IDLE_MINUTES,
  MIN_IDLE_MINUTES,
  activity,
  lock,
  tick,
  unlock,
  type LockReason,
  type LockState,
  type WorkstationUser,
} from './lock-machine';

export interface WorkstationOptions {
  readonly db: Database.Database;
  readonly bus: EventBus;
  /** Which hub is used: 'off' (with a chosen config) means local profiles sign in here. */
  readonly hubState: () => { readonly mode: 'embedded' | 'remote' | 'off'; readonly firstRun: boolean };
  /** Milliseconds since the epoch (tests move it). */
  readonly now?: () => number;
  /** How often the idle timer looks; 0: never (tests call `checkIdle`). Default 5 s. */
  readonly checkEveryMs?: number;
  /** Sets the signed-in hub user's site's lock time on the hub; answers the value the hub kept. */
  readonly saveSiteLockMinutes?: (minutes: number) => Promise<number>;
}

const IDLE_KEY = 'lock_idle_minutes';
/** Wrong local passwords in a row before sign-in waits, and how long it waits. */
const MAX_FAILURES = 5;
const BACKOFF_MS = 30_000;

export class Workstation {
  private state: LockState = INITIAL_STATE;
  private readonly timer: NodeJS.Timeout | null;
  private failures = 0;
  private blockedUntil = 0;

  constructor(private readonly options: WorkstationOptions) {
    const every = options.checkEveryMs ?? 5_000;
    this.timer = every > 0 ? setInterval(() => this.checkIdle(), every) : null;
    this.timer?.unref();
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  get locked(): boolean {
    return this.state.kind === 'locked';
  }

  get user(): WorkstationUser | null {
    return this.state.kind === 'unlocked' ? this.state.user : null;
  }

  /** Whose visibility rules the local index applies: the signed-in person (locked: nobody, a local profile's rules). */
  viewer(): IndexViewer {
    const user = this.user;
    return { hubUserId: user?.kind === 'hub' ? user.hubUserId : null };
  }

  /** The gate in front of every contract call (dispatch.ts). */
  refusal(name: CallName): ApiError | null {
    return lockedRefusal(name, { locked: this.locked, firstRun: this.options.hubState().firstRun });
  }

  /** The site's lock time when a hub user whose hub sets one is signed in; null: this computer's setting applies. */
  private siteLockMinutes(): number | null {
    const user = this.user;
    return user?.kind === 'hub' ? user.siteLockMinutes : null;
  }

  idleMinutes(): number {
    const site = this.siteLockMinutes();
    if (site !== null) return site;
    const stored = Number((prepared(this.options.db, 'SELECT value FROM workstation_settings WHERE key = ?').get(IDLE_KEY) as { value: string } | undefined)?.value);
    return Number.isInteger(stored) && stored >= MIN_IDLE_MINUTES && stored <= MAX_IDLE_MINUTES ? stored : DEFAULT_IDLE_MINUTES;
  }

  status(): WorkstationStatus {
    const hub = this.options.hubState();
    const user = this.user;
    const last = this.state.kind === 'locked' ? this.state.lastUser : null;
    const signIn = hub.mode === 'off' && !hub.firstRun ? (countProfiles(this.options.db) > 0 ? 'local-profile' : 'create-profile') : 'hub';
    return {
      locked: this.locked,
      reason: this.state.kind === 'locked' ? this.state.reason : null,
      user: user === null ? null : { kind: user.kind, name: user.name, mayChangeLockTime: user.admin },
      lastUser: last === null ? null : { kind: last.kind, name: last.name, login: last.kind === 'hub' ? last.email : last.name },
      idleMinutes: this.idleMinutes(),
      lockTimeSetBy: this.siteLockMinutes() === null ? 'computer' : 'site',
      signIn,
    };
  }

  private set(next: LockState): WorkstationStatus {
    const changed = next.kind !== this.state.kind || (next.kind === 'unlocked' && this.state.kind === 'unlocked' && next.user !== this.state.user);
    this.state = next;
    const status = this.status();
    if (changed) this.options.bus.emit('workstation:state', status);
    return status;
  }

  lock(reason: LockReason = 'manual'): WorkstationStatus {
    return this.set(lock(this.state, reason));
  }

  /** The person did something (the renderer reports it, throttled): the idle time starts again. */
  activity(): { locked: boolean } {
    this.state = activity(this.state, this.now());
    return { locked: this.locked };
  }

  /** Locks when nobody was active for the lock time (the timer calls it; tests too). */
  checkIdle(): void {
    this.set(tick(this.state, this.now(), this.idleMinutes() * 60_000));
  }

  /** A hub user proved who they are (signed in with their password, or created the site). */
  unlockAsHubUser(user: { readonly id: string; readonly name: string; readonly email: string; readonly permissions: readonly string[]; readonly lockMinutes: number | null }): WorkstationStatus {
    // A site admin (who manages users) may change the site's lock time.
    const admin = user.permissions.includes('admin.users');
    return this.set(unlock(this.state, { kind: 'hub', hubUserId: user.id, name: user.name, email: user.email, admin, siteLockMinutes: user.lockMinutes }, this.now()));
  }

  /** The hub said the site's lock time again (read while signed in, or just changed): it applies at once to its user. */
  siteLockMinutesChanged(hubUserId: string, minutes: number | null): void {
    const state = this.state;
    if (state.kind !== 'unlocked' || state.user.kind !== 'hub' || state.user.hubUserId !== hubUserId || state.user.siteLockMinutes === minutes) return;
    this.set({ ...state, user: { ...state.user, siteLockMinutes: minutes } });
  }

  /** The hub says nobody is signed in any more (signed out, session ended, hub changed): a hub user's workstation locks. */
  hubUserGone(currentHubUserId: string | null): void {
    const user = this.user;
    if (user?.kind === 'hub' && user.hubUserId !== currentHubUserId) this.lock('signed-out');
  }

  private requireLocalProfiles(): void {
    const hub = this.options.hubState();
    if (hub.mode !== 'off' || hub.firstRun) throw new AppError('hub-sign-in', 'This computer uses a hub: sign in with your hub account.');
  }

  async signInLocal(name: string, password: string): Promise<WorkstationStatus> {
    this.requireLocalProfiles();
    if (this.now() < this.blockedUntil) throw new AppError('too-many-attempts', 'Too many wrong passwords. Wait half a minute, then try again.');
    const profile = await verifyProfile(this.options.db, name, password);
    if (profile === null) {
      this.failures += 1;
      if (this.failures >= MAX_FAILURES) {
        this.failures = 0;
        this.blockedUntil = this.now() + BACKOFF_MS;
      }
      throw new AppError('wrong-credentials', 'The name or the password is wrong.');
    }
    this.failures = 0;
    return this.set(unlock(this.state, { kind: 'local', profileId: profile.id, name: profile.name, admin: profile.admin }, this.now()));
  }

  /**
   * A local profile: while locked only the first one (nobody to ask yet), which signs in at once;
   * later ones by a signed-in local admin (who stays signed in).
   */
  async createProfile(name: string, password: string): Promise<WorkstationStatus> {
    this.requireLocalProfiles();
    const first = countProfiles(this.options.db) === 0;
    const user = this.user;
    if (!first && !(user?.kind === 'local' && user.admin)) {
      throw new AppError('forbidden', 'Only the administrator of this computer’s profiles can add a profile.');
    }
    let profile;
    try {
      profile = await createProfile(this.options.db, name, password);
    } catch (error) {
      if (error instanceof ProfileNameTakenError) throw new AppError('name-taken', 'A profile with that name exists already.');
      throw error;
    }
    if (!first) return this.status();
    return this.set(unlock(this.state, { kind: 'local', profileId: profile.id, name: profile.name, admin: profile.admin }, this.now()));
  }

  /**
   * The lock time, set by a site admin (for the whole site, through the hub) or the local
   * profiles' admin (for this computer).
   */
  async setIdleMinutes(minutes: number): Promise<WorkstationStatus> {
    const user = this.user;
    if (user?.admin !== true) throw new AppError('forbidden', 'Only an administrator can change the lock time.');
    if (user.kind === 'hub' && user.siteLockMinutes !== null) {
      if (this.options.saveSiteLockMinutes === undefined) throw new AppError('no-hub', 'The site’s lock time is changed on its hub, which this computer does not reach.');
      const saved = await this.options.saveSiteLockMinutes(minutes);
      this.siteLockMinutesChanged(user.hubUserId, saved);
      return this.status();
    }
    prepared(this.options.db, 'INSERT INTO workstation_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(IDLE_KEY, String(minutes));
    const status = this.status();
    this.options.bus.emit('workstation:state', status);
    return status;
  }

  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
  }
}
