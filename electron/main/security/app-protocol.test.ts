import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveInside } from './app-protocol';

describe('resolveInside', () => {
  const root = path.resolve('/opt/studyshare/renderer');
  it.each([
    ['/index.html', path.join(root, 'index.html')],
    ['/assets/app.js', path.join(root, 'assets', 'app.js')],
    ['/../../etc/passwd', path.join(root, 'etc', 'passwd')],
    ['/%2e%2e/%2e%2e/etc/passwd', path.join(root, 'etc', 'passwd')],
  ])('%s stays inside the renderer folder', (request, expected) => expect(resolveInside(root, request)).toBe(expected));
});
