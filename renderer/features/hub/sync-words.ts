/**
 * The sync state in words, once, for the top bar's chip and the hub dialog: what is happening,
 * with the counts that matter (what waits, what was refused), in the tone the chip shows.
 */
import type { HubStatus } from '../../../shared/contract';
import { formatCount } from '../../lib/format';

export type ChipTone = 'ok' | 'idle' | 'attention' | 'warn';

export interface SyncWords {
  /** A few words for the top bar. */
  readonly label: string;
  /** A sentence for the hub dialog. */
  readonly detail: string;
  readonly tone: ChipTone;
}

const waitingWords = (changes: number, files: number): string => {
  const parts = [changes > 0 ? `${formatCount(changes)} ${changes === 1 ? 'change' : 'changes'}` : '', files > 0 ? `${formatCount(files)} ${files === 1 ? 'file' : 'files'}` : ''].filter(Boolean);
  return parts.length === 0 ? 'nothing' : parts.join(' and ');
};

export function syncWords(status: HubStatus): SyncWords {
  const { sync } = status;
  const waiting = sync.pending + sync.uploadsPending;
  const kept = waitingWords(sync.pending, sync.uploadsPending);
  if (status.mode === 'off') return { label: 'No hub', detail: 'No hub is used: the studies stay on this computer.', tone: 'idle' };
  if (status.needsSetup) return { label: 'Set up your site', detail: 'The hub has no site yet.', tone: 'attention' };
  switch (sync.state) {
    case 'session-expired':
      return {
        label: waiting > 0 ? `Session expired · ${formatCount(waiting)} waiting` : 'Session expired · sign in',
        detail: `Your hub session has ended. Sign in again: ${kept} waiting ${waiting === 1 ? 'is' : 'are'} kept and sent then.`,
        tone: 'attention',
      };
    case 'signed-out':
      return { label: 'Sign in to the hub', detail: 'Nobody is signed in to the hub.', tone: 'attention' };
    case 'offline':
      return { label: `Hub offline · ${formatCount(waiting)} waiting`, detail: `${sync.message ?? 'The hub cannot be reached.'} Waiting: ${kept}.`, tone: 'warn' };
    case 'not-answering':
      return { label: `Hub not answering · ${formatCount(waiting)} waiting`, detail: `${sync.message ?? 'The hub is not answering.'} Waiting: ${kept}.`, tone: 'warn' };
    case 'hub-error':
      return { label: `Hub error · ${formatCount(waiting)} waiting`, detail: `${sync.message ?? 'The hub could not take some changes.'} They are tried again by themselves. Waiting: ${kept}.`, tone: 'warn' };
    case 'syncing': {
      const progress = sync.progress;
      const label = progress !== null && progress.total > 0 ? `Syncing · ${formatCount(progress.done)} of ${formatCount(progress.total)}` : 'Syncing…';
      return { label, detail: `Sending and receiving. Waiting: ${kept}.`, tone: 'ok' };
    }
    case 'online':
      if (sync.rejected.length > 0) return { label: `${formatCount(sync.rejected.length)} refused`, detail: 'The hub refused some changes; see why below.', tone: 'warn' };
      if (waiting > 0) return { label: `Sending · ${formatCount(waiting)} waiting`, detail: `Waiting: ${kept}.`, tone: 'ok' };
      return { label: 'Hub · up to date', detail: 'Up to date: everything was sent and received.', tone: 'ok' };
  }
}
