import { describe, expect, it } from 'vitest';
import { INITIAL_STATE, activity, lock, lockDeadline, tick, unlock, type LockState, type WorkstationUser } from './lock-machine';

const ada: WorkstationUser = { kind: 'hub', hubUserId: 'u-ada', name: 'Ada Admin', email: 'ada@example.org', admin: true, siteLockMinutes: null };
const local: WorkstationUser = { kind: 'local', profileId: 1, name: 'Desk 4', admin: false };
const MINUTE = 60_000;
const idle = 15 * MINUTE;
const unlockedAt = (t: number, user = ada): LockState => unlock(INITIAL_STATE, user, t);

describe('the workstation lock', () => {
  it('starts locked, for nobody', () => {
    expect(INITIAL_STATE).toEqual({ kind: 'locked', reason: 'start', lastUser: null });
    expect(lockDeadline(INITIAL_STATE, idle)).toBeNull();
  });

  it.each<[string, LockState, LockState]>([
    ['a password unlocks', unlockedAt(0), { kind: 'unlocked', user: ada, lastActivity: 0 }],
    ['the lock button locks and remembers who was signed in', lock(unlockedAt(0), 'manual'), { kind: 'locked', reason: 'manual', lastUser: ada }],
    ['locking again keeps the first reason', lock(lock(unlockedAt(0), 'idle'), 'manual'), { kind: 'locked', reason: 'idle', lastUser: ada }],
    ['activity never unlocks', activity(INITIAL_STATE, 5), INITIAL_STATE],
    ['activity moves the idle time on', activity(unlockedAt(0), 10 * MINUTE), { kind: 'unlocked', user: ada, lastActivity: 10 * MINUTE }],
    ['a clock going backwards does not move it back', activity(unlockedAt(10 * MINUTE), 5 * MINUTE), { kind: 'unlocked', user: ada, lastActivity: 10 * MINUTE }],
    ['one millisecond short of the lock time stays unlocked', tick(unlockedAt(0), idle - 1, idle), unlockedAt(0)],
    ['the lock time without activity locks', tick(unlockedAt(0), idle, idle), { kind: 'locked', reason: 'idle', lastUser: ada }],
    ['activity just before keeps it unlocked', tick(activity(unlockedAt(0), idle - 1), idle + 5, idle), { kind: 'unlocked', user: ada, lastActivity: idle - 1 }],
    ['the timer on a locked workstation changes nothing', tick(INITIAL_STATE, 10 * idle, idle), INITIAL_STATE],
    ['another person unlocks a locked workstation', unlock(lock(unlockedAt(0), 'manual'), local, 7), { kind: 'unlocked', user: local, lastActivity: 7 }],
  ])('%s', (_what, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  it('says when it will lock by itself', () => {
    expect(lockDeadline(activity(unlockedAt(0), 3 * MINUTE), idle)).toBe(18 * MINUTE);
  });
});
