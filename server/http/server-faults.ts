/**
 * What the hub says when it could not do something for a reason of its own — its disk full, its
 * storage not writable — rather than "internal error": the desktop shows the hub's sentence and
 * retries later (5xx is "try again", never "your request is wrong"). And what a failure's log line
 * may name: codes and system calls along the error's cause chain, never its message (a file path
 * holds study and instance UIDs; a database error may quote a value).
 */
export interface ServerFault {
  readonly status: 503 | 507;
  readonly code: 'storage-full' | 'storage-unwritable';
  readonly message: string;
  readonly retryAfterSeconds: number;
}

const FULL: ServerFault = {
  status: 507,
  code: 'storage-full',
  message: 'The hub’s disk is full: it cannot store anything until space is freed. Your changes are kept and sent when it can take them.',
  retryAfterSeconds: 60,
};
const UNWRITABLE: ServerFault = {
  status: 503,
  code: 'storage-unwritable',
  message: 'The hub cannot write to its storage (a folder it may not write to, or a read-only disk). Tell the hub’s administrator; your changes are kept and sent when it can take them.',
  retryAfterSeconds: 60,
};

/** The errors along `error`'s cause chain (AggregateError's members included), at most a few deep. */
function chain(error: unknown): object[] {
  const found: object[] = [];
  const visit = (current: unknown, depth: number) => {
    if (typeof current !== 'object' || current === null || depth > 4 || found.length > 8) return;
    found.push(current);
    if (current instanceof AggregateError) for (const inner of current.errors) visit(inner, depth + 1);
    visit((current as { cause?: unknown }).cause, depth + 1);
  };
  visit(error, 0);
  return found;
}

export function serverFault(error: unknown): ServerFault | null {
  for (const link of chain(error)) {
    const code = (link as { code?: unknown }).code;
    const name = (link as { name?: unknown }).name;
    const status = (link as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
    // Node's file system, SQLite, PostgreSQL's disk_full (53100), a quota.
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL' || code === '53100') return FULL;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || (typeof code === 'string' && code.startsWith('SQLITE_READONLY'))) return UNWRITABLE;
    // S3: the bucket refuses our credentials, or is out of its quota.
    if (name === 'AccessDenied' || (name !== 'NoSuchKey' && status === 403)) return UNWRITABLE;
  }
  return null;
}

/** What a log line may say of a failure: each error's kind, code, errno and system call along the chain. */
export function faultCause(error: unknown): { name: string; code?: string; errno?: number; syscall?: string }[] {
  return chain(error).map((link) => {
    const { name, code, errno, syscall } = link as { name?: unknown; code?: unknown; errno?: unknown; syscall?: unknown };
    return {
      name: typeof name === 'string' ? name : 'Error',
      ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
      ...(typeof errno === 'number' ? { errno } : {}),
      ...(typeof syscall === 'string' ? { syscall } : {}),
    };
  });
}
