/**
 * The sandboxed preload: the only bridge between the untrusted renderer and main. It exposes
 * `window.studyshare` with two functions derived from the shared contract — never ipcRenderer.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  IPC_CALL_CHANNEL,
  IPC_EVENT_CHANNEL,
  isCallName,
  isEventName,
  type StudyshareBridge,
} from '../../shared/contract';

const bridge: StudyshareBridge = {
  call: (name, input) =>
    isCallName(name)
      ? ipcRenderer.invoke(IPC_CALL_CHANNEL, name, input)
      : Promise.resolve({ ok: false, error: { code: 'unknown-call', message: 'That action does not exist.' } }),
  on: (name, listener) => {
    if (!isEventName(name)) return () => {};
    const wrapped = (_event: IpcRendererEvent, eventName: unknown, payload: unknown): void => {
      if (eventName === name) listener(payload as never);
    };
    ipcRenderer.on(IPC_EVENT_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('studyshare', bridge);
