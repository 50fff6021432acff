import { describe, expect, it } from 'vitest';
import { DEFAULT_SITE_POLICY, sitePolicySchema, siteViewOf, type SitePolicy } from './site-policy';

describe('siteViewOf: how much of their site a person sees', () => {
  const policy: SitePolicy = { viewing: 'department', wholeSiteUserIds: ['head'], wholeSiteRoleIds: ['role-qa'], uploaderMarksPrivate: true, download: 'viewers', downloadRoleIds: [], deidentifiedDepartment: false };
  it.each<[string, { userId: string; roleId: string | null }, string]>([
    ['anyone: the policy', { userId: 'u', roleId: 'role-rad' }, 'department'],
    ['a named person: the whole site', { userId: 'head', roleId: 'role-rad' }, 'site'],
    ['a person of a named role: the whole site', { userId: 'u', roleId: 'role-qa' }, 'site'],
    ['someone without a role: the policy', { userId: 'u', roleId: null }, 'department'],
  ])('%s', (_case, person, expected) => {
    expect(siteViewOf(policy, person)).toBe(expected);
  });

  it('defaults a new site to the whole site (the behaviour before policies)', () => {
    expect(siteViewOf(DEFAULT_SITE_POLICY, { userId: 'u', roleId: null })).toBe('site');
  });

  it('refuses a policy it does not know, with the field named', () => {
    expect(sitePolicySchema.safeParse({ ...DEFAULT_SITE_POLICY, viewing: 'everyone' }).success).toBe(false);
    expect(sitePolicySchema.safeParse({ ...DEFAULT_SITE_POLICY, extra: 1 }).success).toBe(false);
    expect(sitePolicySchema.safeParse({ ...DEFAULT_SITE_POLICY, download: 'everyone' }).success).toBe(false);
  });

  it('reads a policy from a client that predates downloading as what a new site has: everyone who can view', () => {
    const { download: _d, downloadRoleIds: _r, ...older } = DEFAULT_SITE_POLICY;
    expect(sitePolicySchema.parse(older)).toMatchObject({ download: 'viewers', downloadRoleIds: [] });
  });
});
