/**
 * What DICOM networking needs of the hub connection: the signed-in person's outbox (publishing
 * received studies, recording sends on the hub's audit trail), a nudge to sync, and the hub id of
 * a local study the hub already has. Kept to this so the service can be tested with a real hub
 * connection or none.
 */
import type { SyncClient } from '../sync-client/sync-client';

export interface HubOutbox {
  /** The signed-in person's sync client; null when nobody is signed in to a hub. */
  sync(): SyncClient | null;
  /** Starts a sync in the background (the outbox is pushed when the hub answers). */
  syncSoon(): void;
  /** The hub's id of a local study, once the hub has it; null otherwise. */
  hubStudyId(studyInstanceUid: string): string | null;
}

/** The hub connection's sync client, or null when nobody is signed in (it throws then). */
export function signedInSync(hub: { requireSync(): SyncClient }): SyncClient | null {
  try {
    return hub.requireSync();
  } catch {
    return null;
  }
}
