/**
 * Passwords are stored as scrypt hashes (memory-hard: 32 MiB and 2^15 iterations per guess),
 * with a random salt and the parameters in the stored string so they can be raised later.
 *
 * Hashing runs on libuv's thread pool (never the event loop), at most one per core at a time,
 * first come first served: a morning rush of 200 sign-ins (bench:sync) would otherwise put 200
 * hashes in the pool's queue ahead of every file read and write the hub does (the pool has four
 * threads, shared with the file system), and with more hashes than cores running, each takes as
 * long as all of them. The measured cost per sign-in is the hash (~100–200 ms of CPU here); the
 * database work around it is a few milliseconds.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { availableParallelism } from 'node:os';

/** Hashes at once: one per core, leaving pool threads for the file system (the pool has 4 unless UV_THREADPOOL_SIZE says more). */
export const MAX_PARALLEL_HASHES = Math.max(1, Math.min(availableParallelism(), Number(process.env.UV_THREADPOOL_SIZE ?? 4) - 1));

/** A first-come-first-served gate: `run` waits for a free slot. */
class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly slots: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.slots) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next in line (the count stays), or is freed.
      if (next !== undefined) next();
      else this.active--;
    }
  }
}

const hashing = new Gate(MAX_PARALLEL_HASHES);

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return hashing.run(
    () =>
      new Promise<Buffer>((resolve, reject) =>
        scryptCallback(password.normalize('NFC'), salt, KEY_BYTES, { ...options, maxmem: 128 * options.N! * options.r! * 2 }, (error, key) =>
          error ? reject(error) : resolve(key),
        ),
      ),
  );
}

/**
 * A well-formed hash no password matches: checked when the name is unknown, so that a sign-in
 * costs the same hashing either way and its timing does not tell which names exist.
 */
export const DUMMY_PASSWORD_HASH = `scrypt$${N}$${R}$${P}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(KEY_BYTES).toString('base64url')}`;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || key === undefined) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
