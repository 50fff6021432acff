/**
 * The DICOM store over a fake main: a search sends only the fields filled (main's schema checks
 * them), a page answered for a search already replaced is dropped, a send's failures are read
 * when it ends, and a refusal keeps main's sentence.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { DicomJobView, DicomNetStatus, QueryPage } from '../../../shared/types/dicom-net';
import { deferred, installFakeMain, ok, refused } from '../../test-support/fake-main';
import { EMPTY_QUERY, useDicom } from './dicom-store';

const { handlers, calls, reset } = installFakeMain();

const job = (id: string, more: Partial<DicomJobView> = {}): DicomJobView => ({ id, kind: 'query', node: 'PACS', state: 'running', total: null, done: 0, failed: 0, message: null, ...more });
const status = (jobs: DicomJobView[]): DicomNetStatus => ({
  listener: { enabled: false, port: 11112, aeTitle: 'STUDYSHARE', allowedAeTitles: [], allowedAddresses: [], autoPublish: false, running: false, setByFlags: false, error: null, associations: 0, received: 0, duplicates: 0, refused: 0, lastRefusal: null, published: 0, publishWaiting: 0, publishNote: null, recentCallers: [] },
  nodes: [{ id: 1, name: 'PACS', aeTitle: 'PACS', host: 'pacs', port: 104, retrieve: 'move' }],
  jobs,
});
const page = (jobId: string, names: string[]): QueryPage => ({
  job: job(jobId),
  total: names.length,
  rows: names.map((name, i) => ({ studyUid: `1.2.${i}`, patientName: name, patientId: '', birthDate: '', accessionNumber: '', studyDate: '20240101', description: '', modalities: 'CT', seriesCount: 1, instanceCount: 1, local: false })),
});

describe('DICOM store', () => {
  beforeEach(() => {
    reset();
    useDicom.setState({ status: null, error: null, sending: null, sendJobId: null, failures: [], queryOpen: false, queryJobId: null, page: null, offset: 0, priorsOf: null });
  });

  it('searches with the fields filled only, the modality upper-cased, and shows the first page', async () => {
    handlers['dicom:query'] = () => ok({ jobId: 'job-00000001' });
    handlers['dicom:query-page'] = () => ok(page('job-00000001', ['DOE^JOHN']));
    await useDicom.getState().search(1, { ...EMPTY_QUERY, patientName: ' DOE ', modality: 'ct', dateFrom: '2024-01-01' });
    expect(calls[0]).toEqual({ name: 'dicom:query', input: { nodeId: 1, patientName: 'DOE', patientId: undefined, accessionNumber: undefined, dateFrom: '2024-01-01', dateTo: undefined, modality: 'CT' } });
    expect(useDicom.getState().page?.rows.map((r) => r.patientName)).toEqual(['DOE^JOHN']);
  });

  it('drops a page answered for a search that was replaced meanwhile', async () => {
    const late = deferred<ReturnType<typeof ok<QueryPage>>>();
    let n = 0;
    handlers['dicom:query'] = () => ok({ jobId: n++ === 0 ? 'job-00000001' : 'job-00000002' });
    handlers['dicom:query-page'] = (input) => (input.jobId === 'job-00000001' ? late.promise : ok(page('job-00000002', ['NEW^ONE'])));
    const first = useDicom.getState().search(1, EMPTY_QUERY);
    await new Promise((resolve) => setTimeout(resolve, 0));
    await useDicom.getState().search(1, EMPTY_QUERY);
    late.resolve(ok(page('job-00000001', ['OLD^ONE'])));
    await first;
    expect(useDicom.getState().page?.rows.map((r) => r.patientName)).toEqual(['NEW^ONE']);
  });

  it('reads why instances failed once the send has ended', async () => {
    handlers['dicom:send'] = () => ok({ jobId: 'job-00000003' });
    handlers['dicom:send-failures'] = () => ok({ failures: [{ sopInstanceUid: '1.2.3', reason: 'The node is out of resources (its disk may be full).' }] });
    useDicom.getState().openSend(['1.2.840.1']);
    await useDicom.getState().send(1);
    useDicom.getState().onActivity(status([job('job-00000003', { kind: 'send', state: 'failed', total: 2, done: 1, failed: 1 })]));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(useDicom.getState().failures).toEqual([{ sopInstanceUid: '1.2.3', reason: 'The node is out of resources (its disk may be full).' }]);
  });

  it("keeps main's sentence when the listener cannot start", async () => {
    handlers['dicom:set-listener'] = () => refused('listener-failed', 'Port 104 is already in use by another program.');
    handlers['dicom:status'] = () => ok(status([]));
    const saved = await useDicom.getState().saveListener({ enabled: true, port: 104, aeTitle: 'STUDYSHARE', allowedAeTitles: [], allowedAddresses: [], autoPublish: false });
    expect(saved).toBe(false);
    expect(useDicom.getState().error?.message).toBe('Port 104 is already in use by another program.');
  });
});
