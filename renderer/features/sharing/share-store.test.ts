/**
 * The Share dialog's store (for which studies it is open) and the share options a role permits:
 * the hub's own rule (ACTION_PERMISSIONS), read for each built-in role and for partial grants.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_ROLES } from '../../../shared/permissions/catalogue';
import { SHARE_OPTIONS, permittedShareOptions, useShareDialog, type StudyRef } from './share-store';

beforeEach(() => useShareDialog.setState(useShareDialog.getInitialState(), true));

describe('share dialog store', () => {
  it('is closed until opened for studies, local ones by UID and hub ones by hub id, and closed again', () => {
    expect(useShareDialog.getState().studies).toBeNull();
    const studies: StudyRef[] = [{ uid: '1.2.840.1' }, { hubId: '00000000-0000-4000-8000-000000000001' }];
    useShareDialog.getState().open(studies);
    expect(useShareDialog.getState().studies).toEqual([{ uid: '1.2.840.1' }, { hubId: '00000000-0000-4000-8000-000000000001' }]);
    useShareDialog.getState().open([{ uid: '1.2.840.2' }]);
    expect(useShareDialog.getState().studies).toEqual([{ uid: '1.2.840.2' }]);
    useShareDialog.getState().close();
    expect(useShareDialog.getState().studies).toBeNull();
  });
});

describe('permittedShareOptions', () => {
  it.each([
    { role: 'Admin', options: ['location', 'group', 'user', 'code', 'email'] },
    { role: 'Radiologist', options: ['location', 'group', 'user', 'code', 'email'] },
    { role: 'Technologist', options: ['location', 'group', 'user', 'code'] },
    { role: 'Physician', options: ['user', 'email'] },
    { role: 'Case Manager', options: ['user', 'email'] },
    { role: 'Referrer', options: ['email'] },
  ] as const)('a $role may share by: $options', ({ role, options }) => {
    expect(permittedShareOptions(BUILT_IN_ROLES[role]).map((option) => option.id)).toEqual(options);
  });

  it.each([
    { who: 'nobody (signed out)', permissions: [], options: [] },
    { who: 'studies.share alone', permissions: ['studies.share'], options: [] },
    // Each kind needs studies.share as well: a kind's own key is not enough.
    { who: 'every kind’s key but not studies.share', permissions: ['studies.share.locations', 'studies.share.groups', 'studies.share.users', 'studies.share.code', 'studies.share.email'], options: [] },
    { who: 'studies.share with groups', permissions: ['studies.share', 'studies.share.groups'], options: ['group'] },
    { who: 'keys in any order', permissions: ['studies.share.code', 'studies.view', 'studies.share'], options: ['code'] },
  ])('$who → $options', ({ permissions, options }) => {
    expect(permittedShareOptions(permissions).map((option) => option.id)).toEqual(options);
  });

  it('keeps the dialog’s order and labels', () => {
    expect(permittedShareOptions(BUILT_IN_ROLES.Admin)).toEqual(SHARE_OPTIONS);
    expect(SHARE_OPTIONS.map((option) => option.label)).toEqual(['Locations', 'Groups', 'Physicians', 'Share Code', 'Email']);
  });
});
