/**
 * DICOM networking in the renderer (issue 17): the listener's and nodes' status as main pushes
 * it (`dicom:activity`), and the Send and Query dialogs' state. Actions are the only writers.
 */
import { create } from 'zustand';
import type { ApiError } from '../../../shared/contract';
import type { DicomJobView, DicomNetStatus, ListenerSettings, QueryPage, SendFailureView } from '../../../shared/types/dicom-net';
import { api } from '../../lib/api';

export const QUERY_PAGE_SIZE = 100;

export interface QueryForm {
  readonly patientName: string;
  readonly patientId: string;
  readonly accessionNumber: string;
  readonly dateFrom: string;
  readonly dateTo: string;
  readonly modality: string;
}

export const EMPTY_QUERY: QueryForm = { patientName: '', patientId: '', accessionNumber: '', dateFrom: '', dateTo: '', modality: '' };

interface DicomState {
  readonly status: DicomNetStatus | null;
  readonly error: ApiError | null;
  /** Studies chosen for Send to… (null: dialog closed). */
  readonly sending: readonly string[] | null;
  readonly sendJobId: string | null;
  readonly failures: readonly SendFailureView[];
  readonly queryOpen: boolean;
  readonly queryNodeId: number | null;
  readonly queryJobId: string | null;
  readonly page: QueryPage | null;
  readonly offset: number;
  /** Set when the query dialog was opened by Fetch priors: the study whose priors are sought. */
  readonly priorsOf: string | null;
  readonly retrieveJobId: string | null;

  load: () => Promise<void>;
  onActivity: (status: DicomNetStatus) => void;
  clearError: () => void;
  saveListener: (settings: ListenerSettings) => Promise<boolean>;
  saveNode: (node: { id?: number; name: string; aeTitle: string; host: string; port: number; retrieve: 'move' | 'get' }) => Promise<boolean>;
  removeNode: (id: number) => Promise<void>;
  echo: (id: number) => Promise<{ ok: boolean; message: string }>;
  openSend: (studies: readonly string[]) => void;
  closeSend: () => void;
  send: (nodeId: number) => Promise<void>;
  retryFailed: () => Promise<void>;
  openQuery: (priorsOf?: string) => void;
  closeQuery: () => void;
  search: (nodeId: number, form: QueryForm) => Promise<void>;
  fetchPriors: (nodeId: number) => Promise<void>;
  showPage: (offset: number) => Promise<void>;
  retrieve: (studyUids: readonly string[]) => Promise<void>;
  cancel: (jobId: string) => Promise<void>;
}

export const jobOf = (status: DicomNetStatus | null, id: string | null): DicomJobView | null => (id === null ? null : (status?.jobs.find((job) => job.id === id) ?? null));

export const useDicom = create<DicomState>()((set, get) => {
  const fail = (error: ApiError): false => {
    set({ error });
    return false;
  };
  return {
    status: null,
    error: null,
    sending: null,
    sendJobId: null,
    failures: [],
    queryOpen: false,
    queryNodeId: null,
    queryJobId: null,
    page: null,
    offset: 0,
    priorsOf: null,
    retrieveJobId: null,

    load: async () => {
      const result = await api.call('dicom:status', {});
      if (result.ok) set({ status: result.value });
    },
    onActivity: (status) => {
      set({ status });
      const { queryJobId, page, offset, sendJobId, failures } = get();
      // The open query's page follows its job (matches arriving, the search ending).
      const job = jobOf(status, queryJobId);
      if (job !== null && page !== null && (job.done !== page.total || job.state !== page.job.state)) void get().showPage(offset);
      const send = jobOf(status, sendJobId);
      if (send !== null && send.state !== 'running' && send.failed !== failures.length) {
        void api.call('dicom:send-failures', { jobId: send.id }).then((r) => r.ok && set({ failures: r.value.failures }));
      }
    },
    clearError: () => set({ error: null }),
    saveListener: async (settings) => {
      set({ error: null });
      const result = await api.call('dicom:set-listener', { ...settings, allowedAeTitles: [...settings.allowedAeTitles], allowedAddresses: [...settings.allowedAddresses] });
      if (!result.ok) {
        await get().load();
        return fail(result.error);
      }
      set({ status: result.value });
      return true;
    },
    saveNode: async (node) => {
      set({ error: null });
      const result = await api.call('dicom:save-node', node);
      if (!result.ok) return fail(result.error);
      await get().load();
      return true;
    },
    removeNode: async (id) => {
      await api.call('dicom:remove-node', { id });
      await get().load();
    },
    echo: async (id) => {
      const result = await api.call('dicom:echo', { id });
      return result.ok ? { ok: true, message: `Answered in ${result.value.milliseconds} ms.` } : { ok: false, message: result.error.message };
    },
    openSend: (studies) => set({ sending: studies, sendJobId: null, failures: [], error: null }),
    closeSend: () => set({ sending: null }),
    send: async (nodeId) => {
      const studies = get().sending;
      if (studies === null) return;
      set({ error: null, failures: [] });
      const result = await api.call('dicom:send', { nodeId, studies: [...studies] });
      if (result.ok) set({ sendJobId: result.value.jobId });
      else fail(result.error);
    },
    retryFailed: async () => {
      const jobId = get().sendJobId;
      if (jobId === null) return;
      const result = await api.call('dicom:retry-send', { jobId });
      if (result.ok) set({ sendJobId: result.value.jobId, failures: [] });
      else fail(result.error);
    },
    openQuery: (priorsOf) => set({ queryOpen: true, priorsOf: priorsOf ?? null, queryJobId: null, page: null, offset: 0, retrieveJobId: null, error: null }),
    closeQuery: () => {
      const { queryJobId } = get();
      if (queryJobId !== null) void api.call('dicom:cancel', { jobId: queryJobId });
      set({ queryOpen: false, priorsOf: null });
    },
    search: async (nodeId, form) => {
      set({ error: null, page: null, offset: 0, queryNodeId: nodeId });
      const given = (value: string): string | undefined => (value.trim() === '' ? undefined : value.trim());
      const input = {
        nodeId,
        patientName: given(form.patientName),
        patientId: given(form.patientId),
        accessionNumber: given(form.accessionNumber),
        dateFrom: given(form.dateFrom),
        dateTo: given(form.dateTo),
        modality: given(form.modality)?.toUpperCase(),
      };
      const result = await api.call('dicom:query', input);
      if (!result.ok) return void fail(result.error);
      set({ queryJobId: result.value.jobId });
      await get().showPage(0);
    },
    fetchPriors: async (nodeId) => {
      const studyUid = get().priorsOf;
      if (studyUid === null) return;
      set({ error: null, page: null, offset: 0, queryNodeId: nodeId });
      const result = await api.call('dicom:priors', { nodeId, studyUid });
      if (!result.ok) return void fail(result.error);
      set({ queryJobId: result.value.jobId });
      await get().showPage(0);
    },
    showPage: async (offset) => {
      const jobId = get().queryJobId;
      if (jobId === null) return;
      const result = await api.call('dicom:query-page', { jobId, offset, limit: QUERY_PAGE_SIZE });
      // An answer for a search replaced since is dropped.
      if (result.ok && get().queryJobId === jobId) set({ page: result.value, offset });
    },
    retrieve: async (studyUids) => {
      const nodeId = get().queryNodeId;
      if (nodeId === null || studyUids.length === 0) return;
      set({ error: null });
      const result = await api.call('dicom:retrieve', { nodeId, items: studyUids.map((studyUid) => ({ studyUid })) });
      if (result.ok) set({ retrieveJobId: result.value.jobId });
      else fail(result.error);
    },
    cancel: async (jobId) => {
      await api.call('dicom:cancel', { jobId });
    },
  };
});
