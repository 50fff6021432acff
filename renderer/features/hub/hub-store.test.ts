/**
 * The hub store over a fake main (the preload bridge, typed by the contract): the first-run and
 * setup screens open by themselves, sign-in and connect take main's status or keep its refusal
 * with the reason, signing out takes the user and so every permission away, and the pure helpers
 * that decide what the UI offers (canAdminister, hasPermission) read only the signed-in user.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { CallResult, HubStatus } from '../../../shared/contract';
import { canAdminister, hasPermission, probeHub, switchPreview, useHub } from './hub-store';
import { deferred, installFakeMain, ok, refused } from '../../test-support/fake-main';

const { handlers, calls, reset } = installFakeMain();

function status(more: Partial<HubStatus> = {}): HubStatus {
  return {
    mode: 'remote',
    firstRun: false,
    url: 'https://hub.north.example',
    hubName: 'North Hub',
    needsSetup: false,
    user: null,
    sync: { state: 'signed-out', pending: 0, rejected: [], uploadsPending: 0, message: null, delayed: 0, progress: null },
    tokenEncrypted: true,
    publicUrl: 'https://hub.north.example',
    linkReach: 'elsewhere',
    embedded: null,
    trustedFingerprint: null,
    notice: null,
    ...more,
  };
}

const signedIn = (permissions: readonly string[], more: Partial<HubStatus> = {}) =>
  status({
    user: { name: 'Ada Radiologist', email: 'ada@north.example', role: 'Physician', permissions },
    sync: { state: 'online', pending: 0, rejected: [], uploadsPending: 0, message: null, delayed: 0, progress: null },
    ...more,
  });

beforeEach(() => {
  reset();
  useHub.setState(useHub.getInitialState(), true);
});

describe('hub store: loading the status', () => {
  it('opens the hub dialog by itself on first run and when the site needs setting up, not otherwise', async () => {
    handlers['hub:status'] = () => ok(status({ firstRun: true, mode: 'off', url: null }));
    await useHub.getState().load();
    expect(useHub.getState()).toMatchObject({ dialogOpen: true, status: { firstRun: true } });

    useHub.setState(useHub.getInitialState(), true);
    handlers['hub:status'] = () => ok(status({ needsSetup: true }));
    await useHub.getState().load();
    expect(useHub.getState().dialogOpen).toBe(true);

    useHub.setState(useHub.getInitialState(), true);
    handlers['hub:status'] = () => ok(signedIn(['studies.view']));
    await useHub.getState().load();
    expect(useHub.getState()).toMatchObject({ dialogOpen: false, status: { user: { email: 'ada@north.example' } } });
  });

  it('leaves a dialog the user opened open when a normal status arrives', async () => {
    useHub.getState().openDialog();
    handlers['hub:status'] = () => ok(signedIn([]));
    await useHub.getState().load();
    expect(useHub.getState().dialogOpen).toBe(true);
  });

  it('keeps nothing when main cannot say the status: no status, no dialog', async () => {
    handlers['hub:status'] = () => refused('unreachable', 'Studyshare is not responding. Is it still running?');
    await useHub.getState().load();
    expect(useHub.getState()).toMatchObject({ status: null, dialogOpen: false, error: null });
  });

  it('takes a status main pushes as it is', () => {
    useHub.getState().receive(signedIn([], { sync: { state: 'syncing', pending: 3, rejected: [], uploadsPending: 1, message: null, delayed: 0, progress: null } }));
    expect(useHub.getState().status?.sync).toMatchObject({ state: 'syncing', pending: 3 });
  });
});

describe('hub store: actions', () => {
  it('is busy while signing in, then closes the dialog with the signed-in status', async () => {
    const answer = deferred<CallResult<HubStatus>>();
    handlers['hub:sign-in'] = () => answer.promise;
    useHub.getState().openDialog();
    const signingIn = useHub.getState().signIn({ email: 'ada@north.example', password: 'correct horse' });
    expect(useHub.getState()).toMatchObject({ busy: true, dialogOpen: true });
    expect(calls).toEqual([{ name: 'hub:sign-in', input: { email: 'ada@north.example', password: 'correct horse' } }]);

    answer.resolve(ok(signedIn(['studies.view'])));
    await signingIn;
    expect(useHub.getState()).toMatchObject({ busy: false, dialogOpen: false, error: null, status: { user: { name: 'Ada Radiologist' } } });
  });

  it('keeps a refused sign-in’s code and sentence, the dialog open and the status as it was', async () => {
    useHub.getState().receive(status());
    useHub.getState().openDialog();
    handlers['hub:sign-in'] = () => refused('bad-credentials', 'The email address or the password is not right.');
    await useHub.getState().signIn({ email: 'ada@north.example', password: 'wrong' });
    expect(useHub.getState()).toMatchObject({
      busy: false,
      dialogOpen: true,
      error: { code: 'bad-credentials', message: 'The email address or the password is not right.' },
      status: { user: null },
    });
    // Typing again clears it; so does opening the dialog afresh.
    useHub.getState().clearError();
    expect(useHub.getState().error).toBeNull();
    await useHub.getState().signIn({ email: 'ada@north.example', password: 'wrong' });
    useHub.getState().closeDialog();
    useHub.getState().openDialog();
    expect(useHub.getState().error).toBeNull();
  });

  it('clears an earlier error when the next action starts', async () => {
    handlers['hub:sync-now'] = () => refused('hub-unreachable', 'The hub cannot be reached.');
    await useHub.getState().syncNow();
    expect(useHub.getState().error?.code).toBe('hub-unreachable');
    const answer = deferred<CallResult<HubStatus>>();
    handlers['hub:sync-now'] = () => answer.promise;
    const syncing = useHub.getState().syncNow();
    expect(useHub.getState().error).toBeNull();
    answer.resolve(ok(signedIn([])));
    await syncing;
  });

  it('sets a new site up and closes the dialog', async () => {
    useHub.getState().receive(status({ needsSetup: true }));
    useHub.getState().openDialog();
    handlers['hub:setup'] = (input) => ok(signedIn(['admin.users'], { hubName: input.siteName }));
    await useHub.getState().setup({ siteName: 'St. Elsewhere', adminName: 'Ada', email: 'ada@north.example', password: 'correct horse battery' });
    expect(useHub.getState()).toMatchObject({ dialogOpen: false, status: { hubName: 'St. Elsewhere', needsSetup: false } });
  });

  it('signing out takes the user away, and with it every permission and Administration', async () => {
    useHub.getState().receive(signedIn(['admin.users', 'audit.view', 'studies.share']));
    expect(canAdminister(useHub.getState().status)).toBe(true);
    handlers['hub:sign-out'] = () => ok(status());
    await useHub.getState().signOut();
    const after = useHub.getState().status;
    expect(after?.user).toBeNull();
    expect(canAdminister(after)).toBe(false);
    expect(hasPermission(after, 'studies.share')).toBe(false);
    // Signing out from Settings does not open or close the hub dialog.
    expect(useHub.getState().dialogOpen).toBe(false);
  });

  it('a refused sign-out keeps the user signed in and says why', async () => {
    useHub.getState().receive(signedIn(['studies.view']));
    handlers['hub:sign-out'] = () => refused('internal', 'Studyshare could not sign you out. Try again.');
    await useHub.getState().signOut();
    expect(useHub.getState()).toMatchObject({ status: { user: { email: 'ada@north.example' } }, error: { code: 'internal' } });
  });

  it('connecting to another hub says whether it did: the new hub’s status, or the old one kept with the reason', async () => {
    useHub.getState().receive(signedIn(['studies.view']));
    useHub.getState().openDialog();
    handlers['hub:connect'] = () => refused('hub-unreachable', 'The hub at https://south.example cannot be reached.');
    const failed = await useHub.getState().connect({ choice: { kind: 'remote', url: 'https://south.example', trustedFingerprint: null } });
    expect(failed).toBe(false);
    expect(useHub.getState()).toMatchObject({ busy: false, status: { hubName: 'North Hub', user: { name: 'Ada Radiologist' } }, error: { code: 'hub-unreachable' } });

    handlers['hub:connect'] = () => ok(status({ url: 'https://south.example', hubName: 'South Hub' }));
    const done = await useHub.getState().connect({ choice: { kind: 'remote', url: 'https://south.example', trustedFingerprint: null } });
    expect(done).toBe(true);
    // The dialog stays open: signing in to the new hub comes next.
    expect(useHub.getState()).toMatchObject({ error: null, dialogOpen: true, status: { hubName: 'South Hub', user: null } });
    expect(hasPermission(useHub.getState().status, 'studies.view')).toBe(false);
  });

  it('changes the embedded hub’s settings, or keeps the refusal', async () => {
    const embedded = { port: 8443, lan: false, publicUrl: null, lanAddresses: ['192.168.1.20'] };
    useHub.getState().receive(signedIn([], { mode: 'embedded', embedded }));
    handlers['hub:embedded-settings'] = (input) => ok(signedIn([], { mode: 'embedded', embedded: { ...embedded, lan: input.lan, publicUrl: input.publicUrl } }));
    expect(await useHub.getState().setEmbeddedSettings({ lan: true, publicUrl: 'https://192.168.1.20:8443' })).toBe(true);
    expect(useHub.getState().status?.embedded).toMatchObject({ lan: true, publicUrl: 'https://192.168.1.20:8443' });

    handlers['hub:embedded-settings'] = () => refused('port-taken', 'Port 8443 is in use by another program.');
    expect(await useHub.getState().setEmbeddedSettings({ lan: false, publicUrl: null })).toBe(false);
    expect(useHub.getState()).toMatchObject({ status: { embedded: { lan: true } }, error: { message: 'Port 8443 is in use by another program.' } });
  });

  it('dismissing refused operations takes the status main answers (the list emptied)', async () => {
    const rejected = [{ id: 'op1', kind: 'share', reason: 'You may not share this study.', studyUid: '1.2.3', target: 'Cardiology' }];
    useHub.getState().receive(signedIn([], { sync: { state: 'online', pending: 0, rejected, uploadsPending: 0, message: null, delayed: 0, progress: null } }));
    handlers['hub:dismiss-refused'] = () => ok(signedIn([]));
    await useHub.getState().dismissRefused();
    expect(calls.map((c) => c.name)).toEqual(['hub:dismiss-refused']);
    expect(useHub.getState().status?.sync.rejected).toEqual([]);
  });

  it('a join link opens the dialog with its address; closing forgets it and the error', async () => {
    handlers['hub:sign-in'] = () => refused('bad-credentials', 'No.');
    await useHub.getState().signIn({ email: 'ada@north.example', password: 'x' });
    useHub.getState().offerJoin('https://hub.south.example');
    expect(useHub.getState()).toMatchObject({ joinUrl: 'https://hub.south.example', dialogOpen: true, error: null });
    useHub.getState().closeDialog();
    expect(useHub.getState()).toMatchObject({ joinUrl: null, dialogOpen: false, error: null });
  });
});

describe('hub store: probe and switch preview', () => {
  it('passes a probe’s answer through, and turns a refused probe into a "not ok" view with the reason', async () => {
    handlers['hub:probe'] = (input) => ok({ ok: true, url: input.url, name: 'South Hub', version: '1.4.0', sites: null, needsSetup: false, certificate: null });
    const fingerprint = Array.from({ length: 32 }, () => 'AB').join(':');
    expect(await probeHub('https://south.example', fingerprint)).toMatchObject({ ok: true, name: 'South Hub' });
    expect(calls.at(-1)).toEqual({ name: 'hub:probe', input: { url: 'https://south.example', trustedFingerprint: fingerprint } });

    handlers['hub:probe'] = () => refused('invalid-input', 'Type the hub’s address, e.g. https://hub.example.org.');
    expect(await probeHub('not an address', null)).toEqual({ ok: false, code: 'invalid-input', message: 'Type the hub’s address, e.g. https://hub.example.org.', certificate: null });
  });

  it('says what a switch lets go of, or null when main cannot tell', async () => {
    handlers['hub:switch-preview'] = () => ok({ hub: 'North Hub', pendingChanges: 2, pendingFiles: 40, cachedStudies: 7 });
    expect(await switchPreview()).toEqual({ hub: 'North Hub', pendingChanges: 2, pendingFiles: 40, cachedStudies: 7 });
    handlers['hub:switch-preview'] = () => refused('internal', 'Something went wrong.');
    expect(await switchPreview()).toBeNull();
  });
});

describe('permission helpers', () => {
  it.each([
    { who: 'no status at all', given: null, expected: false },
    { who: 'signed out', given: status(), expected: false },
    { who: 'a physician', given: signedIn(['studies.view', 'studies.share']), expected: false },
    { who: 'any admin.* permission', given: signedIn(['studies.view', 'admin.groups']), expected: true },
    { who: 'audit.view alone', given: signedIn(['audit.view']), expected: true },
    { who: 'a key that only starts like admin', given: signedIn(['administrative-note']), expected: false },
  ])('canAdminister: $who → $expected', ({ given, expected }) => {
    expect(canAdminister(given)).toBe(expected);
  });

  it.each([
    { who: 'no status', given: null, key: 'studies.share', expected: false },
    { who: 'signed out', given: status(), key: 'studies.share', expected: false },
    { who: 'held', given: signedIn(['studies.view', 'studies.share']), key: 'studies.share', expected: true },
    { who: 'not held', given: signedIn(['studies.view']), key: 'studies.share', expected: false },
    { who: 'held as a longer key only', given: signedIn(['studies.share.email']), key: 'studies.share', expected: false },
    { who: 'held as a shorter key only', given: signedIn(['studies.share']), key: 'studies.share.email', expected: false },
  ])('hasPermission: $who → $expected', ({ given, key, expected }) => {
    expect(hasPermission(given, key)).toBe(expected);
  });
});
