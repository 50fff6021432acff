/**
 * The single entry for every call, whatever the transport: checks the name against the contract,
 * asks the handlers' gate whether the call may run now (the workstation lock), validates the
 * untrusted input with its schema, runs the handler, and turns failures into
 * `{ ok: false, error }`. Unexpected errors are logged by code only; their text (which may hold
 * paths or patient data) never leaves main.
 */
import { isCallName, type ApiError, type CallName, type CallOutput, type CallParsedInput, type CallResult } from '../../../shared/contract';
import { CALLS } from '../../../shared/contract-schemas';
import { AppError } from './app-error';
import { describeInputIssues } from '../../../shared/input-errors';

/** The key under which a set of handlers carries its gate. */
export const CALL_GATE = Symbol('studyshare.call-gate');
/** Refuses a call before its input is read (an error), or lets it through (null). */
export type CallGate = (name: CallName) => ApiError | null;

/**
 * One handler per call, and the gate in front of them all. The gate travels with the handlers
 * so that no transport can bind the handlers without it: both IPC and loopback HTTP hand the
 * same object to `dispatch`.
 */
export type Handlers = {
  readonly [N in CallName]: (input: CallParsedInput<N>) => Promise<CallOutput<N>> | CallOutput<N>;
} & { readonly [CALL_GATE]: CallGate };

const NO_GATE: ApiError = { code: 'locked', message: 'Studyshare is locked. Sign in to continue.' };

export type Logger = (line: string) => void;

export async function dispatch(handlers: Handlers, name: unknown, input: unknown, log: Logger = () => {}): Promise<CallResult<unknown>> {
  if (!isCallName(name)) return { ok: false, error: { code: 'unknown-call', message: 'That action does not exist.' } };
  // Handlers without a gate refuse everything: a missing gate must not mean an open door.
  const gate = handlers[CALL_GATE] as CallGate | undefined;
  const refusal = typeof gate === 'function' ? gate(name) : NO_GATE;
  if (refusal !== null) return { ok: false, error: refusal };
  const parsed = CALLS[name].input.safeParse(input ?? {});
  if (!parsed.success) {
    return { ok: false, error: { code: 'invalid-input', message: describeInputIssues(parsed.error.issues) } };
  }
  try {
    const handler = handlers[name] as (input: unknown) => unknown;
    return { ok: true, value: await handler(parsed.data) };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, error: { code: error.code, message: error.message } };
    log(`call ${name} failed: ${error instanceof Error ? error.name : 'non-error thrown'}`);
    return { ok: false, error: { code: 'internal', message: 'Something went wrong in Studyshare. The action was not completed.' } };
  }
}
