/**
 * A real hub for desktop-side tests: on a fixed port, stoppable and restartable on the same data,
 * on either engine (a SQLite file in `dir`, or a PostgreSQL database on the test cluster made at
 * the first start and dropped by destroy()).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Transform, pipeline } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { buildHub } from '../../../server/app';
import { openHubDatabase } from '../../../server/db/open-hub-db';
import type { HubDatabase } from '../../../server/db/schema';
import { createTestPostgresDatabase, type HubEngine } from '../../../server/test-support/test-database';
import { freePort } from './free-port';

/** A hub on a fixed port that can be stopped and started again on the same data. */
export class TestHub {
  db: Kysely<HubDatabase> | null = null;
  app: FastifyInstance | null = null;
  port = 0;
  /** Called when an upload's body starts arriving at the hub (a test can stop the hub right then). */
  onUpload: (() => void) | null = null;
  /**
   * A fault to inject into batches of operations: when it returns true for an operation in a
   * batch, the hub fails the whole batch with a 500 (one operation that breaks the hub).
   */
  poison: ((operation: { readonly id: string; readonly kind: string }) => boolean) | null = null;
  private postgres: { readonly url: string; drop(): Promise<void> } | null = null;
  constructor(
    readonly dir: string,
    readonly engine: HubEngine = 'sqlite',
  ) {}
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    if (this.engine === 'postgres' && this.postgres === null) this.postgres = await createTestPostgresDatabase();
    this.db = await openHubDatabase(this.postgres?.url ?? path.join(this.dir, 'hub.sqlite'));
    // The port is chosen before the hub is built: its public address (in every link) names it.
    if (this.port === 0) this.port = await freePort();
    this.app = buildHub({ db: this.db, blobDir: path.join(this.dir, 'blobs'), publicUrl: this.url });
    // The first chunk of an upload's body reaching the hub: the body is surely not complete yet.
    // (Through a Transform: listening for 'data' on the payload itself would drain it.)
    this.app.addHook('preParsing', async (request, _reply, payload) => {
      if (request.method !== 'PUT' || this.onUpload === null) return payload;
      const onFirstChunk = this.onUpload;
      let first = true;
      const tap = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          callback(null, chunk);
          if (first) {
            first = false;
            onFirstChunk();
          }
        },
      });
      // pipeline, not pipe: a dropped connection must reach the hub's own upload pipeline.
      pipeline(payload, tap, () => undefined);
      return tap;
    });
    this.app.addHook('preHandler', async (request) => {
      const poison = this.poison;
      if (poison === null || request.method !== 'POST' || request.url !== '/api/operations') return;
      const operations = (request.body as { operations?: { id: string; kind: string }[] } | null)?.operations ?? [];
      if (operations.some((operation) => poison(operation))) throw new Error('A poisoned operation broke this batch.');
    });
    await this.app.listen({ port: this.port, host: '127.0.0.1' });
  }
  async stop(): Promise<void> {
    this.app?.server.closeAllConnections();
    await this.app?.close();
    await this.db?.destroy();
    this.app = null;
    this.db = null;
  }
  /** Stops the hub and drops its PostgreSQL database (a SQLite file goes with the test's folder). */
  async destroy(): Promise<void> {
    await this.stop();
    await this.postgres?.drop();
    this.postgres = null;
  }
  /** Creates the site and its admin through the API (as the first desktop does); answers the admin's token. */
  async setUpSite(): Promise<string> {
    const setup = await fetch(`${this.url}/api/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accountName: 'Site', adminName: 'Admin', email: 'admin@site.example', password: 'long enough password' }),
    });
    return ((await setup.json()) as { token: string }).token;
  }
  async count(table: 'studies' | 'operations' | 'study_files'): Promise<number> {
    const row = await this.db!.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

