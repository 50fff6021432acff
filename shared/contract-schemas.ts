/**
 * The input schemas of the contract's calls (zod), used by main to validate what the untrusted
 * renderer sends. Kept apart from contract.ts so that the renderer and the preload, which only
 * need names and types, do not bundle zod.
 */
import { z } from 'zod';
import type { AdminOverview, GuestLinkView, HostInfo, HubStatus, StudyDetails } from './contract';
import { guestLinkOptionsSchema } from './guest-link-options';
import { PERMISSION_KEYS, type PermissionKey } from './permissions/catalogue';
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
const hubId = z.string().uuid('a hub id');
const name = z.string().trim().min(1, 'a name').max(200);
const email = z.string().trim().toLowerCase().email('an email address').max(254);
const password = z.string().min(10, 'at least 10 characters').max(200);

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
  'hub:status': call<HubStatus>()(z.object({}).strict()),
  'hub:setup': call<HubStatus>()(z.object({ siteName: name, adminName: name, email, password }).strict()),
  'hub:sign-in': call<HubStatus>()(
    z.object({ url: z.string().url().max(2000).regex(/^https?:\/\//, 'an http(s) address').optional(), email, password: z.string().min(1).max(200) }).strict(),
  ),
  'hub:sign-out': call<HubStatus>()(z.object({}).strict()),
  'hub:sync-now': call<HubStatus>()(z.object({}).strict()),
  'admin:overview': call<AdminOverview>()(z.object({}).strict()),
  'admin:add-user': call<{ readonly id: string }>()(
    z.object({ name, email, password, role: z.enum(['Admin', 'Radiologist', 'Technologist', 'Physician', 'Case Manager', 'Referrer']) }).strict(),
  ),
  'admin:set-role-permissions': call<{ readonly permissions: readonly string[] }>()(
    z.object({ roleId: hubId, permissions: z.array(z.enum(PERMISSION_KEYS as [PermissionKey, ...PermissionKey[]])).max(100) }).strict(),
  ),
  'admin:add-location': call<{ readonly id: string }>()(z.object({ name }).strict()),
  'admin:add-group': call<{ readonly id: string }>()(z.object({ name, department: z.boolean() }).strict()),
  'admin:add-member': call<Record<string, never>>()(z.object({ kind: z.enum(['location', 'group']), ownerId: hubId, userId: hubId }).strict()),
  'admin:regenerate-share-code': call<{ readonly shareCode: string }>()(z.object({ worklistId: hubId }).strict()),
  'guest-links:create': call<{ readonly url: string; readonly studies: number }>()(
    guestLinkOptionsSchema.extend({ studyInstanceUids: z.array(uid).min(1).max(20) }).strict(),
  ),
  'guest-links:list': call<{ readonly links: readonly GuestLinkView[] }>()(z.object({ studyInstanceUid: uid }).strict()),
  'guest-links:revoke': call<{ readonly state: string }>()(z.object({ id: hubId }).strict()),
} as const;


// The call names listed in contract.ts and the schemas here must be the same set.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const namesMatch: Same<keyof typeof CALLS, (typeof CALL_NAMES)[number]> = true;
void namesMatch;
