/**
 * "My cases" (issue 14): the studies the signed-in user's physicians are on — their own directory
 * entry, and the physicians they act for — or one doctor's, paged on the hub like a worklist, with
 * how each study is theirs in the last column ("Referred by · Dr Paula Physician").
 */
import { RELATION_LABELS } from '../../../shared/hub-api/physicians';
import { physicianLabel } from '../../../shared/physicians/name-key';
import { api } from '../../lib/api';
import { hubSourcePage, withSite, type StudySource } from '../worklist/study-source';

export const CASES_VIEW = { id: 'physician-cases', name: 'My cases' } as const;

/** The relation and doctor text of one study's links. */
export function relationText(links: readonly { readonly displayName: string; readonly relation: keyof typeof RELATION_LABELS }[] | undefined): string {
  return (links ?? []).map((link) => `${RELATION_LABELS[link.relation]} · ${physicianLabel(link.displayName)}`).join('; ');
}

/** `physicianId` null: All doctors. `who`: the signed-in user (another person's list is queried afresh). */
export function casesSource(physicianId: string | null, who: string): StudySource {
  return {
    id: `${CASES_VIEW.id}:${who}:${physicianId ?? 'all'}`,
    marks: 'physicians',
    async query(query) {
      const result = await api.call('physicians:cases', { ...withSite(query), ...(physicianId === null ? {} : { physicianId }) });
      if (!result.ok) return result;
      const page = hubSourcePage(result.value);
      return { ok: true, value: { ...page, rows: page.rows.map((row) => (row.hub === null ? row : { ...row, hub: { ...row.hub, physicians: relationText(result.value.links[row.hub.studyId]) } })) } };
    },
  };
}
