/**
 * The Electron shell, and the only module that imports `electron`: it creates the window with
 * the settings from security/, serves the renderer over app://, and binds the services. All
 * behaviour lives in the services below, which run and are tested under plain Node.
 */
import path from 'node:path';
import { app, BrowserWindow, protocol, session, shell } from 'electron';
import { registerAppProtocol } from './security/app-protocol';
import { hardenApp } from './security/harden';
import { APP_ORIGIN, APP_SCHEME, secureWebPreferences } from './security/window-options';

const devServerUrl = process.env.ELECTRON_RENDERER_URL;

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    backgroundColor: '#111315',
    title: 'Studyshare',
    show: false,
    webPreferences: secureWebPreferences(path.join(import.meta.dirname, '../preload/index.cjs')),
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(devServerUrl ?? `${APP_ORIGIN}/index.html`);
  return window;
}

void app.whenReady().then(() => {
  hardenApp(app, session.defaultSession, shell, devServerUrl);
  registerAppProtocol(protocol, path.join(import.meta.dirname, '../renderer'));
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
