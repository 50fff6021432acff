/**
 * A site's viewing policy (issue 13): what its members see beyond what reaches them personally.
 * Pure data and one pure rule (`siteViewOf`), read by the visibility rules (visibility.ts), the
 * hub (which stores the policy, server/policy/) and the desktop's Organisation screen.
 *
 * - `participated`: what they uploaded, and what is shared with them or their worklists;
 * - `department`: that, plus every non-private study a fellow member of one of their site's
 *   departments uploaded;
 * - `site`: every non-private study of the site (the behaviour before policies, and the default).
 * Named people and roles may see the whole site whatever the policy (a department head, the QA
 * lead), and the site's admins always do (visibility rule 1).
 */
import { z } from 'zod';

export const VIEWING_POLICIES = ['participated', 'department', 'site'] as const;
export type ViewingPolicy = (typeof VIEWING_POLICIES)[number];

export const VIEWING_POLICY_LABELS: Readonly<Record<ViewingPolicy, string>> = {
  participated: 'Participated only',
  department: 'Department',
  site: 'Whole site',
};

export const VIEWING_POLICY_HELP: Readonly<Record<ViewingPolicy, string>> = {
  participated: 'Members see the studies they uploaded and those shared with them or their worklists.',
  department: 'Members also see every study a fellow member of their departments uploaded.',
  site: 'Members see every study of the site that is not private.',
};

/**
 * Who may download the site's studies (save their files: the zip, a pull into a workstation's
 * index, a guest link that allows downloading): nobody, everyone who can view them, or the people
 * of chosen roles. Viewing images in the viewer is not downloading. The site's admins always may.
 */
/** The option under `participated` (Organisation screen). */
export const DEIDENTIFIED_DEPARTMENT_LABEL = 'De-identified view of department studies';
export const DEIDENTIFIED_DEPARTMENT_HELP = 'Members also see their department colleagues’ studies with names, IDs, dates and UIDs replaced, images included; they may view them only.';

/** Whether this person gets the de-identified view of their department (rule 14): the site says so and they see only what they participated in. */
export function seesDepartmentDeidentified(policy: SitePolicy, siteView: ViewingPolicy): boolean {
  return siteView === 'participated' && policy.viewing === 'participated' && policy.deidentifiedDepartment;
}

export const DOWNLOAD_POLICIES = ['nobody', 'viewers', 'roles'] as const;
export type DownloadPolicy = (typeof DOWNLOAD_POLICIES)[number];

export const DOWNLOAD_POLICY_LABELS: Readonly<Record<DownloadPolicy, string>> = {
  nobody: 'Nobody',
  viewers: 'Everyone who can view',
  roles: 'Selected roles',
};

export interface SitePolicy {
  readonly viewing: ViewingPolicy;
  /** People who see the whole site whatever `viewing` says. */
  readonly wholeSiteUserIds: readonly string[];
  /** Roles (by id) whose people see the whole site whatever `viewing` says. */
  readonly wholeSiteRoleIds: readonly string[];
  /** Whether an uploader holding studies.private may mark their own studies private (admins always may). */
  readonly uploaderMarksPrivate: boolean;
  /** Who may download the site's studies (visibility rule 13). */
  readonly download: DownloadPolicy;
  /** Under `download: 'roles'`, the roles (by id) whose people may. */
  readonly downloadRoleIds: readonly string[];
  /**
   * Under `participated` only: members also see their fellow department members' non-private
   * studies, de-identified (visibility rule 14: names, IDs, dates and UIDs replaced, the images
   * served de-identified, only viewing allowed). Always false under the other policies.
   */
  readonly deidentifiedDepartment: boolean;
}

/** A new site's policy: today's behaviour. */
export const DEFAULT_SITE_POLICY: SitePolicy = { viewing: 'site', wholeSiteUserIds: [], wholeSiteRoleIds: [], uploaderMarksPrivate: true, download: 'viewers', downloadRoleIds: [], deidentifiedDepartment: false };

const id = z.string().min(1).max(100);
export const sitePolicySchema = z
  .object({
    viewing: z.enum(VIEWING_POLICIES),
    wholeSiteUserIds: z.array(id).max(500).readonly(),
    wholeSiteRoleIds: z.array(id).max(100).readonly(),
    uploaderMarksPrivate: z.boolean(),
    // Defaults for a client that predates the download policy: what a new site has.
    download: z.enum(DOWNLOAD_POLICIES).default('viewers'),
    downloadRoleIds: z.array(id).max(100).readonly().default([]),
    // Off for a client that predates the de-identified view.
    deidentifiedDepartment: z.boolean().default(false),
  })
  .strict();

/**
 * How much of their own site this person sees under its policy: the site's viewing policy, or
 * the whole site for the named people and roles. (Admins see everything by rule 1 anyway.)
 */
export function siteViewOf(policy: SitePolicy, person: { readonly userId: string; readonly roleId: string | null }): ViewingPolicy {
  if (policy.wholeSiteUserIds.includes(person.userId)) return 'site';
  if (person.roleId !== null && policy.wholeSiteRoleIds.includes(person.roleId)) return 'site';
  return policy.viewing;
}
