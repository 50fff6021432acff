/**
 * One association with the listener (dcmjs-dimse creates one per connection): decides whether
 * the caller may associate and which presentation contexts to accept, answers C-ECHO, and for
 * C-STORE spools the data set straight to a temporary file as its PDUs arrive (never the
 * library's default of parsing the whole data set in memory), then answers with the status of
 * the commit. Anything the association leaves half-done (an abort mid-instance, a dropped
 * connection) is removed; what was acknowledged stays.
 */
import type { Socket } from 'node:net';
import { dimse, type Association, type CEchoRequest, type CEchoResponse, type CStoreRequest, type CStoreResponse, type DimseDataset, type PresentationContext } from './dimse';
import type { IncomingFacts, ReceiveOutcome, ReceivedInstances } from './received-instances';
import { chooseTransferSyntax, isAcceptedStorageClass, STORE_STATUS, VERIFICATION_SOP_CLASS } from './sop-classes';
import type { SpoolFile } from './spool-file';

const { PresentationContextResult, RejectResult, RejectSource, RejectReason } = dimse.constants;

/** What the listener gives each association: its policy and where instances go. */
export interface AssociationHost {
  readonly aeTitle: string;
  readonly received: ReceivedInstances;
  /** Null: may associate; else the reason it may not (logged, never sent). */
  admit(callingAeTitle: string, address: string): 'ok' | 'calling-ae' | 'called-ae' | 'busy';
  opened(association: AssociationEvents): void;
}

/** What an association reports to the listener as it goes. */
export interface AssociationEvents {
  readonly id: number;
  readonly callingAeTitle: string;
  readonly address: string;
  onOutcome?: (outcome: ReceiveOutcome) => void;
  onEnd?: (how: 'released' | 'aborted' | 'dropped') => void;
}

let nextAssociationId = 1;

/** `::ffff:10.0.0.5` → `10.0.0.5`, so allowlists are written as people know the address. */
export function plainAddress(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

type ScpOptions = ConstructorParameters<typeof dimse.Scp>[1] & { readonly customOptions?: { readonly host?: AssociationHost } };

export class StoreScp extends dimse.Scp {
  private readonly host: AssociationHost;
  private readonly address: string;
  private readonly spools = new Map<CStoreRequest, { readonly spool: SpoolFile; readonly facts: IncomingFacts }>();
  private events: AssociationEvents | null = null;
  /** Set while this association is one of the host's senders (accepted, not ended). */
  private closeSender: (() => void) | null = null;
  private ended = false;
  private released = false;
  private aborted = false;

  constructor(socket: Socket, options: ScpOptions) {
    super(socket, options);
    const host = options?.customOptions?.host;
    if (host === undefined) throw new Error('StoreScp needs its host in customOptions');
    this.host = host;
    this.address = plainAddress(socket.remoteAddress);
    // Each C-STORE response is one small write that the sender waits for: with Nagle's algorithm
    // and the peer's delayed ACKs, every instance would wait up to 40 ms (measured: 11 per second).
    socket.setNoDelay(true);
    this.on('close', () => this.end(this.released ? 'released' : this.aborted ? 'aborted' : 'dropped'));
  }

  override associationRequested(association: Association): void {
    const calling = association.getCallingAeTitle().trim();
    const called = association.getCalledAeTitle().trim();
    const admitted = called !== this.host.aeTitle ? 'called-ae' : this.host.admit(calling, this.address);
    if (admitted !== 'ok') {
      const reason =
        admitted === 'called-ae' ? RejectReason.CalledAeNotRecognized : admitted === 'busy' ? RejectReason.LocalLimitExceeded : RejectReason.CallingAeNotRecognized;
      const result = admitted === 'busy' ? RejectResult.Transient : RejectResult.Permanent;
      this.sendAssociationReject(result, RejectSource.ServiceUser, reason);
      return;
    }
    for (const { id } of association.getPresentationContexts()) {
      const context = association.getPresentationContext(id);
      const abstract = context.getAbstractSyntaxUid();
      if (abstract !== VERIFICATION_SOP_CLASS && !isAcceptedStorageClass(abstract)) {
        context.setResult(PresentationContextResult.RejectAbstractSyntaxNotSupported);
        continue;
      }
      const syntax = chooseTransferSyntax(abstract, context.getTransferSyntaxUids());
      if (syntax === null) context.setResult(PresentationContextResult.RejectTransferSyntaxesNotSupported);
      else context.setResult(PresentationContextResult.Accept, syntax);
    }
    this.events = { id: nextAssociationId++, callingAeTitle: calling, address: this.address };
    this.closeSender = this.host.received.openSender();
    this.host.opened(this.events);
    // The Maximum Length we accept with is what *we* can receive (PS3.8 D.3.3.1), not the
    // caller's: the library's accept takes the smaller of the two, so a storescu announcing its
    // own 16 KB was told we took only 16 KB, and sent each 33 KB instance as three P-DATA PDUs
    // (six writes, as many reads and passes through the PDU reader here) instead of one. With
    // both changes of session 28 (this and the filing thread), −10 % an instance, 10 of 12 pairs.
    // The same field caps what the library sends on this association; a listener sends only
    // C-ECHO and C-STORE responses, command sets of under 200 bytes, far below any peer's limit.
    association.setMaxPduLength(dimse.Implementation.getMaxPduLength());
    this.sendAssociationAccept();
  }

  override associationReleaseRequested(): void {
    // What this association brought is in the index before the sender hears the release (a
    // modality or a test that looks right after finds it there).
    this.released = true;
    void this.host.received.indexNow().finally(() => this.sendAssociationReleaseResponse());
  }

  override abort(): void {
    this.aborted = true;
    // After an A-ABORT the peer waits for us to close the connection (PS3.8 §7.3.2).
    (this as unknown as { socket: Socket }).socket.destroy();
  }

  override cEchoRequest(request: CEchoRequest, callback: (response: CEchoResponse) => void): void {
    const response = dimse.responses.CEchoResponse.fromRequest(request);
    response.setStatus(dimse.constants.Status.Success);
    callback(response);
  }

  override createStoreWritableStream(context: PresentationContext, request: CStoreRequest): SpoolFile {
    const facts: IncomingFacts = {
      sopClassUid: request.getAffectedSopClassUid() ?? '',
      sopInstanceUid: request.getAffectedSopInstanceUid() ?? '',
      transferSyntaxUid: context.getAcceptedTransferSyntaxUid() ?? '',
      callingAeTitle: this.events?.callingAeTitle ?? '',
    };
    const spool = this.host.received.spool(facts);
    this.spools.set(request, { spool, facts });
    return spool;
  }

  override createDatasetFromStoreWritableStream(_writable: unknown, context: PresentationContext, callback: (dataset: DimseDataset) => void): void {
    // The data set stays in its file; the header is read from there by the import's reader.
    callback(new dimse.Dataset({}, context.getAcceptedTransferSyntaxUid()));
  }

  override cStoreRequest(request: CStoreRequest, callback: (response: CStoreResponse) => void): void {
    const entry = this.spools.get(request);
    this.spools.delete(request);
    const answer = (outcome: ReceiveOutcome): void => {
      this.events?.onOutcome?.(outcome);
      if (this.ended) {
        // Filed after the sender went (it never hears): kept, and indexed now like the rest.
        void this.host.received.indexNow();
        return;
      }
      const response = dimse.responses.CStoreResponse.fromRequest(request);
      if (outcome.kind === 'refused') {
        response.setStatus(outcome.status);
        // Error Comment is LO: 64 characters at most.
        response.setErrorComment(outcome.reason.slice(0, 64));
      } else {
        response.setStatus(STORE_STATUS.success);
      }
      callback(response);
    };
    if (entry === undefined) {
      answer({ kind: 'refused', status: STORE_STATUS.cannotUnderstand, code: 'no-data-set', reason: 'The request carried no data set.' });
      return;
    }
    if (!isAcceptedStorageClass(entry.facts.sopClassUid)) {
      void entry.spool.discard();
      answer({ kind: 'refused', status: STORE_STATUS.sopClassNotSupported, code: 'sop-class', reason: 'This kind of object is not stored here.' });
      return;
    }
    this.host.received.commit(entry.spool, entry.facts).then(answer, () =>
      answer({ kind: 'refused', status: STORE_STATUS.processingFailure, code: 'internal', reason: 'The instance could not be stored.' }),
    );
  }

  private end(how: 'released' | 'aborted' | 'dropped'): void {
    if (this.ended) return;
    this.ended = true;
    this.closeSender?.();
    // An instance cut off mid-transfer: its temporary file goes; nothing was acknowledged.
    for (const { spool } of this.spools.values()) spool.destroy();
    this.spools.clear();
    // What was acknowledged on it is indexed now, not at the next batch; its end is reported once
    // it is (its library files are written after their answers), as a release is answered.
    void this.host.received.indexNow().finally(() => this.events?.onEnd?.(how));
  }
}
