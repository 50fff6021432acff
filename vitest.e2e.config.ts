import { defineConfig } from 'vitest/config';

/** End-to-end tests: real browser, real services; run after `electron-vite build`. */
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
