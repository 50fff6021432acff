/**
 * The IPC transport: one channel for calls, one for events, both named in the shared contract.
 * Every call is checked for its sender (only our own page, in the main frame) before dispatch.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../../../shared/contract';
import { dispatch, type Handlers, type Logger } from '../api/dispatch';
import type { EventBus } from '../api/event-bus';

export function bindIpc(
  ipcMain: IpcMain,
  handlers: Handlers,
  bus: EventBus,
  isTrustedUrl: (url: string) => boolean,
  targets: () => readonly WebContents[],
  log: Logger,
): () => void {
  ipcMain.handle(IPC_CALL_CHANNEL, (event: IpcMainInvokeEvent, name: unknown, input: unknown) => {
    const frame = event.senderFrame;
    if (frame === null || frame.parent !== null || !isTrustedUrl(frame.url)) {
      log('refused a call from an untrusted frame');
      return { ok: false, error: { code: 'forbidden', message: 'This page may not use Studyshare.' } };
    }
    return dispatch(handlers, name, input, log);
  });
  const unsubscribe = bus.subscribe((name, payload) => {
    for (const contents of targets()) if (!contents.isDestroyed()) contents.send(IPC_EVENT_CHANNEL, name, payload);
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_CALL_CHANNEL);
  };
}
