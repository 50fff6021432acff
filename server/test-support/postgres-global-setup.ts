/**
 * vitest globalSetup: one throwaway PostgreSQL cluster for the whole test run, so every hub test
 * also runs on PostgreSQL (habit 14). Each suite then makes its own database on it
 * (server/test-support/test-database.ts). With HUB_TEST_PG_URL set (a server someone already
 * runs, e.g. in CI), that server is used and nothing is started. Missing PostgreSQL binaries fail
 * the run with what to install: skipping PostgreSQL silently would hide every PG-only bug.
 *
 * The cluster trades durability for speed (fsync, synchronous_commit and full_page_writes off):
 * it lives for one run and is removed afterwards.
 */
import type { TestProject } from 'vitest/node';
import { startThrowawayCluster } from './postgres-cluster';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the test PostgreSQL server (no database name), e.g. postgres://postgres@127.0.0.1:54321 */
    hubTestPgUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  const given = process.env.HUB_TEST_PG_URL;
  if (given !== undefined && given.trim() !== '') {
    project.provide('hubTestPgUrl', given.trim().replace(/\/+$/, ''));
    return undefined;
  }
  const cluster = await startThrowawayCluster();
  project.provide('hubTestPgUrl', cluster.url);
  // For helper scripts started by tests (the provided value is the one tests should read).
  process.env.STUDYSHARE_TEST_PG_URL = cluster.url;
  return () => cluster.stop();
}
