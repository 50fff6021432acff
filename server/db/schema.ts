/** The hub's tables as Kysely sees them (one interface per table, column types as stored). */
import type { Generated } from 'kysely';

export interface AccountTable {
  id: string;
  name: string;
  created_at: string;
}
export interface RoleTable {
  id: string;
  account_id: string;
  name: string;
  /** JSON array of permission keys from shared/permissions/catalogue. */
  permissions: string;
  built_in: number;
}
export interface UserTable {
  id: string;
  /** Null for external users. */
  account_id: string | null;
  email: string;
  name: string;
  password_hash: string;
  role_id: string | null;
  active: number;
  created_at: string;
}
export interface SessionTable {
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
}
export interface LocationTable {
  id: string;
  account_id: string;
  name: string;
}
export interface GroupTable {
  id: string;
  account_id: string;
  name: string;
  department: number;
}
export interface MembershipTable {
  owner_id: string;
  user_id: string;
}
export interface WorklistTable {
  id: string;
  kind: 'location' | 'group' | 'personal';
  owner_id: string;
  account_id: string | null;
  name: string;
  share_code: string;
}
export interface HubDatabase {
  accounts: AccountTable;
  roles: RoleTable;
  users: UserTable;
  sessions: SessionTable;
  locations: LocationTable;
  groups: GroupTable;
  location_members: MembershipTable;
  group_members: MembershipTable;
  worklists: WorklistTable;
  hub_meta: { key: string; value: string; id?: Generated<number> };
}
