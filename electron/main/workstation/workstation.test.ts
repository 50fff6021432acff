/**
 * Local profiles (hash, wrong password, create) and the workstation service around them: the
 * first profile is created from the lock screen and signs in; later ones need its admin; wrong
 * passwords wait after five; the idle time locks; only an admin changes it.
 */
import { describe, expect, it } from 'vitest';
import { EventBus } from '../api/event-bus';
import { openIndexDatabase } from '../db/connection';
import { countProfiles, createProfile, hashProfilePassword, profilePasswordMatches, verifyProfile } from './local-profiles';
import { Workstation } from './workstation';

describe('local profiles', () => {
  it('keeps a salted scrypt hash, never the password', async () => {
    const one = await hashProfilePassword('a long local password');
    const two = await hashProfilePassword('a long local password');
    expect(one).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(one).not.toBe(two);
    expect(one).not.toContain('local password');
    expect(await profilePasswordMatches('a long local password', one)).toBe(true);
    expect(await profilePasswordMatches('a long local passworD', one)).toBe(false);
    expect(await profilePasswordMatches('anything', 'not-a-hash')).toBe(false);
  });

  it('creates profiles (the first is the admin), refuses a taken name, and checks name and password', async () => {
    const db = openIndexDatabase(':memory:');
    expect(countProfiles(db)).toBe(0);
    expect(await createProfile(db, ' Desk 4 ', 'a long local password')).toMatchObject({ name: 'Desk 4', admin: true });
    expect(await createProfile(db, 'Night Nurse', 'another long password')).toMatchObject({ admin: false });
    await expect(createProfile(db, 'desk 4', 'whatever it is')).rejects.toThrow(/taken/);
    expect(await verifyProfile(db, 'DESK 4', 'a long local password')).toMatchObject({ name: 'Desk 4', admin: true });
    expect(await verifyProfile(db, 'Desk 4', 'another long password')).toBeNull();
    expect(await verifyProfile(db, 'Nobody', 'a long local password')).toBeNull();
    const stored = db.prepare('SELECT password_hash AS hash FROM local_profiles').all() as { hash: string }[];
    expect(stored.map((row) => row.hash).join()).not.toContain('password');
  });
});

function workstation(mode: 'off' | 'embedded' = 'off', saveSiteLockMinutes?: (minutes: number) => Promise<number>) {
  const db = openIndexDatabase(':memory:');
  const bus = new EventBus();
  const events: string[] = [];
  bus.subscribe((name, payload) => events.push(`${name}:${(payload as { locked?: boolean }).locked ? 'locked' : 'unlocked'}`));
  let now = 1_000_000;
  const service = new Workstation({ db, bus, hubState: () => ({ mode, firstRun: false }), now: () => now, checkEveryMs: 0, saveSiteLockMinutes });
  return { service, events, advance: (ms: number) => (now += ms) };
}

describe('the workstation service', () => {
  it('offers to create the first profile, which signs in; a second needs the admin', async () => {
    const { service, events } = workstation();
    expect(service.status()).toMatchObject({ locked: true, reason: 'start', signIn: 'create-profile', idleMinutes: 15 });
    expect(await service.createProfile('Desk 4', 'a long local password')).toMatchObject({ locked: false, user: { kind: 'local', name: 'Desk 4', mayChangeLockTime: true } });
    expect(events).toEqual(['workstation:state:unlocked']);
    service.lock();
    expect(service.status()).toMatchObject({ locked: true, reason: 'manual', signIn: 'local-profile', lastUser: { kind: 'local', login: 'Desk 4' } });
    await expect(service.createProfile('Intruder', 'a long local password')).rejects.toMatchObject({ code: 'forbidden' });
    await service.signInLocal('desk 4', 'a long local password');
    expect(await service.createProfile('Night Nurse', 'another long password')).toMatchObject({ user: { name: 'Desk 4' } });
  });

  it('refuses a wrong password, then makes the sixth attempt wait', async () => {
    const { service, advance } = workstation();
    await service.createProfile('Desk 4', 'a long local password');
    service.lock();
    for (let i = 0; i < 5; i++) await expect(service.signInLocal('Desk 4', 'wrong')).rejects.toMatchObject({ code: 'wrong-credentials' });
    await expect(service.signInLocal('Desk 4', 'a long local password')).rejects.toMatchObject({ code: 'too-many-attempts' });
    advance(30_000);
    expect(await service.signInLocal('Desk 4', 'a long local password')).toMatchObject({ locked: false });
  });

  it('locks after the idle time, which only an admin changes', async () => {
    const { service, advance, events } = workstation();
    await service.createProfile('Desk 4', 'a long local password');
    advance(14 * 60_000);
    service.activity();
    advance(14 * 60_000);
    service.checkIdle();
    expect(service.locked).toBe(false);
    advance(60_000);
    service.checkIdle();
    expect(service.status()).toMatchObject({ locked: true, reason: 'idle' });
    expect(events.at(-1)).toBe('workstation:state:locked');
    await expect(service.setIdleMinutes(5)).rejects.toThrow(/Only an administrator/);
    await service.signInLocal('Desk 4', 'a long local password');
    expect(await service.setIdleMinutes(5)).toMatchObject({ idleMinutes: 5, lockTimeSetBy: 'computer' });
    advance(5 * 60_000);
    service.checkIdle();
    expect(service.locked).toBe(true);
  });

  it('signs in with the hub account where a hub is used, and locks when that user goes', () => {
    const { service } = workstation('embedded');
    expect(service.status().signIn).toBe('hub');
    return expect(service.signInLocal('Desk 4', 'x')).rejects.toMatchObject({ code: 'hub-sign-in' }).then(() => {
      service.unlockAsHubUser({ id: 'u-1', name: 'Tess Tech', email: 'tess@example.org', permissions: ['studies.import'], lockMinutes: 15 });
      expect(service.status().user).toEqual({ kind: 'hub', name: 'Tess Tech', mayChangeLockTime: false });
      expect(service.viewer()).toEqual({ hubUserId: 'u-1' });
      service.hubUserGone('u-1');
      expect(service.locked).toBe(false);
      service.hubUserGone(null);
      expect(service.status()).toMatchObject({ locked: true, reason: 'signed-out', lastUser: { kind: 'hub', login: 'tess@example.org' } });
      expect(service.viewer()).toEqual({ hubUserId: null });
    });
  });

  it('uses the site’s lock time for a hub user, this computer’s for a local profile and where the hub says none', async () => {
    const { service, advance } = workstation('embedded');
    service.unlockAsHubUser({ id: 'u-1', name: 'Tess Tech', email: 'tess@example.org', permissions: [], lockMinutes: 5 });
    expect(service.status()).toMatchObject({ idleMinutes: 5, lockTimeSetBy: 'site', user: { mayChangeLockTime: false } });
    await expect(service.setIdleMinutes(30)).rejects.toMatchObject({ code: 'forbidden' });
    advance(4 * 60_000);
    service.checkIdle();
    expect(service.locked).toBe(false);
    advance(60_000);
    service.checkIdle();
    expect(service.status()).toMatchObject({ locked: true, reason: 'idle' });
    // Someone outside any site, or a hub from before site lock times: the computer's setting.
    service.unlockAsHubUser({ id: 'u-2', name: 'Ext', email: 'ext@example.org', permissions: [], lockMinutes: null });
    expect(service.status()).toMatchObject({ idleMinutes: 15, lockTimeSetBy: 'computer' });
  });

  it('keeps the local setting for local profiles whatever a site said', async () => {
    const { service } = workstation('off');
    await service.createProfile('Desk 4', 'a long local password');
    expect(await service.setIdleMinutes(20)).toMatchObject({ idleMinutes: 20, lockTimeSetBy: 'computer' });
    service.siteLockMinutesChanged('u-1', 3);
    expect(service.status()).toMatchObject({ idleMinutes: 20, lockTimeSetBy: 'computer' });
  });

  it('applies a site lock time the hub says again at once, for that user only', () => {
    const { service, events, advance } = workstation('embedded');
    service.unlockAsHubUser({ id: 'u-1', name: 'Tess Tech', email: 'tess@example.org', permissions: [], lockMinutes: 15 });
    service.siteLockMinutesChanged('u-other', 1);
    expect(service.idleMinutes()).toBe(15);
    service.siteLockMinutesChanged('u-1', 2);
    expect(service.status()).toMatchObject({ idleMinutes: 2, lockTimeSetBy: 'site', locked: false });
    expect(events.at(-1)).toBe('workstation:state:unlocked');
    advance(2 * 60_000);
    service.checkIdle();
    expect(service.locked).toBe(true);
  });

  it('lets a site admin change the site’s lock time through the hub (not this computer’s setting)', async () => {
    const saved: number[] = [];
    const { service } = workstation('embedded', async (minutes) => {
      saved.push(minutes);
      return minutes;
    });
    service.unlockAsHubUser({ id: 'u-admin', name: 'Ada Admin', email: 'ada@example.org', permissions: ['admin.users'], lockMinutes: 15 });
    expect(service.status()).toMatchObject({ user: { mayChangeLockTime: true }, lockTimeSetBy: 'site' });
    expect(await service.setIdleMinutes(10)).toMatchObject({ idleMinutes: 10, lockTimeSetBy: 'site' });
    expect(saved).toEqual([10]);
    // This computer's own setting stayed as it was: a local profile or another hub's user keeps it.
    service.unlockAsHubUser({ id: 'u-2', name: 'Ext', email: 'ext@example.org', permissions: [], lockMinutes: null });
    expect(service.idleMinutes()).toBe(15);
  });

  it('says so when the hub refuses the site’s lock time, and keeps the value', async () => {
    const { service } = workstation('embedded', () => Promise.reject(Object.assign(new Error('The hub cannot be reached.'), { code: 'hub-unreachable' })));
    service.unlockAsHubUser({ id: 'u-admin', name: 'Ada Admin', email: 'ada@example.org', permissions: ['admin.users'], lockMinutes: 15 });
    await expect(service.setIdleMinutes(10)).rejects.toMatchObject({ code: 'hub-unreachable' });
    expect(service.idleMinutes()).toBe(15);
  });
});
