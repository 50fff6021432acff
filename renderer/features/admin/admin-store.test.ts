/**
 * The administration store over a fake main (the preload bridge, typed by the contract): loading
 * the overview, a change that reloads before it says it worked, and a refusal kept with its
 * reason and nothing reloaded.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { AdminOverview, CallResult } from '../../../shared/contract';
import { useAdmin } from './admin-store';
import { deferred, installFakeMain, ok, refused } from '../../test-support/fake-main';

const { handlers, calls, reset } = installFakeMain();

const ids = {
  ada: '00000000-0000-4000-8000-000000000001',
  ben: '00000000-0000-4000-8000-000000000002',
  northWing: '00000000-0000-4000-8000-000000000010',
  physician: '00000000-0000-4000-8000-000000000020',
};

function overview(users: AdminOverview['users']): AdminOverview {
  return {
    users,
    roles: [{ id: ids.physician, name: 'Physician', builtIn: true, permissions: ['studies.view'] }],
    locations: [{ id: ids.northWing, name: 'North Wing', members: [] }],
    groups: [],
    worklists: [{ id: ids.northWing, kind: 'location', name: 'North Wing', shareCode: 'NW-7K2Q', ownerId: ids.northWing }],
  };
}
const ada = { id: ids.ada, name: 'Ada Admin', email: 'ada@north.example', role: 'Administrator', active: true, locked: false };
const ben = { id: ids.ben, name: 'Ben Physician', email: 'ben@north.example', role: 'Physician', active: true, locked: false };

/** A site whose users the test changes: the overview reads them as they are now. */
function site() {
  const users = [ada];
  handlers['admin:overview'] = () => ok(overview([...users]));
  handlers['admin:add-user'] = (input) => {
    users.push({ ...ben, name: input.name, email: input.email, role: input.role });
    return ok({ id: ids.ben });
  };
  return users;
}

beforeEach(() => {
  reset();
  useAdmin.setState(useAdmin.getInitialState(), true);
});

describe('admin store', () => {
  it('is loading until the overview comes, then shows it', async () => {
    const answer = deferred<CallResult<AdminOverview>>();
    handlers['admin:overview'] = () => answer.promise;
    const loading = useAdmin.getState().load();
    expect(useAdmin.getState()).toMatchObject({ loading: true, overview: null });
    answer.resolve(ok(overview([ada])));
    await loading;
    expect(useAdmin.getState()).toMatchObject({ loading: false, error: null });
    expect(useAdmin.getState().overview?.users.map((u) => u.email)).toEqual(['ada@north.example']);
  });

  it('says why the overview could not be loaded', async () => {
    handlers['admin:overview'] = () => refused('hub-unreachable', 'The hub cannot be reached. Check the network and try again.');
    await useAdmin.getState().load();
    expect(useAdmin.getState()).toMatchObject({ loading: false, overview: null, error: 'The hub cannot be reached. Check the network and try again.' });
  });

  it('a change runs its call, reloads, and only then says it worked', async () => {
    site();
    await useAdmin.getState().load();
    const reload = deferred<void>();
    const firstOverview = handlers['admin:overview']!;
    handlers['admin:overview'] = async (input) => {
      await reload.promise;
      return firstOverview(input);
    };
    const changing = useAdmin.getState().change('admin:add-user', { name: 'Ben Physician', email: 'ben@north.example', password: 'correct horse battery', role: 'Physician' }, 'Ben Physician was added.');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(calls.map((c) => c.name)).toEqual(['admin:overview', 'admin:add-user', 'admin:overview']);
    // The screen does not show the new user yet, so it does not say so either.
    expect(useAdmin.getState().notice).toBeNull();

    reload.resolve();
    expect(await changing).toBe(true);
    expect(useAdmin.getState()).toMatchObject({ notice: 'Ben Physician was added.', error: null });
    expect(useAdmin.getState().overview?.users.map((u) => u.name)).toEqual(['Ada Admin', 'Ben Physician']);
  });

  it('a refused change keeps the hub’s reason, reloads nothing and says nothing worked', async () => {
    site();
    await useAdmin.getState().load();
    handlers['admin:add-user'] = () => refused('invitation-pending', 'ben@north.example has an invitation waiting: they join with its link.');
    const changed = await useAdmin.getState().change('admin:add-user', { name: 'Ben Physician', email: 'ben@north.example', password: 'correct horse battery', role: 'Physician' }, 'Ben Physician was added.');
    expect(changed).toBe(false);
    expect(useAdmin.getState()).toMatchObject({ notice: null, error: 'ben@north.example has an invitation waiting: they join with its link.' });
    expect(calls.map((c) => c.name)).toEqual(['admin:overview', 'admin:add-user']);
    expect(useAdmin.getState().overview?.users).toHaveLength(1);
  });

  it('a new change clears the last one’s notice and error before it runs', async () => {
    site();
    handlers['admin:add-location'] = () => refused('duplicate', 'There is already a location named North Wing.');
    await useAdmin.getState().change('admin:add-location', { name: 'North Wing' }, 'North Wing was added.');
    expect(useAdmin.getState().error).toBe('There is already a location named North Wing.');

    const answer = deferred<CallResult<{ readonly id: string }>>();
    handlers['admin:add-location'] = () => answer.promise;
    const changing = useAdmin.getState().change('admin:add-location', { name: 'South Wing' }, 'South Wing was added.');
    expect(useAdmin.getState()).toMatchObject({ error: null, notice: null });
    answer.resolve(ok({ id: ids.northWing }));
    expect(await changing).toBe(true);
    expect(useAdmin.getState().notice).toBe('South Wing was added.');

    handlers['admin:add-member'] = () => refused('not-found', 'That user no longer exists.');
    await useAdmin.getState().change('admin:add-member', { kind: 'location', ownerId: ids.northWing, userId: ids.ben }, 'Ben joined North Wing.');
    expect(useAdmin.getState()).toMatchObject({ notice: null, error: 'That user no longer exists.' });
  });

  // Regression (was a bug in admin-store.ts line 24, fixed): a successful load sets `overview` and `loading` but never clears
  // `error`. When Administration could not load (hub unreachable) and is opened again once the hub
  // answers, the overview shows under the old "cannot be reached" message, which stays until a
  // change is made. Expected: a load that worked clears the error.
  it('a load that works clears the error of the one that failed', async () => {
    handlers['admin:overview'] = () => refused('hub-unreachable', 'The hub cannot be reached.');
    await useAdmin.getState().load();
    expect(useAdmin.getState().error).toBe('The hub cannot be reached.');
    site();
    await useAdmin.getState().load();
    expect(useAdmin.getState().overview).not.toBeNull();
    expect(useAdmin.getState().error).toBeNull();
  });
});
