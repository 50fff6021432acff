/** What the audit trail records: the only place an audit action is spelled (hub, desktop, UI). */
export const AUDIT_ACTIONS = [
  'study.import',
  'study.update',
  'study.private',
  'study.view',
  'share.create',
  'share.remove',
  'invitation.send',
  'invitation.accept',
  'guest-link.create',
  'guest-link.revoke',
  'site.settings',
  'site.policy',
  'department.change',
  'collection.change',
  'collection.study',
  'access.request',
  'access.decide',
  'sync.discard',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** How the admin screen and the CSV name them. */
export const AUDIT_ACTION_LABELS: Readonly<Record<AuditAction, string>> = {
  'study.import': 'Study put on the hub',
  'study.update': 'Study updated',
  'study.private': 'Private flag changed',
  'study.view': 'Study viewed',
  'share.create': 'Shared',
  'share.remove': 'Share removed',
  'invitation.send': 'Invitation sent',
  'invitation.accept': 'Invitation accepted',
  'guest-link.create': 'Guest link created',
  'guest-link.revoke': 'Guest link revoked',
  'site.settings': 'Site settings changed',
  'site.policy': 'Viewing policy changed',
  'department.change': 'Department changed',
  'collection.change': 'Collection changed',
  'collection.study': 'Collection studies changed',
  'access.request': 'Access requested',
  'access.decide': 'Access request answered',
  'sync.discard': 'Queued change discarded',
};
