/**
 * The DICOM listener (C-ECHO and C-STORE SCP): starts and stops the dcmjs-dimse server, holds
 * the admission policy (our AE title, allowed calling AE titles and addresses, a cap on
 * simultaneous associations) and counts what arrives. Each association is a `StoreScp`.
 */
import type Database from 'better-sqlite3';
import { dimse } from './dimse';
import { ReceivedInstances, type ReceiveOutcome } from './received-instances';
import { StoreScp, type AssociationEvents, type AssociationHost } from './store-scp';

export interface ListenerConfig {
  readonly port: number;
  readonly aeTitle: string;
  /** Empty: any calling AE title may associate. */
  readonly allowedAeTitles: readonly string[];
  /** Empty: any address may connect. */
  readonly allowedAddresses: readonly string[];
}

export interface ListenerHooks {
  /** Each instance's outcome, with the association it came on. */
  readonly onOutcome?: (association: AssociationEvents, outcome: ReceiveOutcome) => void;
  readonly onAssociation?: (association: AssociationEvents, state: 'open' | 'released' | 'aborted' | 'dropped') => void;
  /** Index rows that could not be written (their files wait for the next start's recovery). */
  readonly onIndexFailure?: (instances: number, reason: string) => void;
  /** AE titles always admitted (the nodes we retrieve from send with their own titles). */
  readonly trustedAeTitles?: () => readonly string[];
}

/** More at once than a reading room's modalities send; past it, callers are told to retry. */
const MAX_ASSOCIATIONS = 32;
/** A silent peer is dropped after this long, so a dead modality does not hold a slot forever. */
const PDU_TIMEOUT_MS = 60_000;

export class ListenerError extends Error {
  constructor(
    readonly code: 'port-in-use' | 'port-denied' | 'listen-failed',
    message: string,
  ) {
    super(message);
    this.name = 'ListenerError';
  }
}

export class DicomListener {
  private server: InstanceType<typeof dimse.Server> | null = null;
  private config: ListenerConfig | null = null;
  private boundPort: number | null = null;
  private readonly open = new Set<AssociationEvents>();
  private readonly received: ReceivedInstances;

  constructor(
    db: Database.Database,
    private readonly libraryDir: string,
    private readonly hooks: ListenerHooks = {},
  ) {
    this.received = new ReceivedInstances(db, libraryDir, hooks.onIndexFailure);
  }

  get port(): number | null {
    return this.boundPort;
  }

  get associations(): number {
    return this.open.size;
  }

  get running(): boolean {
    return this.server !== null;
  }

  /** Starts listening (on every interface: modalities are elsewhere); resolves with the port. */
  async start(config: ListenerConfig): Promise<number> {
    await this.stop();
    // What a crash left in the receive journal goes into the library before anything new arrives.
    await this.received.recover();
    // Ready to take a study at full pace once it says it listens (a few hundred milliseconds).
    await this.received.prepare();
    this.config = config;
    const server = new dimse.Server(StoreScp);
    const host: AssociationHost = {
      aeTitle: config.aeTitle,
      received: this.received,
      admit: (calling, address) => this.admit(calling, address),
      opened: (association) => this.track(association),
    };
    const port = await new Promise<number>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        if (this.server === null) reject(listenError(error, config.port));
      };
      server.on('networkError', onError);
      server.on('listening', () => {
        const address = (server as unknown as { server: { address(): { port: number } } }).server.address();
        resolve(address.port);
      });
      server.listen(config.port, { pduTimeout: PDU_TIMEOUT_MS, associationTimeout: 30_000, customOptions: { host } });
    });
    this.server = server;
    this.boundPort = port;
    return port;
  }

  /** Waits until every acknowledged instance is in the library and the index (publishing reads both). */
  indexNow(): Promise<void> {
    return this.received.indexNow();
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.boundPort = null;
    this.received.flushIndex();
    if (server === null) return;
    const inner = (server as unknown as { server?: { once(event: 'close', listener: () => void): void; listening: boolean } }).server;
    const closed = inner?.listening === true ? new Promise<void>((resolve) => inner.once('close', resolve)) : Promise.resolve();
    server.close();
    await closed;
    await this.received.settle();
    this.received.flushIndex();
  }

  private admit(calling: string, address: string): 'ok' | 'calling-ae' | 'busy' {
    const config = this.config;
    if (config === null) return 'busy';
    if (config.allowedAeTitles.length > 0) {
      const trusted = this.hooks.trustedAeTitles?.() ?? [];
      if (!config.allowedAeTitles.includes(calling) && !trusted.includes(calling)) return 'calling-ae';
    }
    if (config.allowedAddresses.length > 0 && !config.allowedAddresses.includes(address)) return 'calling-ae';
    if (this.open.size >= MAX_ASSOCIATIONS) return 'busy';
    return 'ok';
  }

  private track(association: AssociationEvents): void {
    this.open.add(association);
    this.hooks.onAssociation?.(association, 'open');
    association.onOutcome = (outcome) => this.hooks.onOutcome?.(association, outcome);
    association.onEnd = (how) => {
      this.open.delete(association);
      this.hooks.onAssociation?.(association, how);
    };
  }
}

function listenError(error: NodeJS.ErrnoException, port: number): ListenerError {
  if (error.code === 'EADDRINUSE') return new ListenerError('port-in-use', `Port ${port} is already in use by another program. Choose another port for the DICOM listener.`);
  if (error.code === 'EACCES') return new ListenerError('port-denied', `Port ${port} needs administrator rights on this computer. Choose a port above 1023 (104 is the DICOM default, 11112 is common).`);
  return new ListenerError('listen-failed', `The DICOM listener could not start (${error.code ?? 'error'}).`);
}
