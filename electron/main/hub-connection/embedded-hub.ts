/**
 * The hub that runs inside the desktop app: one workstation, or a trial. It keeps one port for
 * good (chosen at its first start), so the links and invitations it made keep working across
 * restarts; it listens on loopback unless the user lets the local network in; and its links point
 * at the public address the user set, else at this computer's loopback address (which only this
 * computer can open — the dialogs say so).
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { buildHub } from '../../../server/app';
import { newSetupCode } from '../../../server/config/setup-code';
import { openHubDatabase } from '../../../server/db/open-hub-db';
import { folderBlobStore } from '../../../server/blobs/folder-blob-store';
import { assertHubWritable } from '../../../server/config/start-checks';
import type { HubDatabase } from '../../../server/db/schema';
import { freePort } from '../net/free-port';

export interface EmbeddedHubOptions {
  /** The folder for hub.sqlite, the blobs and the mail drop. */
  readonly folder: string;
  /** The kept port; undefined at the very first start (a free one is chosen). */
  readonly port?: number;
  readonly lan: boolean;
  readonly publicUrl: string | null;
  /** Where "the local network" listens (tests bind another loopback address; a user's machine every interface). */
  readonly lanHost?: string;
  readonly now?: () => Date;
  readonly guestPageDir?: string;
}

export class EmbeddedHub {
  private constructor(
    private readonly app: FastifyInstance,
    readonly db: Kysely<HubDatabase>,
    readonly port: number,
    readonly host: string,
    /** What the hub's links point to. */
    readonly publicUrl: string,
    /** The setup code for this run: the desktop hands it over itself at first-run setup. */
    readonly setupToken: string,
    /** Set when the kept port was taken and another had to be chosen. */
    readonly movedFrom: number | null,
  ) {}

  /** The address this desktop itself talks to. */
  get localUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(options: EmbeddedHubOptions): Promise<EmbeddedHub> {
    // Owner-only: the hub's database and study files are patient data.
    mkdirSync(options.folder, { recursive: true, mode: 0o700 });
    const db = await openHubDatabase(path.join(options.folder, 'hub.sqlite'));
    const blobDir = path.join(options.folder, 'blobs');
    mkdirSync(blobDir, { recursive: true, mode: 0o700 });
    // A folder it cannot write (read-only, full) stops the start with one sentence, as on a server.
    try {
      await assertHubWritable(db, folderBlobStore(blobDir), { database: path.join(options.folder, 'hub.sqlite'), blobs: blobDir });
    } catch (error) {
      await db.destroy();
      throw error;
    }
    const host = options.lan ? (options.lanHost ?? '0.0.0.0') : '127.0.0.1';
    // Never typed (the desktop hands it over itself), so longer than a server hub's.
    const setupToken = newSetupCode(32);
    const build = (port: number) =>
      buildHub({
        db,
        blobDir,
        publicUrl: options.publicUrl ?? `http://127.0.0.1:${port}`,
        // Host check (DNS rebinding): the public address's name, loopback names and addresses only.
        listenHost: host,
        setupToken,
        now: options.now,
        guestPageDir: options.guestPageDir,
      });
    try {
      if (options.port !== undefined) {
        try {
          return await EmbeddedHub.listen(build, db, options.port, host, options.publicUrl, setupToken, null);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
          // Another program took the kept port: run anyway on a new one, and say so.
          return await EmbeddedHub.listen(build, db, 0, host, options.publicUrl, setupToken, options.port);
        }
      }
      return await EmbeddedHub.listen(build, db, 0, host, options.publicUrl, setupToken, null);
    } catch (error) {
      await db.destroy();
      throw error;
    }
  }

  private static async listen(
    build: (port: number) => FastifyInstance,
    db: Kysely<HubDatabase>,
    wanted: number,
    host: string,
    publicUrl: string | null,
    setupToken: string,
    movedFrom: number | null,
  ): Promise<EmbeddedHub> {
    // A free port is found first when none is kept: the hub's links name its port, so it must be known before the hub is built.
    const port = wanted === 0 ? await freePort(host) : wanted;
    const app = build(port);
    try {
      await app.listen({ port, host });
    } catch (error) {
      await app.close();
      throw error;
    }
    return new EmbeddedHub(app, db, (app.server.address() as AddressInfo).port, host, publicUrl ?? `http://127.0.0.1:${port}`, setupToken, movedFrom);
  }

  async needsSetup(): Promise<boolean> {
    return (await this.db.selectFrom('accounts').select('id').executeTakeFirst()) === undefined;
  }

  async close(): Promise<void> {
    this.app.server.closeAllConnections();
    await this.app.close();
    await this.db.destroy();
  }
}

/** This computer's addresses on its local networks, as hub addresses others could use (IPv4, not loopback). */
export function lanAddresses(port: number): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((address) => address !== undefined && address.family === 'IPv4' && !address.internal)
    .map((address) => `http://${address!.address}:${port}`);
}
