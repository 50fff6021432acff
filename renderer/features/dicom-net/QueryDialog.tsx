/**
 * Query a PACS: search a node by patient name or ID, accession, dates and modality (C-FIND,
 * study level), page through the matches in the worklist's table style, and retrieve the chosen
 * studies into this computer's index. Opened by Fetch priors, it searches the node for the same
 * patient's earlier studies at once.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { ModalDialog } from '../../components/ModalDialog';
import { EMPTY_QUERY, jobOf, QUERY_PAGE_SIZE, useDicom, type QueryForm } from './dicom-store';

const showDate = (date: string): string => (/^\d{8}$/.test(date) ? `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}` : date);

export function QueryDialog() {
  const nodes = useDicom((s) => s.status?.nodes ?? []);
  const priorsOf = useDicom((s) => s.priorsOf);
  const page = useDicom((s) => s.page);
  const offset = useDicom((s) => s.offset);
  const queryJob = useDicom((s) => jobOf(s.status, s.queryJobId));
  const retrieveJob = useDicom((s) => jobOf(s.status, s.retrieveJobId));
  const error = useDicom((s) => s.error);
  const [nodeId, setNodeId] = useState<number | null>(nodes[0]?.id ?? null);
  const [form, setForm] = useState<QueryForm>(EMPTY_QUERY);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const searching = queryJob?.state === 'running';
  const retrieving = retrieveJob?.state === 'running';

  // Fetch priors: search at once, on the first node.
  useEffect(() => {
    if (priorsOf !== null && nodeId !== null) void useDicom.getState().fetchPriors(nodeId);
    // Only when opened for a study.
  }, [priorsOf]); // eslint-disable-line react-hooks/exhaustive-deps

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (nodeId === null) return;
    setChosen(new Set());
    void useDicom.getState().search(nodeId, form);
  };
  const field = (key: keyof QueryForm, label: string, extra: Record<string, string> = {}) => (
    <label className="field">
      {label}
      <input value={form[key]} onChange={(event) => setForm({ ...form, [key]: event.target.value })} {...extra} />
    </label>
  );
  const total = page?.total ?? 0;
  const toggle = (uid: string) => {
    const next = new Set(chosen);
    if (next.has(uid)) next.delete(uid);
    else next.add(uid);
    setChosen(next);
  };
  return (
    <ModalDialog title={priorsOf === null ? 'Query a PACS' : 'Fetch priors'} onClose={() => useDicom.getState().closeQuery()} closeOnBackdrop={false}>
      {nodes.length === 0 ? (
        <p>No DICOM node is set up yet: add your PACS in Settings → DICOM nodes.</p>
      ) : (
        <form onSubmit={submit} aria-label="Search a PACS" className="query-form">
          <label className="field">
            Node
            <select value={nodeId ?? ''} onChange={(event) => setNodeId(Number(event.target.value))}>
              {nodes.map((node) => (
                <option key={node.id} value={node.id}>
                  {node.name}
                </option>
              ))}
            </select>
          </label>
          {priorsOf === null && (
            <>
              {field('patientName', 'Patient name', { placeholder: 'DOE or DOE^J*' })}
              {field('patientId', 'Patient ID')}
              {field('accessionNumber', 'Accession')}
              {field('dateFrom', 'From', { type: 'date' })}
              {field('dateTo', 'To', { type: 'date' })}
              {field('modality', 'Modality', { placeholder: 'CT', maxLength: '16' })}
            </>
          )}
          <div className="dialog-actions">
            {searching ? (
              <button type="button" onClick={() => queryJob !== null && void useDicom.getState().cancel(queryJob.id)}>
                Cancel search
              </button>
            ) : (
              <button type="submit" className="primary" disabled={nodeId === null}>
                {priorsOf === null ? 'Search' : 'Search again'}
              </button>
            )}
          </div>
        </form>
      )}
      {queryJob !== null && (
        <p role="status" className={queryJob.state === 'failed' ? 'error-text' : 'muted'}>
          {searching ? `Searching ${queryJob.node}… ${queryJob.done} found so far.` : queryJob.message ?? `${total} ${total === 1 ? 'study' : 'studies'} found on ${queryJob.node}.`}
        </p>
      )}
      {page !== null && page.rows.length > 0 && (
        <>
          <div className="query-results">
            <table role="grid" aria-label="Studies on the PACS" aria-rowcount={total + 1} className="worklist-table">
              <thead>
                <tr>
                  <th scope="col">
                    <span className="visually-hidden">Choose</span>
                  </th>
                  <th scope="col">Patient</th>
                  <th scope="col">Patient ID</th>
                  <th scope="col">Date</th>
                  <th scope="col">Modality</th>
                  <th scope="col">Description</th>
                  <th scope="col">Accession</th>
                  <th scope="col">Images</th>
                  <th scope="col">Here</th>
                </tr>
              </thead>
              <tbody>
                {page.rows.map((row, index) => (
                  <tr key={row.studyUid} aria-rowindex={offset + index + 2} aria-selected={chosen.has(row.studyUid)}>
                    <td>
                      <input type="checkbox" aria-label={`Choose ${row.patientName || row.studyUid} ${showDate(row.studyDate)}`} checked={chosen.has(row.studyUid)} onChange={() => toggle(row.studyUid)} />
                    </td>
                    <td>{row.patientName}</td>
                    <td>{row.patientId}</td>
                    <td>{showDate(row.studyDate)}</td>
                    <td>{row.modalities}</td>
                    <td>{row.description}</td>
                    <td>{row.accessionNumber}</td>
                    <td className="number">{row.instanceCount ?? ''}</td>
                    <td>{row.local ? 'Yes' : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="pager" role="group" aria-label="Pages">
            <button type="button" disabled={offset === 0} onClick={() => void useDicom.getState().showPage(Math.max(0, offset - QUERY_PAGE_SIZE))}>
              Previous
            </button>
            <span>
              {offset + 1}–{Math.min(total, offset + QUERY_PAGE_SIZE)} of {total}
            </span>
            <button type="button" disabled={offset + QUERY_PAGE_SIZE >= total} onClick={() => void useDicom.getState().showPage(offset + QUERY_PAGE_SIZE)}>
              Next
            </button>
          </div>
        </>
      )}
      {retrieveJob !== null && (
        <div role="status" aria-label="Retrieve progress" className="transfer-progress">
          <progress max={retrieveJob.total ?? 1} value={retrieveJob.done + retrieveJob.failed} aria-label="Instances retrieved" />
          <p>
            {retrieveJob.done} of {retrieveJob.total ?? '…'} instances retrieved{retrieveJob.failed > 0 ? `, ${retrieveJob.failed} failed` : ''}
            {retrieveJob.state === 'done' ? ' — in the worklist.' : retrieveJob.state === 'running' ? '…' : '.'}
          </p>
          {retrieveJob.message !== null && <p className={retrieveJob.state === 'failed' ? 'error-text' : 'muted'}>{retrieveJob.message}</p>}
        </div>
      )}
      {error !== null && (
        <p role="alert" className="error-text">
          {error.message}
        </p>
      )}
      <div className="dialog-actions">
        {retrieving ? (
          <button type="button" onClick={() => retrieveJob !== null && void useDicom.getState().cancel(retrieveJob.id)}>
            Cancel retrieve
          </button>
        ) : (
          <button type="button" className="primary" disabled={chosen.size === 0} onClick={() => void useDicom.getState().retrieve([...chosen])}>
            {chosen.size > 1 ? `Retrieve ${chosen.size} studies` : 'Retrieve'}
          </button>
        )}
        <button type="button" onClick={() => useDicom.getState().closeQuery()}>
          Close
        </button>
      </div>
    </ModalDialog>
  );
}
