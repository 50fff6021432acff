import { describe, expect, it } from 'vitest';
import { BUILT_IN_ROLES, PERMISSION_KEYS, type BuiltInRole } from './catalogue';
import { studyAccess, visibleShares, type ShareFact, type StudyAction, type StudyFacts, type ViewerFacts } from './visibility';

function viewer(userId: string, role: BuiltInRole, extra: Partial<ViewerFacts> = {}): ViewerFacts {
  return {
    userId,
    accountId: 'site-a',
    permissions: new Set(BUILT_IN_ROLES[role]),
    locationIds: new Set(),
    groupIds: new Set(),
    departmentPeerIds: new Set(),
    actingFor: [],
    ...extra,
  };
}

const share = (id: string, target: ShareFact['target'], sharedBy = 'rad', removed = false): ShareFact => ({ id, target, sharedBy, removed });

function study(extra: Partial<StudyFacts> = {}): StudyFacts {
  return { accountId: 'site-a', uploaderId: 'rad', private: false, shares: [], ...extra };
}

const other = (role: BuiltInRole, userId: string, extra: Partial<ViewerFacts> = {}) => viewer(userId, role, { accountId: 'site-b', ...extra });
const external = (userId: string, extra: Partial<ViewerFacts> = {}) => viewer(userId, 'Referrer', { accountId: null, ...extra });

describe('studyAccess: who sees a study', () => {
  const drPhys = other('Physician', 'phys');
  it.each<[string, StudyFacts, ViewerFacts, ReturnType<typeof studyAccess>['reason']]>([
    ['the uploader', study(), viewer('rad', 'Radiologist'), 'uploader'],
    ['a member of the owning account', study(), viewer('tech', 'Technologist'), 'account'],
    ['an admin of the owning account', study(), viewer('boss', 'Admin'), 'admin'],
    ['an admin of another account: no', study(), other('Admin', 'other-admin'), null],
    ['a user of another account with no share: no', study(), other('Radiologist', 'stranger'), null],
    ['a member of a location the study was shared to', study({ shares: [share('s1', { kind: 'worklist', worklistKind: 'location', ownerId: 'loc-b' })] }), other('Technologist', 'tb', { locationIds: new Set(['loc-b']) }), 'worklist-share'],
    ['a member of a group the study was shared to', study({ shares: [share('s1', { kind: 'worklist', worklistKind: 'group', ownerId: 'grp-b' })] }), other('Technologist', 'tb', { groupIds: new Set(['grp-b']) }), 'worklist-share'],
    ['a member of another group: no', study({ shares: [share('s1', { kind: 'worklist', worklistKind: 'group', ownerId: 'grp-b' })] }), other('Technologist', 'tb', { groupIds: new Set(['grp-c']) }), null],
    ['the owner of the personal worklist it was shared to', study({ shares: [share('s1', { kind: 'worklist', worklistKind: 'personal', ownerId: 'phys' })] }), drPhys, 'direct-share'],
    ['a person it was shared with', study({ shares: [share('s1', { kind: 'person', userId: 'ext' })] }), external('ext'), 'direct-share'],
    ['a person whose share was removed: no', study({ shares: [share('s1', { kind: 'person', userId: 'ext' }, 'rad', true)] }), external('ext'), null],
    ['a removed worklist share: no', study({ shares: [share('s1', { kind: 'worklist', worklistKind: 'location', ownerId: 'loc-b' }, 'rad', true)] }), other('Technologist', 'tb', { locationIds: new Set(['loc-b']) }), null],
    ['a fellow member of a department', study({ accountId: 'site-b' }), viewer('peer', 'Physician', { departmentPeerIds: new Set(['rad']) }), 'department'],
    ['an external user with no share: no', study(), external('ext'), null],
    ['anyone without studies.view: no', study({ shares: [share('s1', { kind: 'person', userId: 'x' })] }), viewer('x', 'Radiologist', { permissions: new Set() }), null],
    ['a case manager acting for a physician who sees it', study({ accountId: 'site-b', shares: [share('s1', { kind: 'worklist', worklistKind: 'personal', ownerId: 'phys' })] }), external('cm', { permissions: new Set(BUILT_IN_ROLES['Case Manager']), actingFor: [drPhys] }), 'acting-for'],
    ['a case manager acting for a physician who does not: no', study({ accountId: 'site-c' }), external('cm', { permissions: new Set(BUILT_IN_ROLES['Case Manager']), actingFor: [drPhys] }), null],
  ])('%s', (_rule, facts, who, reason) => {
    expect(studyAccess(facts, who).reason).toBe(reason);
    expect(studyAccess(facts, who).actions.has('view')).toBe(reason !== null);
  });
});

describe('studyAccess: private studies', () => {
  const personal = share('s1', { kind: 'worklist', worklistKind: 'personal', ownerId: 'phys' });
  const location = share('s2', { kind: 'worklist', worklistKind: 'location', ownerId: 'loc-a' });
  const privateStudy = study({ private: true, shares: [personal, location] });
  it.each<[string, ViewerFacts, boolean]>([
    ['the uploader sees it', viewer('rad', 'Radiologist'), true],
    ['an admin of the account sees it', viewer('boss', 'Admin'), true],
    ['the person it was shared with directly sees it', viewer('phys', 'Physician'), true],
    ['a member of the owning account does not', viewer('tech', 'Technologist'), false],
    ['a member of a location it was shared to does not', viewer('tech', 'Technologist', { locationIds: new Set(['loc-a']) }), false],
    ['a department peer of the uploader does not', viewer('peer', 'Physician', { departmentPeerIds: new Set(['rad']) }), false],
    ['a case manager acting for the physician does not', viewer('cm', 'Case Manager', { actingFor: [viewer('phys', 'Physician')] }), false],
    ['an admin of another account does not', other('Admin', 'x'), false],
  ])('%s', (_rule, who, sees) => {
    expect(studyAccess(privateStudy, who).actions.has('view')).toBe(sees);
  });
});

describe('studyAccess: what each built-in role may do to a study it sees', () => {
  const ALL: readonly StudyAction[] = ['view', 'share', 'share.email', 'share.groups', 'share.locations', 'share.users', 'share.code', 'guest-link', 'mark-private'];
  it.each<[BuiltInRole, readonly StudyAction[]]>([
    ['Admin', ALL],
    ['Radiologist', ALL],
    ['Technologist', ['view', 'share', 'share.groups', 'share.locations', 'share.users', 'share.code']],
    ['Physician', ['view', 'share', 'share.users', 'share.email', 'mark-private']],
    ['Case Manager', ['view', 'share', 'share.users', 'share.email']],
    ['Referrer', ['view', 'share', 'share.email']],
  ])('%s (as uploader)', (role, expected) => {
    const actions = studyAccess(study({ uploaderId: 'me' }), viewer('me', role));
    expect([...actions.actions].sort()).toEqual([...expected].sort());
  });

  it('keeps mark-private for the uploader and admins, even when the role grants it', () => {
    expect(studyAccess(study(), viewer('another-rad', 'Radiologist')).actions.has('mark-private')).toBe(false);
    expect(studyAccess(study(), viewer('boss', 'Admin')).actions.has('mark-private')).toBe(true);
  });

  it('lets a user remove shares they made, and anyone with studies.share.remove remove any', () => {
    const shares = [share('mine', { kind: 'person', userId: 'x' }, 'tech'), share('theirs', { kind: 'person', userId: 'y' }, 'rad'), share('gone', { kind: 'person', userId: 'z' }, 'tech', true)];
    expect([...studyAccess(study({ shares }), viewer('tech', 'Technologist')).removableShareIds]).toEqual(['mine']);
    expect([...studyAccess(study({ shares }), viewer('rad2', 'Radiologist')).removableShareIds].sort()).toEqual(['mine', 'theirs']);
    expect([...studyAccess(study({ shares }), other('Admin', 'outsider')).removableShareIds]).toEqual([]);
  });

  it('gives the Admin role every permission in the catalogue', () => {
    expect([...BUILT_IN_ROLES.Admin].sort()).toEqual([...PERMISSION_KEYS].sort());
  });
});

describe('visibleShares: who else a study is shared with', () => {
  const shares = [
    share('to-loc-b', { kind: 'worklist', worklistKind: 'location', ownerId: 'loc-b' }),
    share('to-phys', { kind: 'worklist', worklistKind: 'personal', ownerId: 'phys' }),
    share('to-ext', { kind: 'person', userId: 'ext' }),
    share('by-tb', { kind: 'person', userId: 'someone' }, 'tb'),
    share('gone', { kind: 'person', userId: 'ext' }, 'rad', true),
  ];
  it.each<[string, ViewerFacts, string[]]>([
    ['people of the owning site see every live share', viewer('tech', 'Technologist'), ['to-loc-b', 'to-phys', 'to-ext', 'by-tb']],
    ['a member of a location elsewhere sees its share and what they shared', other('Technologist', 'tb', { locationIds: new Set(['loc-b']) }), ['to-loc-b', 'by-tb']],
    ['an external recipient sees only their own', external('ext'), ['to-ext']],
  ])('%s', (_rule, who, expected) => {
    expect(visibleShares(study({ shares }), who).map((s) => s.id)).toEqual(expected);
  });
});
