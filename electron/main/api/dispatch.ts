/**
 * The single entry for every call, whatever the transport: checks the name against the contract,
 * validates the untrusted input with its schema, runs the handler, and turns failures into
 * `{ ok: false, error }`. Unexpected errors are logged by code only; their text (which may hold
 * paths or patient data) never leaves main.
 */
import { isCallName, type CallName, type CallOutput, type CallParsedInput, type CallResult } from '../../../shared/contract';
import { CALLS } from '../../../shared/contract-schemas';
import { AppError } from './app-error';

export type Handlers = {
  readonly [N in CallName]: (input: CallParsedInput<N>) => Promise<CallOutput<N>> | CallOutput<N>;
};

export type Logger = (line: string) => void;

export async function dispatch(handlers: Handlers, name: unknown, input: unknown, log: Logger = () => {}): Promise<CallResult<unknown>> {
  if (!isCallName(name)) return { ok: false, error: { code: 'unknown-call', message: 'That action does not exist.' } };
  const parsed = CALLS[name].input.safeParse(input ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; ');
    return { ok: false, error: { code: 'invalid-input', message: `The request was not valid (${detail}).` } };
  }
  try {
    const handler = handlers[name] as (input: unknown) => Promise<unknown> | unknown;
    return { ok: true, value: await handler(parsed.data) };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, error: { code: error.code, message: error.message } };
    log(`call ${name} failed: ${error instanceof Error ? error.name : 'non-error thrown'}`);
    return { ok: false, error: { code: 'internal', message: 'Something went wrong in Studyshare. The action was not completed.' } };
  }
}
