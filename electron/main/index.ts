/**
 * The Electron shell, and the only module besides security/ and ipc/ that touches `electron`:
 * it creates the hardened window, serves the renderer over app://, and binds the services (the
 * same ones browser mode serves over loopback HTTP) to IPC.
 */
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Notification, protocol, safeStorage, session, shell } from 'electron';
import { JOIN_LINK_SCHEME, parseJoinLink } from '../../shared/join-link';
import { createStudyshareApp, type StudyshareApp } from './app/create-app';
import { seedDemo } from './demo/seed-demo';
import { bindIpc } from './ipc/bind-ipc';
import { registerAppProtocol } from './security/app-protocol';
import { viewerDataFor } from './viewer/viewer-data';
import { hardenApp } from './security/harden';
import { APP_ORIGIN, APP_SCHEME, isAllowedNavigation, secureWebPreferences } from './security/window-options';

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
  window.webContents.on('did-finish-load', () => {
    if (pendingJoin !== null && studyshare !== null) studyshare.bus.emit('hub:join-link', { url: pendingJoin });
    pendingJoin = null;
  });
  void window.loadURL(devServerUrl ?? `${APP_ORIGIN}/index.html`);
  return window;
}

let studyshare: StudyshareApp | null = null;

// studyshare://join?hub=… (from the hub's pages) opens this app at "Join your site's hub" with
// the address filled in. One instance only: a link opened while the app runs reaches it.
if (!app.requestSingleInstanceLock()) app.quit();
app.setAsDefaultProtocolClient(JOIN_LINK_SCHEME);
/** A join link that arrived before the window could show it. */
let pendingJoin: string | null = process.argv.map(parseJoinLink).find((url) => url !== null) ?? null;
function offerJoin(link: string): void {
  const url = parseJoinLink(link);
  if (url === null) return;
  const window = BrowserWindow.getAllWindows()[0];
  if (studyshare === null || window === undefined || window.webContents.isLoading()) {
    pendingJoin = url;
    return;
  }
  studyshare.bus.emit('hub:join-link', { url });
  if (window.isMinimized()) window.restore();
  window.focus();
}
app.on('second-instance', (_event, argv) => argv.forEach(offerJoin));
app.on('open-url', (event, url) => {
  event.preventDefault();
  offerJoin(url);
});

void app.whenReady().then(() => {
  hardenApp(app, session.defaultSession, shell, devServerUrl);
  registerAppProtocol(protocol, path.join(import.meta.dirname, '../renderer'), () => (studyshare === null ? null : viewerDataFor(studyshare.handlers)));
  // The hub token is sealed with the platform keychain where there is one.
  const tokenCipher = safeStorage.isEncryptionAvailable()
    ? { encrypt: (plain: string) => safeStorage.encryptString(plain), decrypt: (sealed: Buffer) => safeStorage.decryptString(sealed) }
    : null;
  studyshare = createStudyshareApp(app.getPath('userData'), {
    kind: 'electron',
    pickFolder: async () => {
      const focused = BrowserWindow.getFocusedWindow();
      const options = { title: 'Import DICOM folder', properties: ['openDirectory', 'multiSelections'] as ('openDirectory' | 'multiSelections')[] };
      const result = focused === null ? await dialog.showOpenDialog(options) : await dialog.showOpenDialog(focused, options);
      return result.canceled ? [] : result.filePaths;
    },
    // Download… (issue 13): the person chooses where the study's zip goes.
    pickSavePath: async (suggestedName) => {
      const focused = BrowserWindow.getFocusedWindow();
      const options = { title: 'Save study', defaultPath: path.join(app.getPath('downloads'), suggestedName), filters: [{ name: 'Zip', extensions: ['zip'] }] };
      const result = focused === null ? await dialog.showSaveDialog(options) : await dialog.showSaveDialog(focused, options);
      return result.canceled || result.filePath === undefined || result.filePath === '' ? null : result.filePath;
    },
    // The OS notification for urgent kinds (issue 16): the sentence only, never the patient; a
    // click brings the window forward. Where the OS has none (or denies it), nothing is shown.
    notifier: {
      show: ({ title, body, onClick }) => {
        if (!Notification.isSupported()) return;
        const shown = new Notification({ title, body, silent: false });
        shown.on('click', () => {
          const window = BrowserWindow.getAllWindows()[0];
          if (window !== undefined) {
            if (window.isMinimized()) window.restore();
            window.focus();
          }
          onClick?.();
        });
        shown.show();
      },
    },
  }, { tokenCipher, embeddedHub: { guestPageDir: path.join(app.getAppPath(), 'resources', 'guest-page') } });
  const started = studyshare;
  void started.start().then(() => (process.argv.includes('--demo') ? seedDemo(started, app.getPath('userData'), (line) => console.log(line)) : undefined));
  bindIpc(
    ipcMain,
    studyshare.handlers,
    studyshare.bus,
    (url) => isAllowedNavigation(url, devServerUrl),
    () => BrowserWindow.getAllWindows().map((window) => window.webContents),
    (line) => console.error(`studyshare: ${line}`),
  );
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', () => {
  void studyshare?.close();
});
