/**
 * A desktop's services (index, hub connection, sharing) signed in to a remote hub, with no sync
 * timer: for tests and benchmarks that play several people at once.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { EventBus } from '../api/event-bus';
import { openIndexDatabase, type IndexDatabase } from '../db/connection';
import { HubConnection } from '../hub-connection/hub-connection';
import { TokenStore } from '../hub-connection/token-store';
import { ShareService } from '../sharing/share-service';

export interface SignedInDesktop {
  readonly hub: HubConnection;
  readonly localDb: IndexDatabase;
  readonly sharing: ShareService;
  close(): Promise<void>;
}

export async function signedInDesktop(dataDir: string, url: string, email: string, password: string): Promise<SignedInDesktop> {
  mkdirSync(dataDir, { recursive: true });
  const localDb = openIndexDatabase(path.join(dataDir, 'index.sqlite'));
  const hub = new HubConnection({ dataDir, localDb, bus: new EventBus(), tokens: new TokenStore(path.join(dataDir, 'hub-token')), defaultMode: 'remote', syncEveryMs: 0 });
  await hub.signIn({ url, email, password });
  await hub.settled();
  return {
    hub,
    localDb,
    sharing: new ShareService(localDb, hub),
    async close() {
      await hub.close();
      localDb.close();
    },
  };
}
