/** An error with an HTTP status, a stable code and a sentence a person understands. */
import type { z } from 'zod';
import { describeInputIssues } from '../shared/input-errors';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds to wait before trying again (sent as Retry-After): throttles, a database away. */
    readonly options: { readonly retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Validates a request body (untrusted) with its schema, or answers 400 saying what is wrong. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  throw new HttpError(400, 'invalid-input', describeInputIssues(parsed.error.issues, 'body'));
}
