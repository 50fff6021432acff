/**
 * Sends on the hub's audit trail (issue 17): when a send to a DICOM node ends, each study of it
 * that the hub knows gets a `study.dicom-send` operation in the signed-in person's outbox, which
 * the hub records on that study's trail (who, which node, how many instances, how it ended, when).
 *
 * Why an outbox operation and not a hub route: a send is a local act that must be recorded even
 * when the hub is away at that moment; the outbox keeps it (across restarts) and delivers it
 * exactly once (its id), like every other change this desktop makes. A study the hub does not
 * know has no trail there: it stays on this desktop's own record (`dicom_transfers`).
 */
import type { HubOutbox } from './hub-outbox';

export interface SendRecord {
  readonly studyUids: readonly string[];
  readonly node: { readonly aeTitle: string; readonly host: string; readonly port: number };
  readonly instances: number;
  readonly sent: number;
  readonly failed: number;
  readonly outcome: 'done' | 'failed' | 'cancelled';
  readonly sentAt: Date;
}

/** Queues the record for each hub-known study; answers how many were queued (0 when nobody is signed in). */
export function recordSendOnHub(outbox: HubOutbox, record: SendRecord): number {
  const sync = outbox.sync();
  if (sync === null) return 0;
  const items = record.studyUids.flatMap((uid) => {
    const hubId = outbox.hubStudyId(uid);
    if (hubId === null) return [];
    const { node, instances, sent, failed, outcome } = record;
    return [
      {
        operation: { kind: 'study.dicom-send' as const, study: { id: hubId }, node: { ...node }, instances, sent, failed, outcome, sentAt: record.sentAt.toISOString() },
        label: { studyUid: uid, hubStudyId: hubId, targetLabel: node.aeTitle },
      },
    ];
  });
  if (items.length === 0) return 0;
  sync.enqueueMany(items);
  outbox.syncSoon();
  return items.length;
}
