/**
 * The one contract between the renderer and main: every call the renderer may make (name →
 * input schema, output type) and every event main pushes. The preload bridge, the IPC binding,
 * the loopback HTTP transport and the renderer's api.ts are all derived from these two maps, so
 * a call cannot exist on one side only. Inputs are validated in main with these schemas.
 */
import { z } from 'zod';
import type { ImportProgress, ImportSummary } from './types/import';
import { studyQuerySchema, type SeriesSummary, type StudyPage, type StudySummary } from './types/study';

/** A call: its input schema, and (as a type only) what it returns. */
interface CallSpec<Input extends z.ZodType, Output> {
  readonly input: Input;
  readonly output?: Output;
}
const call = <Output>() => <Input extends z.ZodType>(input: Input): CallSpec<Input, Output> => ({ input });

const uid = z.string().regex(/^[0-9]+(\.[0-9]+)*$/, 'a DICOM UID').max(64);
const importId = z.string().regex(/^[a-z0-9-]{8,64}$/, 'an import id');

export interface StudyDetails {
  readonly study: StudySummary;
  readonly series: readonly SeriesSummary[];
}

export interface HostInfo {
  /** Electron offers a native folder picker; the browser transport asks for a path. */
  readonly kind: 'electron' | 'browser';
  readonly version: string;
  readonly platform: string;
}

export const CALLS = {
  'host:info': call<HostInfo>()(z.object({}).strict()),
  'studies:query': call<StudyPage>()(studyQuerySchema),
  'studies:details': call<StudyDetails>()(z.object({ studyInstanceUid: uid }).strict()),
  'import:pick-folder': call<{ readonly paths: readonly string[] }>()(z.object({}).strict()),
  'import:start': call<{ readonly importId: string }>()(
    z
      .object({
        paths: z.array(z.string().min(1).max(4096)).min(1).max(64),
        copyToLibrary: z.boolean().default(false),
      })
      .strict(),
  ),
  'import:cancel': call<{ readonly cancelled: boolean }>()(z.object({ importId }).strict()),
} as const;

export type CallName = keyof typeof CALLS;
/** What the renderer passes (defaults may be left out). */
export type CallInput<N extends CallName> = z.input<(typeof CALLS)[N]['input']>;
/** What main's handler receives, after validation and defaults. */
export type CallParsedInput<N extends CallName> = z.output<(typeof CALLS)[N]['input']>;
export type CallOutput<N extends CallName> = NonNullable<(typeof CALLS)[N]['output']>;

/** Errors carry a code for programs and a sentence for the person at the workstation. */
export interface ApiError {
  readonly code: string;
  readonly message: string;
}
export type CallResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ApiError };

export const CALL_NAMES = Object.keys(CALLS) as CallName[];
export const isCallName = (name: unknown): name is CallName => typeof name === 'string' && Object.hasOwn(CALLS, name);

export interface ImportProgressEvent extends ImportProgress {
  readonly importId: string;
}
export interface ImportFinishedEvent {
  readonly importId: string;
  readonly summary: ImportSummary | null;
  /** Set when the import as a whole failed (not per-file errors, which are in the summary). */
  readonly error: ApiError | null;
}

/** Every event main pushes, by name → payload type (the values exist only to list the names). */
export interface EventPayloads {
  'import:progress': ImportProgressEvent;
  'import:finished': ImportFinishedEvent;
  /** The index changed: worklists should refresh what they show. */
  'data:changed': { readonly reason: 'import' };
}
export type EventName = keyof EventPayloads;
export const EVENT_NAMES: readonly EventName[] = ['import:progress', 'import:finished', 'data:changed'];
export const isEventName = (name: unknown): name is EventName => typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name);

/** What the preload exposes as `window.studyshare`, and what the HTTP transport mimics. */
export interface StudyshareBridge {
  call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallResult<CallOutput<N>>>;
  on<E extends EventName>(name: E, listener: (payload: EventPayloads[E]) => void): () => void;
}

/** IPC channel names: the preload and the main binding both take them from here. */
export const IPC_CALL_CHANNEL = 'studyshare:call';
export const IPC_EVENT_CHANNEL = 'studyshare:event';
