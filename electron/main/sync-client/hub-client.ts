/**
 * HTTP calls from the desktop to the hub. Failures are sorted into what the sync client must
 * treat differently: the hub cannot be reached (retry later, lose nothing), the session ended
 * (sign in again), or the hub refused the request (show why).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { HubChangePage, Operation, OperationResult } from '../../../shared/hub-contract';

export class HubUnreachableError extends Error {
  constructor() {
    super('The hub cannot be reached. Your changes are kept and will be sent when it is back.');
    this.name = 'HubUnreachableError';
  }
}
export class HubSessionError extends Error {
  constructor() {
    super('Your hub session has ended. Sign in again.');
    this.name = 'HubSessionError';
  }
}
export class HubRefusedError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HubRefusedError';
  }
}

export class HubClient {
  constructor(
    readonly baseUrl: string,
    private token: string | null = null,
    private readonly timeoutMs = 30_000,
  ) {}

  setToken(token: string | null): void {
    this.token = token;
  }

  async request(method: string, pathname: string, body?: unknown, extra: RequestInit = {}): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(new URL(pathname, this.baseUrl), {
        method,
        signal: AbortSignal.timeout(this.timeoutMs),
        ...extra,
        headers: {
          ...(this.token === null ? {} : { authorization: `Bearer ${this.token}` }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(extra.headers as Record<string, string> | undefined),
        },
        body: body === undefined ? extra.body : JSON.stringify(body),
      });
    } catch {
      throw new HubUnreachableError();
    }
    // A proxy or a restarting hub can answer 502–504: that is "not reachable", not "refused".
    if (response.status >= 502 && response.status <= 504) throw new HubUnreachableError();
    const text = await response.text().catch(() => {
      throw new HubUnreachableError();
    });
    // JSON answers are parsed; anything else (a CSV export) comes back as text.
    const isJson = (response.headers.get('content-type') ?? 'application/json').includes('json');
    const json: unknown = text === '' ? null : isJson ? JSON.parse(text) : text;
    const error = (json as { error?: { code?: string; message?: string } } | null)?.error;
    // 401 means the session is gone, except when signing in, where it means wrong credentials.
    if (response.status === 401 && error?.code !== 'wrong-credentials') throw new HubSessionError();
    if (!response.ok) {
      throw new HubRefusedError(response.status, error?.code ?? 'refused', error?.message ?? `The hub refused the request (${response.status}).`);
    }
    return json;
  }

  async signIn(email: string, password: string): Promise<string> {
    const { token } = (await this.request('POST', '/api/sessions', { email, password })) as { token: string };
    this.token = token;
    return token;
  }

  async sendOperations(operations: readonly Operation[]): Promise<readonly OperationResult[]> {
    const { results } = (await this.request('POST', '/api/operations', { operations })) as { results: OperationResult[] };
    return results;
  }

  changes(after: number, limit = 1000): Promise<HubChangePage> {
    return this.request('GET', `/api/changes?after=${after}&limit=${limit}`) as Promise<HubChangePage>;
  }

  async uploadFile(studyId: string, sopInstanceUid: string, filePath: string): Promise<{ size: number; sha256: string }> {
    const { size } = await stat(filePath);
    return (await this.request('PUT', `/api/studies/${studyId}/files/${sopInstanceUid}`, undefined, {
      headers: { 'content-type': 'application/dicom', 'content-length': String(size) },
      body: Readable.toWeb(createReadStream(filePath)) as ReadableStream,
      duplex: 'half',
    } as RequestInit)) as { size: number; sha256: string };
  }
}
