import { describe, expect, it } from 'vitest';
import { BUILT_IN_ROLES, PERMISSION_KEYS, type BuiltInRole } from './catalogue';
import { shareAction, studyAccess, visibleShares, type ShareFact, type StudyAction, type StudyFacts, type ViewerFacts } from './visibility';

function viewer(userId: string, role: BuiltInRole, extra: Partial<ViewerFacts> = {}): ViewerFacts {
  return {
    userId,
    accountId: 'site-a',
    permissions: new Set(BUILT_IN_ROLES[role]),
    locationIds: new Set(),
    groupIds: new Set(),
    departmentPeerIds: new Set(),
    siteView: 'site',
    collectionIds: new Set(),
    actingFor: [],
    ...extra,
  };
}

const share = (id: string, target: ShareFact['target'], sharedBy = 'rad', removed = false): ShareFact => ({ id, target, sharedBy, removed });

function study(extra: Partial<StudyFacts> = {}): StudyFacts {
  return { accountId: 'site-a', uploaderId: 'rad', private: false, shares: [], collectionIds: [], uploaderMarksPrivate: true, ...extra };
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
    ['a fellow member of a department, under the department policy', study(), viewer('peer', 'Physician', { siteView: 'department', departmentPeerIds: new Set(['rad']) }), 'department'],
    ['a fellow member of a department of another site: no', study({ accountId: 'site-b' }), viewer('peer', 'Physician', { siteView: 'department', departmentPeerIds: new Set(['rad']) }), null],
    ['a member of a collection it is in', study({ accountId: 'site-b', collectionIds: ['c1'] }), external('ext', { collectionIds: new Set(['c1']) }), 'collection'],
    ['an external user with no share: no', study(), external('ext'), null],
    ['anyone without studies.view: no', study({ shares: [share('s1', { kind: 'person', userId: 'x' })] }), viewer('x', 'Radiologist', { permissions: new Set() }), null],
    ['a case manager acting for a physician who sees it', study({ accountId: 'site-b', shares: [share('s1', { kind: 'worklist', worklistKind: 'personal', ownerId: 'phys' })] }), external('cm', { permissions: new Set(BUILT_IN_ROLES['Case Manager']), actingFor: [drPhys] }), 'acting-for'],
    ['a case manager acting for a physician who does not: no', study({ accountId: 'site-c' }), external('cm', { permissions: new Set(BUILT_IN_ROLES['Case Manager']), actingFor: [drPhys] }), null],
  ])('%s', (_rule, facts, who, reason) => {
    expect(studyAccess(facts, who).reason).toBe(reason);
    expect(studyAccess(facts, who).actions.has('view')).toBe(reason !== null);
  });
});

describe('studyAccess: physicians on studies and their delegates (rule 4)', () => {
  const onPaula = study({ accountId: 'site-b', physicianIds: ['dr-paula'] });
  const privateOnPaula = study({ accountId: 'site-b', private: true, physicianIds: ['dr-paula'] });
  const cm = (extra: Partial<ViewerFacts> = {}) => viewer('carl', 'Case Manager', { siteView: 'participated', delegatedPhysicianIds: new Set(['dr-paula', 'dr-oscar']), ...extra });
  it.each<[string, StudyFacts, ViewerFacts, ReturnType<typeof studyAccess>['reason']]>([
    ['the physician user a study is on (any relation)', onPaula, other('Physician', 'paula', { physicianIds: new Set(['dr-paula']), siteView: 'participated' }), 'physician'],
    ['the physician user, on a private study (a participant)', privateOnPaula, other('Physician', 'paula', { physicianIds: new Set(['dr-paula']) }), 'physician'],
    ['a physician user not on it: no', study({ accountId: 'site-b', physicianIds: ['dr-other'] }), other('Physician', 'paula', { physicianIds: new Set(['dr-paula']), siteView: 'participated' }), null],
    ['a case manager acting for a physician on it', onPaula, cm(), 'acting-for'],
    ['an external user connected to a physician on it', onPaula, external('rep', { delegatedPhysicianIds: new Set(['dr-paula']) }), 'acting-for'],
    ['a case manager, on a private study of their physician: no', privateOnPaula, cm(), null],
    ['a case manager, on a private study of their physician shared with them: yes (a participant)', study({ ...privateOnPaula, shares: [share('s1', { kind: 'person', userId: 'carl' })] }), cm(), 'direct-share'],
    ['a case manager whose physician was deactivated (not among the active ones): no', onPaula, cm({ delegatedPhysicianIds: new Set(['dr-oscar']) }), null],
    ['a case manager without studies.view: no', onPaula, cm({ permissions: new Set() }), null],
  ])('%s', (_rule, facts, who, reason) => {
    expect(studyAccess(facts, who).reason).toBe(reason);
  });
  it('lets a delegate act with their own permissions only', () => {
    const actions = studyAccess(onPaula, cm()).actions;
    expect(actions.has('share.users')).toBe(true);
    expect(actions.has('mark-private')).toBe(false);
    expect(actions.has('update')).toBe(false);
  });
});

describe('studyAccess: private studies', () => {
  const personal = share('s1', { kind: 'worklist', worklistKind: 'personal', ownerId: 'phys' });
  const location = share('s2', { kind: 'worklist', worklistKind: 'location', ownerId: 'loc-a' });
  const privateStudy = study({ private: true, shares: [personal, location], collectionIds: ['c1'] });
  it.each<[string, ViewerFacts, boolean]>([
    ['the uploader sees it', viewer('rad', 'Radiologist'), true],
    ['an admin of the account sees it', viewer('boss', 'Admin'), true],
    ['the person it was shared with directly sees it', viewer('phys', 'Physician'), true],
    ['a member of the owning account does not', viewer('tech', 'Technologist'), false],
    ['a member of a location it was shared to does not', viewer('tech', 'Technologist', { locationIds: new Set(['loc-a']) }), false],
    ['a department peer of the uploader does not', viewer('peer', 'Physician', { siteView: 'department', departmentPeerIds: new Set(['rad']) }), false],
    ['a member of a collection it is in sees it (a participant)', viewer('colleague', 'Technologist', { siteView: 'participated', collectionIds: new Set(['c1']) }), true],
    ['a member of another collection does not', viewer('colleague', 'Technologist', { collectionIds: new Set(['c2']) }), false],
    ['a case manager acting for the physician does not', viewer('cm', 'Case Manager', { actingFor: [viewer('phys', 'Physician')] }), false],
    ['an admin of another account does not', other('Admin', 'x'), false],
  ])('%s', (_rule, who, sees) => {
    expect(studyAccess(privateStudy, who).actions.has('view')).toBe(sees);
  });
});

describe('studyAccess: what each built-in role may do to a study it sees', () => {
  const ALL: readonly StudyAction[] = ['view', 'share', 'share.email', 'share.groups', 'share.locations', 'share.users', 'share.code', 'guest-link', 'guest-link.manage', 'update', 'mark-private', 'comment', 'download'];
  it.each<[BuiltInRole, readonly StudyAction[]]>([
    ['Admin', ALL],
    ['Radiologist', ALL],
    ['Technologist', ['view', 'share', 'share.groups', 'share.locations', 'share.users', 'share.code', 'update', 'comment', 'download']],
    ['Physician', ['view', 'share', 'share.users', 'share.email', 'mark-private', 'comment', 'download']],
    ['Case Manager', ['view', 'share', 'share.users', 'share.email', 'comment', 'download']],
    ['Referrer', ['view', 'share', 'share.email', 'comment', 'download']],
  ])('%s (as uploader)', (role, expected) => {
    const actions = studyAccess(study({ uploaderId: 'me' }), viewer('me', role));
    expect([...actions.actions].sort()).toEqual([...expected].sort());
  });

  it('lets whoever sees a study comment on it with studies.comment, and nobody who does not see it (rule 12)', () => {
    expect(studyAccess(study(), viewer('rad2', 'Radiologist')).actions.has('comment')).toBe(true);
    const silent = viewer('quiet', 'Physician', { permissions: new Set(['studies.view'] as const) });
    expect(studyAccess(study(), silent).actions.has('comment')).toBe(false);
    expect(studyAccess(study({ private: true }), viewer('rad2', 'Radiologist')).actions.has('comment')).toBe(false);
  });

  it('keeps mark-private for the uploader and admins, even when the role grants it', () => {
    expect(studyAccess(study(), viewer('another-rad', 'Radiologist')).actions.has('mark-private')).toBe(false);
    expect(studyAccess(study(), viewer('boss', 'Admin')).actions.has('mark-private')).toBe(true);
  });

  it('lets a user remove shares they made, and the study’s site (studies.share.remove, or its admins) remove any', () => {
    const shares = [share('mine', { kind: 'person', userId: 'x' }, 'tech'), share('theirs', { kind: 'person', userId: 'y' }, 'rad'), share('gone', { kind: 'person', userId: 'z' }, 'tech', true)];
    expect([...studyAccess(study({ shares }), viewer('tech', 'Technologist')).removableShareIds]).toEqual(['mine']);
    expect([...studyAccess(study({ shares }), viewer('rad2', 'Radiologist')).removableShareIds].sort()).toEqual(['mine', 'theirs']);
    expect([...studyAccess(study({ shares }), other('Admin', 'outsider')).removableShareIds]).toEqual([]);
    const adminWithoutRemove = viewer('boss', 'Admin', { permissions: new Set(['studies.view', 'admin.users'] as const) });
    expect([...studyAccess(study({ shares }), adminWithoutRemove).removableShareIds].sort()).toEqual(['mine', 'theirs']);
  });

  it('lets another site’s people, who see a study shared to them, remove only the shares they made (rule 8)', () => {
    const toLocB = share('to-loc-b', { kind: 'worklist', worklistKind: 'location', ownerId: 'loc-b' });
    const internal = share('internal', { kind: 'person', userId: 'phys' });
    const onward = share('onward', { kind: 'person', userId: 'colleague-b' }, 'rad-b');
    const facts = study({ shares: [toLocB, internal, onward] });
    const radB = other('Radiologist', 'rad-b', { locationIds: new Set(['loc-b']) });
    expect(studyAccess(facts, radB).reason).toBe('worklist-share');
    expect([...studyAccess(facts, radB).removableShareIds]).toEqual(['onward']);
  });

  it('keeps guest links to the owning site (rule 7): another site that sees the study may neither make nor manage them', () => {
    const toLocB = share('to-loc-b', { kind: 'worklist', worklistKind: 'location', ownerId: 'loc-b' });
    const received = studyAccess(study({ shares: [toLocB] }), other('Radiologist', 'rad-b', { locationIds: new Set(['loc-b']) }));
    expect(received.actions.has('view')).toBe(true);
    expect(received.actions.has('guest-link')).toBe(false);
    expect(received.actions.has('guest-link.manage')).toBe(false);
    // Their own site's: a radiologist makes and manages; an admin manages even without the permission.
    expect(studyAccess(study(), viewer('rad2', 'Radiologist')).actions.has('guest-link')).toBe(true);
    const adminWithoutLinks = viewer('boss', 'Admin', { permissions: new Set(['studies.view', 'admin.users'] as const) });
    expect([...studyAccess(study(), adminWithoutLinks).actions].sort()).toEqual(['download', 'guest-link.manage', 'view']);
  });

  it('lets a study’s data be updated by its site with studies.import; a private one only by its uploader or admins (rule 9)', () => {
    const privateStudy = study({ private: true, shares: [share('s1', { kind: 'worklist', worklistKind: 'personal', ownerId: 'tech2' })] });
    expect(studyAccess(study(), viewer('tech', 'Technologist')).actions.has('update')).toBe(true);
    expect(studyAccess(privateStudy, viewer('tech', 'Technologist')).actions.has('view')).toBe(false);
    // Shared with them directly: they may read it, not rewrite it.
    expect(studyAccess(privateStudy, viewer('tech2', 'Technologist')).actions.has('view')).toBe(true);
    expect(studyAccess(privateStudy, viewer('tech2', 'Technologist')).actions.has('update')).toBe(false);
    expect(studyAccess(privateStudy, viewer('rad', 'Radiologist')).actions.has('update')).toBe(true);
    expect(studyAccess(privateStudy, viewer('boss', 'Admin')).actions.has('update')).toBe(true);
    // Another site's, even shared with them in person, is never theirs to update.
    expect(studyAccess(study({ shares: [share('s2', { kind: 'person', userId: 'tb' })] }), other('Technologist', 'tb')).actions.has('update')).toBe(false);
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

describe('shareAction: the permission a share target needs (rule 10)', () => {
  const me = { accountId: 'site-a' };
  it.each<[string, Parameters<typeof shareAction>[0], { accountId: string | null }, StudyAction]>([
    ['a location of my site', { kind: 'location', accountId: 'site-a' }, me, 'share.locations'],
    ['a group of my site', { kind: 'group', accountId: 'site-a' }, me, 'share.groups'],
    ['a colleague’s personal worklist', { kind: 'personal', accountId: 'site-a' }, me, 'share.users'],
    ['a colleague by id', { kind: 'person', accountId: 'site-a' }, me, 'share.users'],
    ['another site’s location', { kind: 'location', accountId: 'site-b' }, me, 'share.code'],
    ['another site’s user by id', { kind: 'person', accountId: 'site-b' }, me, 'share.code'],
    ['an external user by id', { kind: 'person', accountId: null }, me, 'share.code'],
    ['anyone, for a sharer without a site', { kind: 'person', accountId: 'site-a' }, { accountId: null }, 'share.code'],
  ])('%s', (_case, target, who, expected) => {
    expect(shareAction(target, who)).toBe(expected);
  });
});

describe('studyAccess: the site’s viewing policy, for each kind of viewer (issue 13)', () => {
  // Site A's studies: one uploaded by a department peer of "member", one by someone else of the
  // site, one shared to member's location, one private by the peer, one of site B.
  const byPeer = study({ uploaderId: 'peer' });
  const bySomeone = study({ uploaderId: 'someone' });
  const toLocation = study({ uploaderId: 'someone', shares: [share('s1', { kind: 'worklist', worklistKind: 'location', ownerId: 'loc-a' }, 'someone')] });
  const privateByPeer = study({ uploaderId: 'peer', private: true });
  const elsewhere = study({ accountId: 'site-b', uploaderId: 'far' });
  const studies = { byPeer, bySomeone, toLocation, privateByPeer, elsewhere } as const;
  type Seen = readonly (keyof typeof studies)[];
  const member = (siteView: ViewerFacts['siteView'], extra: Partial<ViewerFacts> = {}) =>
    viewer('member', 'Physician', { siteView, departmentPeerIds: new Set(['peer']), locationIds: new Set(['loc-a']), ...extra });
  const outsider = (siteView: ViewerFacts['siteView']) => viewer('loner', 'Physician', { siteView, locationIds: new Set() });
  const admin = (siteView: ViewerFacts['siteView']) => viewer('boss', 'Admin', { siteView });
  const otherSite = (siteView: ViewerFacts['siteView']) => other('Radiologist', 'b-rad', { siteView, departmentPeerIds: new Set(['peer']) });
  const ext = () => external('ext', { departmentPeerIds: new Set(['peer']) });

  it.each<[string, ViewerFacts, Seen]>([
    ['participated: a department member sees only what reached them', member('participated'), ['toLocation']],
    ['participated: someone in no department and no location sees nothing of others', outsider('participated'), []],
    ['participated: an admin sees the whole site, private too', admin('participated'), ['byPeer', 'bySomeone', 'toLocation', 'privateByPeer']],
    ['participated: another site’s people see none of it (nor, under their own policy, a stranger’s study of theirs)', otherSite('participated'), []],
    ['participated: an external user sees none of it', ext(), []],
    ['department: a member sees their peer’s studies and what reached them', member('department'), ['byPeer', 'toLocation']],
    ['department: someone in no department sees only what reached them', outsider('department'), []],
    ['department: an admin sees the whole site, private too', admin('department'), ['byPeer', 'bySomeone', 'toLocation', 'privateByPeer']],
    ['department: a peer’s private study stays hidden from the department', member('department'), ['byPeer', 'toLocation']],
    ['department: another site’s people see none of it, peer or not', otherSite('department'), []],
    ['site: a member sees every non-private study of the site', member('site'), ['byPeer', 'bySomeone', 'toLocation']],
    ['site: someone in no department too', outsider('site'), ['byPeer', 'bySomeone', 'toLocation']],
    ['site: an admin sees every study, private too', admin('site'), ['byPeer', 'bySomeone', 'toLocation', 'privateByPeer']],
    ['site: another site’s people see their own site only', otherSite('site'), ['elsewhere']],
  ])('%s', (_case, who, expected) => {
    const seen = (Object.keys(studies) as (keyof typeof studies)[]).filter((name) => studyAccess(studies[name], who).actions.has('view'));
    expect(seen).toEqual(expected);
  });

  it('says why: department, account, collection', () => {
    expect(studyAccess(byPeer, member('department')).reason).toBe('department');
    expect(studyAccess(byPeer, member('site')).reason).toBe('account');
    expect(studyAccess(study({ uploaderId: 'someone', collectionIds: ['c'] }), member('participated', { collectionIds: new Set(['c']) })).reason).toBe('collection');
  });

  it('gives a case manager what their physicians see under their own site’s policy', () => {
    const cm = (physician: ViewerFacts) => external('cm', { permissions: new Set(BUILT_IN_ROLES['Case Manager']), actingFor: [physician] });
    expect(studyAccess(bySomeone, cm(member('participated'))).actions.has('view')).toBe(false);
    expect(studyAccess(byPeer, cm(member('department'))).reason).toBe('acting-for');
    expect(studyAccess(bySomeone, cm(member('site'))).reason).toBe('acting-for');
    expect(studyAccess(privateByPeer, cm(member('site'))).actions.has('view')).toBe(false);
  });
});

describe('studyAccess: marking private (rule 11)', () => {
  it.each<[string, StudyFacts, ViewerFacts, boolean]>([
    ['the uploader, where the site allows', study({ uploaderId: 'me' }), viewer('me', 'Physician'), true],
    ['the uploader, where the site does not', study({ uploaderId: 'me', uploaderMarksPrivate: false }), viewer('me', 'Physician'), false],
    ['an admin, whatever the site allows', study({ uploaderMarksPrivate: false }), viewer('boss', 'Admin'), true],
    ['a colleague holding studies.private', study(), viewer('rad2', 'Radiologist'), false],
    ['the uploader without studies.private', study({ uploaderId: 'me' }), viewer('me', 'Technologist'), false],
    ['another site’s admin who sees it by share', study({ shares: [share('s', { kind: 'person', userId: 'x' })] }), other('Admin', 'x'), false],
  ])('%s', (_case, facts, who, may) => {
    expect(studyAccess(facts, who).actions.has('mark-private')).toBe(may);
  });
});

describe('studyAccess: downloading, as the study’s site’s download policy says (rule 13)', () => {
  const policy = (mode: 'nobody' | 'viewers' | 'roles', roleIds: string[] = []) => ({ download: { mode, roleIds } });
  it.each<[string, StudyFacts, ViewerFacts, boolean]>([
    ['no policy stored: everyone who can view', study(), viewer('rad2', 'Radiologist'), true],
    ['everyone who can view: a colleague who sees it', study(policy('viewers')), viewer('rad2', 'Radiologist'), true],
    ['everyone who can view: another site’s person it was shared with', study({ ...policy('viewers'), shares: [share('s', { kind: 'person', userId: 'x' })] }), other('Radiologist', 'x'), true],
    ['everyone who can view: not someone who does not see it', study({ ...policy('viewers'), private: true }), viewer('rad2', 'Radiologist'), false],
    ['nobody: not its uploader', study({ ...policy('nobody'), uploaderId: 'me' }), viewer('me', 'Radiologist'), false],
    ['nobody: its site’s admin still may', study(policy('nobody')), viewer('boss', 'Admin'), true],
    ['nobody: not another site’s admin who sees it by share', study({ ...policy('nobody'), shares: [share('s', { kind: 'person', userId: 'x' })] }), other('Admin', 'x'), false],
    ['selected roles: a person of a chosen role', study(policy('roles', ['role-rad'])), viewer('rad2', 'Radiologist', { roleId: 'role-rad' }), true],
    ['selected roles: a person of another role', study(policy('roles', ['role-rad'])), viewer('tech', 'Technologist', { roleId: 'role-tech' }), false],
    ['selected roles: someone of the site without a role', study(policy('roles', ['role-rad'])), viewer('norole', 'Radiologist', { roleId: null }), false],
    ['selected roles: its site’s admin whatever the roles', study(policy('roles', [])), viewer('boss', 'Admin', { roleId: 'role-admin' }), true],
  ])('%s', (_case, facts, who, may) => {
    expect(studyAccess(facts, who).actions.has('download')).toBe(may);
  });

  it('never lets downloading stand in for seeing: viewing stays whatever the download policy', () => {
    expect(studyAccess(study(policy('nobody')), viewer('rad2', 'Radiologist')).actions.has('view')).toBe(true);
  });
});

describe('studyAccess: the de-identified view of a department under participated (rule 14)', () => {
  const byPeer = study({ uploaderId: 'peer' });
  const member = (extra: Partial<ViewerFacts> = {}) =>
    viewer('member', 'Physician', { siteView: 'participated', deidentifiedDepartment: true, departmentPeerIds: new Set(['peer']), ...extra });
  const DEIDENTIFIED = ['view-deidentified'];

  it.each<[string, StudyFacts, ViewerFacts, ReturnType<typeof studyAccess>['reason'], readonly StudyAction[]]>([
    ['a peer’s study: seen de-identified, viewing only', byPeer, member(), 'department-deidentified', DEIDENTIFIED as StudyAction[]],
    ['the option off: a peer’s study is not seen', byPeer, member({ deidentifiedDepartment: false }), null, []],
    ['a peer’s private study: not seen', study({ uploaderId: 'peer', private: true }), member(), null, []],
    ['someone outside the departments: not seen', study({ uploaderId: 'someone' }), member(), null, []],
    ['another site’s study by a “peer” id: not seen', study({ accountId: 'site-b', uploaderId: 'peer' }), member(), null, []],
    ['without studies.view: not seen', byPeer, member({ permissions: new Set() }), null, []],
    ['under department the peer’s study is seen as it is', byPeer, member({ siteView: 'department' }), 'department', ['view']],
    ['a named whole-site person sees it as it is', byPeer, member({ siteView: 'site' }), 'account', ['view']],
  ])('%s', (_case, facts, who, reason, actions) => {
    const access = studyAccess(facts, who);
    expect(access.reason).toBe(reason);
    if (reason === 'department-deidentified') expect([...access.actions]).toEqual(actions);
    else expect(access.actions.has('view-deidentified')).toBe(false);
    if (actions.includes('view')) expect(access.actions.has('view')).toBe(true);
  });

  it.each<[string, StudyFacts, ViewerFacts, ReturnType<typeof studyAccess>['reason']]>([
    ['shared to them in person', study({ uploaderId: 'peer', shares: [share('s', { kind: 'person', userId: 'member' }, 'peer')] }), member(), 'direct-share'],
    ['shared to their location', study({ uploaderId: 'peer', shares: [share('s', { kind: 'worklist', worklistKind: 'location', ownerId: 'loc-a' }, 'peer')] }), member({ locationIds: new Set(['loc-a']) }), 'worklist-share'],
    ['in their collection', study({ uploaderId: 'peer', collectionIds: ['c'] }), member({ collectionIds: new Set(['c']) }), 'collection'],
    ['they are a physician on it', study({ uploaderId: 'peer', physicianIds: ['dr'] }), member({ physicianIds: new Set(['dr']) }), 'physician'],
    ['their own upload (a peer of themself never counts)', study({ uploaderId: 'member' }), member(), 'uploader'],
    ['its site’s admin', byPeer, viewer('boss', 'Admin', { siteView: 'participated', deidentifiedDepartment: true, departmentPeerIds: new Set(['peer']) }), 'admin'],
    ['a physician they act for sees it under department', byPeer, member({ actingFor: [viewer('doc', 'Physician', { siteView: 'department', departmentPeerIds: new Set(['peer']) })] }), 'acting-for'],
  ])('a direct reason wins over the de-identified one: %s', (_case, facts, who, reason) => {
    const access = studyAccess(facts, who);
    expect(access.reason).toBe(reason);
    expect(access.actions.has('view')).toBe(true);
    expect(access.actions.has('view-deidentified')).toBe(false);
  });

  it('a physician’s own de-identified view gives their case manager nothing', () => {
    const cm = external('cm', { permissions: new Set(BUILT_IN_ROLES['Case Manager']), actingFor: [member()] });
    expect(studyAccess(byPeer, cm).reason).toBeNull();
  });

  it('refuses everything but viewing de-identified, whatever the role grants: no share, download, guest link, comment, private mark, update', () => {
    const access = studyAccess(byPeer, member({ permissions: new Set(PERMISSION_KEYS.filter((key) => key !== 'admin.users')) }));
    expect([...access.actions]).toEqual(['view-deidentified']);
    expect(access.removableShareIds.size).toBe(0);
  });
});
