/**
 * The input schemas of the contract's calls (zod), used by main to validate what the untrusted
 * renderer sends. Kept apart from contract.ts so that the renderer and the preload, which only
 * need names and types, do not bundle zod.
 */
import { z } from 'zod';
import type { HostInfo, StudyDetails } from './contract';
import { CALL_NAMES } from './contract';
import { studyQuerySchema, type StudyPage } from './types/study';

/** A call: its input schema, and (as a type only) what it returns. */
interface CallSpec<Input extends z.ZodType, Output> {
  readonly input: Input;
  readonly output?: Output;
}
const call = <Output>() => <Input extends z.ZodType>(input: Input): CallSpec<Input, Output> => ({ input });

const uid = z.string().regex(/^[0-9]+(\.[0-9]+)*$/, 'a DICOM UID').max(64);
const importId = z.string().regex(/^[a-z0-9-]{8,64}$/, 'an import id');

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


// The call names listed in contract.ts and the schemas here must be the same set.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const namesMatch: Same<keyof typeof CALLS, (typeof CALL_NAMES)[number]> = true;
void namesMatch;
