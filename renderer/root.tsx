/**
 * What the window shows: nothing until main says whether the workstation is locked, then the
 * lock screen (locked) or the app (signed in). Locking unmounts the app's views and empties the
 * stores that held patient data, so nothing of it stays in the page. Ctrl/Cmd+L locks; while
 * signed in, activity is reported to main (throttled) so its idle timer knows someone works.
 */
import { useEffect } from 'react';
import { App } from './app';
import { useHub } from './features/hub/hub-store';
import { clearPatientData } from './features/workstation/clear-patient-data';
import { LockScreen } from './features/workstation/LockScreen';
import { startActivityReports, useWorkstation } from './features/workstation/workstation-store';
import { startWorklist } from './features/worklist/worklist-store';
import { api } from './lib/api';

export function Root() {
  const status = useWorkstation((s) => s.status);
  const locked = status?.locked ?? true;

  useEffect(() => {
    void useWorkstation.getState().load();
    void useHub.getState().load();
    const unsubscribe = [
      api.on('workstation:state', (next) => useWorkstation.getState().receive(next)),
      api.on('hub:status', (hub) => {
        useHub.getState().receive(hub);
        // Choosing a hub (or none) at first run changes how the lock screen signs in.
        if (useWorkstation.getState().status?.locked !== false) void useWorkstation.getState().load();
      }),
    ];
    return () => unsubscribe.forEach((undo) => undo());
  }, []);

  useEffect(() => {
    if (locked) {
      clearPatientData();
      return;
    }
    startWorklist();
    return startActivityReports();
  }, [locked]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'l') {
        // Ctrl+L would focus the browser's address bar in browser mode: lock instead.
        event.preventDefault();
        if (useWorkstation.getState().status?.locked === false) void useWorkstation.getState().lock();
      }
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, []);

  if (status === null) return <div className="lock-screen" aria-busy="true" />;
  if (status.locked) return <LockScreen status={status} />;
  return <App />;
}
