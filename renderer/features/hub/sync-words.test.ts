/**
 * The sync state in words (issue 19, item 3): every state says what is happening and what waits,
 * never "up to date" while anything waits, and an expired session keeps its count.
 */
import { describe, expect, it } from 'vitest';
import type { HubStatus, SyncStatusView } from '../../../shared/contract';
import { syncWords } from './sync-words';

function status(sync: Partial<SyncStatusView>, more: Partial<HubStatus> = {}): HubStatus {
  return {
    mode: 'remote',
    firstRun: false,
    url: 'https://hub.north.example',
    hubName: 'North Hub',
    needsSetup: false,
    user: { name: 'Ada', email: 'ada@north.example', role: 'Physician', permissions: [] },
    sync: { state: 'online', pending: 0, rejected: [], uploadsPending: 0, message: null, delayed: 0, progress: null, ...sync },
    tokenEncrypted: true,
    publicUrl: null,
    linkReach: 'none',
    embedded: null,
    trustedFingerprint: null,
    notice: null,
    ...more,
  };
}

describe('sync state in words', () => {
  it.each([
    [{ state: 'online' }, 'Hub · up to date', 'ok'],
    [{ state: 'online', pending: 2, uploadsPending: 1 }, 'Sending · 3 waiting', 'ok'],
    [{ state: 'syncing', progress: { done: 3, total: 51 } }, 'Syncing · 3 of 51', 'ok'],
    [{ state: 'syncing', progress: null }, 'Syncing…', 'ok'],
    [{ state: 'offline', pending: 4, message: 'The hub cannot be reached.' }, 'Hub offline · 4 waiting', 'warn'],
    [{ state: 'not-answering', pending: 1, message: 'The hub is not answering (nothing for 30 s).' }, 'Hub not answering · 1 waiting', 'warn'],
    [{ state: 'hub-error', uploadsPending: 3, delayed: 3, message: 'The hub’s disk is full.' }, 'Hub error · 3 waiting', 'warn'],
    [{ state: 'session-expired', pending: 100 }, 'Session expired · 100 waiting', 'attention'],
    [{ state: 'session-expired' }, 'Session expired · sign in', 'attention'],
    [{ state: 'signed-out' }, 'Sign in to the hub', 'attention'],
  ] as const)('%j → %s', (sync, label, tone) => {
    expect(syncWords(status(sync))).toMatchObject({ label, tone });
  });

  it('says the hub’s own reason, and what is kept', () => {
    expect(syncWords(status({ state: 'hub-error', pending: 2, uploadsPending: 1, message: 'The hub’s disk is full: it cannot store anything until space is freed.' })).detail).toBe(
      'The hub’s disk is full: it cannot store anything until space is freed. They are tried again by themselves. Waiting: 2 changes and 1 file.',
    );
    expect(syncWords(status({ state: 'session-expired', pending: 100 })).detail).toBe('Your hub session has ended. Sign in again: 100 changes waiting are kept and sent then.');
  });

  it('refusals, setup and no hub come before the sync state', () => {
    expect(syncWords(status({ state: 'online', rejected: [{ id: 'a', kind: 'share.create', reason: 'No.', studyUid: null, target: null }] })).label).toBe('1 refused');
    expect(syncWords(status({ state: 'offline' }, { needsSetup: true })).label).toBe('Set up your site');
    expect(syncWords(status({ state: 'signed-out' }, { mode: 'off' })).label).toBe('No hub');
  });
});
