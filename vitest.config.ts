import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['electron/**/*.test.ts', 'shared/**/*.test.ts', 'server/**/*.test.ts', 'scripts/**/*.test.ts', 'renderer/**/*.test.ts', 'renderer/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 30_000,
    // One throwaway PostgreSQL cluster per run: every hub test runs on SQLite and PostgreSQL.
    globalSetup: ['server/test-support/postgres-global-setup.ts'],
  },
});
