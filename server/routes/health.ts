/**
 * Health checks for load balancers and service managers, open to anyone and saying nothing about
 * the data: `GET /healthz` (liveness: the process answers) and `GET /readyz` (readiness: the
 * database answers a query and the blob folder takes a write). Once shutdown has begun, Fastify
 * itself (return503OnClosing, set in app.ts) answers 503 to every request that arrives, this one
 * included, so a balancer stops sending new work while requests in flight finish.
 */
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { HubDatabase } from '../db/schema';

export interface HealthOptions {
  readonly db: Kysely<HubDatabase>;
  readonly blobDir: string;
}

const answer = (reply: FastifyReply, status: number, body: Readonly<Record<string, string>>): FastifyReply =>
  reply.status(status).header('cache-control', 'no-store').send(body);

export const healthRoutes =
  ({ db, blobDir }: HealthOptions): FastifyPluginAsync =>
  async (app) => {
    app.get('/healthz', async (_request, reply) => answer(reply, 200, { status: 'ok' }));

    app.get('/readyz', async (request, reply) => {
      try {
        await sql`select 1`.execute(db);
      } catch (error) {
        request.log.warn({ check: 'database', name: (error as Error).name, code: (error as { code?: unknown }).code }, 'readiness check failed');
        return answer(reply, 503, { status: 'unavailable', reason: 'database not answering' });
      }
      // A real write, not access(W_OK): root passes permission checks, and a full disk, a
      // read-only mount or a path that is no longer a folder only show when writing.
      const probe = path.join(blobDir, `.ready-${randomUUID()}`);
      try {
        await writeFile(probe, '');
        await rm(probe, { force: true });
      } catch (error) {
        request.log.warn({ check: 'blobs', name: (error as Error).name, code: (error as { code?: unknown }).code }, 'readiness check failed');
        return answer(reply, 503, { status: 'unavailable', reason: 'blob folder not writable' });
      }
      return answer(reply, 200, { status: 'ok' });
    });
  };
