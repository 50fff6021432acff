/**
 * Applies the Electron security checklist to the session and every web contents: navigation
 * and new windows denied, permission requests refused, external links only to the browser and
 * only when allowlisted, webviews never attached.
 */
import type { App, Session, Shell } from 'electron';
import { isAllowedExternalUrl, isAllowedNavigation } from './window-options';

export function hardenApp(app: App, session: Session, shell: Shell, devServerUrl: string | undefined): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAllowedNavigation(url, devServerUrl)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAllowedNavigation(url, devServerUrl)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isAllowedExternalUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}
