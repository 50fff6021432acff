/** The DICOM dialogs (Send to…, Query / Fetch priors) and the subscription to main's activity, mounted once by the app. */
import { useEffect } from 'react';
import { api } from '../../lib/api';
import { useDicom } from './dicom-store';
import { QueryDialog } from './QueryDialog';
import { SendDialog } from './SendDialog';
import './dicom-net.css';

export function DicomNetDialogs() {
  const sending = useDicom((s) => s.sending);
  const queryOpen = useDicom((s) => s.queryOpen);
  useEffect(() => {
    void useDicom.getState().load();
    return api.on('dicom:activity', (status) => useDicom.getState().onActivity(status));
  }, []);
  return (
    <>
      {sending !== null && <SendDialog studies={sending} />}
      {queryOpen && <QueryDialog />}
    </>
  );
}
