import { describe, expect, it } from 'vitest';
import { isAllowedExternalUrl, isAllowedNavigation, secureWebPreferences } from './window-options';

describe('window security', () => {
  it('keeps the renderer isolated, sandboxed and without Node', () => {
    expect(secureWebPreferences('/app/preload.cjs')).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
  });

  it.each([
    ['https://dicom.nema.org/medical/dicom/current/output/html/part05.html', true],
    ['http://intranet.example/help', true],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['smb://server/share', false],
    ['https://user:secret@example.com', false],
    ['not a url', false],
  ])('external %s → %s', (url, allowed) => expect(isAllowedExternalUrl(url)).toBe(allowed));

  it.each([
    ['app://studyshare/index.html', undefined, true],
    ['http://localhost:5173/', 'http://localhost:5173', true],
    ['http://localhost:5173/', undefined, false],
    ['https://evil.example/', undefined, false],
    ['app://other/index.html', undefined, false],
  ])('navigate to %s (dev server %s) → %s', (url, dev, allowed) => expect(isAllowedNavigation(url, dev)).toBe(allowed));
});
