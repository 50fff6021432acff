/**
 * The SQL of DICOM networking on this desktop (migration 0050): nodes, the listener's settings,
 * the record of transfers, and the index lookups a send and a prior search need.
 */
import type Database from 'better-sqlite3';
import type { DicomNodeView, ListenerSettings } from '../../../shared/types/dicom-net';
import { prepared } from '../study-index/statement-cache';

interface NodeRow {
  id: number;
  name: string;
  ae_title: string;
  host: string;
  port: number;
  retrieve: 'move' | 'get';
}

const toNode = (row: NodeRow): DicomNodeView => ({ id: row.id, name: row.name, aeTitle: row.ae_title, host: row.host, port: row.port, retrieve: row.retrieve });

export function listNodes(db: Database.Database): DicomNodeView[] {
  return (prepared(db, 'SELECT id, name, ae_title, host, port, retrieve FROM dicom_nodes ORDER BY name, id').all() as NodeRow[]).map(toNode);
}

export function findNode(db: Database.Database, id: number): DicomNodeView | null {
  const row = prepared(db, 'SELECT id, name, ae_title, host, port, retrieve FROM dicom_nodes WHERE id = ?').get(id) as NodeRow | undefined;
  return row === undefined ? null : toNode(row);
}

/** Inserts or updates; a node with the same AE title, host and port is refused by the database. */
export function saveNode(db: Database.Database, node: Omit<DicomNodeView, 'id'> & { readonly id?: number }): DicomNodeView {
  if (node.id !== undefined) {
    const row = prepared(db, 'UPDATE dicom_nodes SET name = ?, ae_title = ?, host = ?, port = ?, retrieve = ? WHERE id = ? RETURNING id, name, ae_title, host, port, retrieve').get(
      node.name, node.aeTitle, node.host, node.port, node.retrieve, node.id,
    ) as NodeRow | undefined;
    if (row === undefined) throw new NodeMissing();
    return toNode(row);
  }
  const row = prepared(db, 'INSERT INTO dicom_nodes (name, ae_title, host, port, retrieve, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id, name, ae_title, host, port, retrieve').get(
    node.name, node.aeTitle, node.host, node.port, node.retrieve, new Date().toISOString(),
  ) as NodeRow;
  return toNode(row);
}

export class NodeMissing extends Error {}

export function removeNode(db: Database.Database, id: number): boolean {
  return prepared(db, 'DELETE FROM dicom_nodes WHERE id = ?').run(id).changes > 0;
}

interface ListenerRow {
  enabled: number;
  port: number;
  ae_title: string;
  allowed_ae_titles: string;
  allowed_addresses: string;
  auto_publish: number;
}

const lines = (text: string): string[] => text.split('\n').filter((line) => line !== '');

export function readListenerSettings(db: Database.Database): ListenerSettings {
  const row = prepared(db, 'SELECT enabled, port, ae_title, allowed_ae_titles, allowed_addresses, auto_publish FROM dicom_listener WHERE id = 1').get() as ListenerRow;
  return {
    enabled: row.enabled === 1,
    port: row.port,
    aeTitle: row.ae_title,
    allowedAeTitles: lines(row.allowed_ae_titles),
    allowedAddresses: lines(row.allowed_addresses),
    autoPublish: row.auto_publish === 1,
  };
}

export function writeListenerSettings(db: Database.Database, settings: ListenerSettings): void {
  prepared(db, 'UPDATE dicom_listener SET enabled = ?, port = ?, ae_title = ?, allowed_ae_titles = ?, allowed_addresses = ?, auto_publish = ? WHERE id = 1').run(
    settings.enabled ? 1 : 0, settings.port, settings.aeTitle, settings.allowedAeTitles.join('\n'), settings.allowedAddresses.join('\n'), settings.autoPublish ? 1 : 0,
  );
}

export interface TransferRecord {
  readonly id: string;
  readonly kind: 'send' | 'retrieve';
  readonly nodeAeTitle: string;
  readonly nodeAddress: string;
  readonly actor: string;
  readonly studies: readonly string[];
}

export function recordTransferStart(db: Database.Database, transfer: TransferRecord): void {
  prepared(db, "INSERT INTO dicom_transfers (id, kind, node_ae_title, node_address, actor, studies, started_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, 'running')").run(
    transfer.id, transfer.kind, transfer.nodeAeTitle, transfer.nodeAddress, transfer.actor, transfer.studies.join('\n'), new Date().toISOString(),
  );
}

export function recordTransferEnd(db: Database.Database, id: string, state: 'done' | 'failed' | 'cancelled', counts: { instances: number; succeeded: number; failed: number }): void {
  prepared(db, 'UPDATE dicom_transfers SET state = ?, finished_at = ?, instances = ?, succeeded = ?, failed = ? WHERE id = ?').run(
    state, new Date().toISOString(), counts.instances, counts.succeeded, counts.failed, id,
  );
}

export interface StoredInstance {
  readonly path: string;
  readonly sopInstanceUid: string;
}

/** The files of the given studies and series, in study, series and instance order. */
export function instancesToSend(db: Database.Database, studies: readonly string[], series: readonly { studyUid: string; seriesUid: string }[]): StoredInstance[] {
  const byStudy = prepared(
    db,
    `SELECT f.stored_path AS path, i.sop_instance_uid AS sopInstanceUid FROM instances i
     JOIN files f ON f.id = i.file_ref JOIN series se ON se.id = i.series_ref JOIN studies st ON st.id = se.study_ref
     WHERE st.study_uid = ? ORDER BY se.series_number, se.id, i.instance_number, i.id`,
  );
  const bySeries = prepared(
    db,
    `SELECT f.stored_path AS path, i.sop_instance_uid AS sopInstanceUid FROM instances i
     JOIN files f ON f.id = i.file_ref JOIN series se ON se.id = i.series_ref JOIN studies st ON st.id = se.study_ref
     WHERE st.study_uid = ? AND se.series_uid = ? ORDER BY i.instance_number, i.id`,
  );
  const seen = new Set<string>();
  const out: StoredInstance[] = [];
  const add = (rows: StoredInstance[]): void => {
    for (const row of rows) {
      if (seen.has(row.sopInstanceUid)) continue;
      seen.add(row.sopInstanceUid);
      out.push(row);
    }
  };
  for (const uid of studies) add(byStudy.all(uid) as StoredInstance[]);
  for (const item of series) add(bySeries.all(item.studyUid, item.seriesUid) as StoredInstance[]);
  return out;
}

/** Which of these Study Instance UIDs the index holds. */
export function localStudyUids(db: Database.Database, uids: readonly string[]): Set<string> {
  const statement = prepared(db, 'SELECT 1 FROM studies WHERE study_uid = ?');
  return new Set(uids.filter((uid) => statement.get(uid) !== undefined));
}

export function studyPatient(db: Database.Database, studyUid: string): { patientId: string; patientName: string; studyDate: string } | null {
  const row = prepared(db, 'SELECT patient_id AS patientId, patient_name AS patientName, study_date AS studyDate FROM studies WHERE study_uid = ?').get(studyUid) as
    | { patientId: string; patientName: string; studyDate: string }
    | undefined;
  return row ?? null;
}
