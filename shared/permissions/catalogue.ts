/**
 * The catalogue of permission keys: the only place a key is spelled. Roles are sets of these
 * keys; the built-in roles below are where an account starts, and its admins can edit them.
 */

export const PERMISSIONS = {
  'studies.view': 'View and search the studies list',
  'studies.share': 'Share a study',
  'studies.share.email': 'Share by email with someone outside the site',
  'studies.share.groups': 'Share with groups',
  'studies.share.locations': 'Share with locations',
  'studies.share.users': 'Share with users (a physician’s personal worklist)',
  'studies.share.code': 'Share with any worklist by its share code',
  'studies.share.remove': 'Remove a share',
  'studies.guest-links': 'Create guest links',
  'studies.private': 'Mark studies private',
  'studies.import': 'Import studies',
  'studies.comment': 'Comment on studies (and mention people)',
  'collections.create': 'Create collections',
  'admin.users': 'Manage users',
  'admin.roles': 'Manage roles',
  'admin.locations': 'Manage locations',
  'admin.groups': 'Manage groups',
  'admin.connections': 'Manage connections of external users',
  'admin.policy': 'Set the site’s viewing policy and departments',
  'audit.view': 'View the audit trail',
} as const;

export type PermissionKey = keyof typeof PERMISSIONS;
export const PERMISSION_KEYS = Object.keys(PERMISSIONS) as PermissionKey[];

export const isPermissionKey = (value: unknown): value is PermissionKey =>
  typeof value === 'string' && Object.hasOwn(PERMISSIONS, value);

export type BuiltInRole = 'Admin' | 'Radiologist' | 'Technologist' | 'Physician' | 'Case Manager' | 'Referrer';

const SHARE_INSIDE: readonly PermissionKey[] = ['studies.share', 'studies.share.groups', 'studies.share.locations', 'studies.share.users'];

export const BUILT_IN_ROLES: Readonly<Record<BuiltInRole, readonly PermissionKey[]>> = {
  Admin: PERMISSION_KEYS,
  Radiologist: [
    'studies.view',
    ...SHARE_INSIDE,
    'studies.share.email',
    'studies.share.code',
    'studies.share.remove',
    'studies.guest-links',
    'studies.private',
    'studies.import',
    'collections.create',
    'studies.comment',
  ],
  Technologist: ['studies.view', ...SHARE_INSIDE, 'studies.share.code', 'studies.import', 'studies.comment'],
  Physician: ['studies.view', 'studies.share', 'studies.share.users', 'studies.share.email', 'studies.private', 'collections.create', 'studies.comment'],
  'Case Manager': ['studies.view', 'studies.share', 'studies.share.users', 'studies.share.email', 'studies.comment'],
  // External referrers see what is shared with them, can pass it to a colleague by email, and discuss it.
  Referrer: ['studies.view', 'studies.share', 'studies.share.email', 'studies.comment'],
};

/** Every built-in role's name (the zod enums of the contract and the hub are made from it). */
export const BUILT_IN_ROLE_NAMES = Object.keys(BUILT_IN_ROLES) as [BuiltInRole, ...BuiltInRole[]];

/**
 * The roles whose people are physicians — reading (radiologists), treating, or referring — and so
 * are offered under "Physicians" when sharing (not admins, technologists or case managers).
 */
export const PHYSICIAN_ROLES: readonly BuiltInRole[] = ['Radiologist', 'Physician', 'Referrer'];
