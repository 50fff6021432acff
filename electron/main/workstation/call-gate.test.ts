/**
 * The gate in front of every call: while locked, every call that is not on the allowlist is
 * refused with `locked` before its handler (or even its input) is looked at. The list of calls
 * comes from the contract, so a call added later is covered without touching this test.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CALL_NAMES, type CallName } from '../../../shared/contract';
import { createStudyshareApp, type StudyshareApp } from '../app/create-app';
import { CALL_GATE, dispatch, type Handlers } from '../api/dispatch';
import { tempDir } from '../test-support/temp-dir';
import { CALLS_WHILE_LOCKED, lockedRefusal } from './call-gate';

const LOCKED_OUT = CALL_NAMES.filter((name) => CALLS_WHILE_LOCKED[name] === undefined);

describe('the lock gate (pure)', () => {
  it('locks out every call that touches patient data', () => {
    for (const name of ['studies:query', 'studies:details', 'sharing:share', 'sharing:study', 'audit:query', 'audit:export', 'import:start', 'admin:overview', 'guest-links:create', 'hub-worklists:studies', 'hub:sync-now'] as const) {
      expect(LOCKED_OUT).toContain(name);
    }
  });

  it.each(CALL_NAMES.map((name) => [name]))('%s: refused while locked unless allowed, never while unlocked', (name: CallName) => {
    const rule = CALLS_WHILE_LOCKED[name];
    const locked = lockedRefusal(name, { locked: true, firstRun: false });
    expect(locked === null).toBe(rule === 'always');
    if (locked !== null) expect(locked.code).toBe('locked');
    expect(lockedRefusal(name, { locked: true, firstRun: true }) === null).toBe(rule !== undefined);
    expect(lockedRefusal(name, { locked: false, firstRun: false })).toBeNull();
  });

  it('lets a hub be chosen while locked only at first run', () => {
    expect(lockedRefusal('hub:connect', { locked: true, firstRun: true })).toBeNull();
    expect(lockedRefusal('hub:connect', { locked: true, firstRun: false })?.code).toBe('locked');
  });

  it('refuses everything when handlers come without a gate', async () => {
    const reached: string[] = [];
    const handlers = Object.fromEntries(CALL_NAMES.map((name) => [name, () => reached.push(name)])) as unknown as Handlers;
    expect(await dispatch(handlers, 'host:info', {})).toMatchObject({ ok: false, error: { code: 'locked' } });
    expect(reached).toEqual([]);
  });
});

describe('the lock gate in the app', () => {
  let app: StudyshareApp | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
  });

  it('refuses every locked-out call at dispatch, before its handler runs, on the real app', async () => {
    app = createStudyshareApp(tempDir(), { kind: 'browser' }, { hubMode: 'off', syncEveryMs: 0, workstation: { checkEveryMs: 0 } });
    await app.start();
    const reached: string[] = [];
    // The app's own gate in front of handlers that only record that they were reached.
    const spies = { ...Object.fromEntries(CALL_NAMES.map((name) => [name, () => reached.push(name)])), [CALL_GATE]: app.handlers[CALL_GATE] } as unknown as Handlers;
    expect(app.workstation.locked).toBe(true);
    for (const name of LOCKED_OUT) {
      expect(await dispatch(spies, name, {}), name).toEqual({ ok: false, error: { code: 'locked', message: 'Studyshare is locked. Sign in to continue.' } });
    }
    expect(reached).toEqual([]);
    // The real handlers too: the worklist query is refused, the host info answers.
    expect(await dispatch(app.handlers, 'studies:query', {})).toMatchObject({ ok: false, error: { code: 'locked' } });
    expect(await dispatch(app.handlers, 'host:info', {})).toMatchObject({ ok: true });

    await dispatch(app.handlers, 'workstation:create-profile', { name: 'Desk 4', password: 'a long local password' });
    expect(app.workstation.locked).toBe(false);
    expect(await dispatch(app.handlers, 'studies:query', {})).toMatchObject({ ok: true, value: { rows: [] } });
    expect(await dispatch(app.handlers, 'workstation:lock', {})).toMatchObject({ ok: true, value: { locked: true, reason: 'manual' } });
    expect(await dispatch(app.handlers, 'studies:query', {})).toMatchObject({ ok: false, error: { code: 'locked' } });
  });
});
