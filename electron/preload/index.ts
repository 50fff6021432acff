/**
 * The sandboxed preload: the only bridge between the untrusted renderer and main. It exposes
 * named, typed functions only — never ipcRenderer itself.
 */
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('studyshareHost', Object.freeze({ kind: 'electron', platform: process.platform }));
