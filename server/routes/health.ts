/**
 * Health checks for load balancers and service managers, open to anyone and saying nothing about
 * the data: `GET /healthz` (liveness: the process answers) and `GET /readyz` (readiness: the
 * database answers a query and takes a write, and the blob store takes a write). Once shutdown has begun, Fastify
 * itself (return503OnClosing, set in app.ts) answers 503 to every request that arrives, this one
 * included, so a balancer stops sending new work while requests in flight finish.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { BlobStore } from '../blobs/blob-store';
import type { HubDatabase } from '../db/schema';
import { checkDatabaseWritable } from '../db/write-check';
import { faultCause, serverFault } from '../http/server-faults';

export interface HealthOptions {
  readonly db: Kysely<HubDatabase>;
  readonly blobs: BlobStore;
}

const answer = (reply: FastifyReply, status: number, body: Readonly<Record<string, string>>): FastifyReply =>
  reply.status(status).header('cache-control', 'no-store').send(body);

export const healthRoutes =
  ({ db, blobs }: HealthOptions): FastifyPluginAsync =>
  async (app) => {
    app.get('/healthz', async (_request, reply) => answer(reply, 200, { status: 'ok' }));

    app.get('/readyz', async (request, reply) => {
      try {
        await sql`select 1`.execute(db);
      } catch (error) {
        request.log.warn({ check: 'database', cause: faultCause(error) }, 'readiness check failed');
        return answer(reply, 503, { status: 'unavailable', reason: 'database not answering' });
      }
      // It answers; but does it take a write (a full disk, a read-only file or replica)?
      try {
        await checkDatabaseWritable(db);
      } catch (error) {
        request.log.warn({ check: 'database-write', cause: faultCause(error) }, 'readiness check failed');
        return answer(reply, 503, { status: 'unavailable', reason: serverFault(error)?.code === 'storage-full' ? 'database disk full' : 'database not writable' });
      }
      // A real write and delete in the store (a probe file, a probe object): a full disk, a
      // read-only mount, a missing bucket or read-only credentials only show when writing.
      try {
        await blobs.check();
      } catch (error) {
        request.log.warn({ check: 'blobs', store: blobs.kind, cause: faultCause(error) }, 'readiness check failed');
        const full = serverFault(error)?.code === 'storage-full';
        return answer(reply, 503, { status: 'unavailable', reason: full ? 'blob store disk full' : blobs.kind === 'folder' ? 'blob folder not writable' : 'blob store not writable' });
      }
      return answer(reply, 200, { status: 'ok' });
    });
  };
