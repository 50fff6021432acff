/**
 * The one place window security is decided (Electron security checklist): the renderer is
 * untrusted, so it gets no Node, an isolated context, the OS sandbox, and a preload that exposes
 * named functions only. Pure data, so it is tested under Node without Electron.
 */
export interface SecureWebPreferences {
  readonly preload: string;
  readonly contextIsolation: true;
  readonly sandbox: true;
  readonly nodeIntegration: false;
  readonly nodeIntegrationInWorker: false;
  readonly nodeIntegrationInSubFrames: false;
  readonly webSecurity: true;
  readonly allowRunningInsecureContent: false;
  readonly webviewTag: false;
  readonly navigateOnDragDrop: false;
  readonly spellcheck: false;
}

export function secureWebPreferences(preloadPath: string): SecureWebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

/** The app's own pages are served from this scheme; everything else is foreign. */
export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://studyshare`;

/** Only plain web links may leave the app, and only to the system browser. */
export function isAllowedExternalUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

/** In-app navigation is limited to the app's own origin (and the dev server while developing). */
export function isAllowedNavigation(url: string, devServerUrl: string | undefined): boolean {
  try {
    const target = new URL(url);
    // URL.origin is "null" for custom schemes, so compare scheme and host instead.
    if (target.protocol === `${APP_SCHEME}:` && target.host === 'studyshare') return true;
    return devServerUrl !== undefined && target.origin === new URL(devServerUrl).origin;
  } catch {
    return false;
  }
}
