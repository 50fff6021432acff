/**
 * Sources for the hub study lists that are not a worklist: every study the hub lets this user
 * see (their site as its viewing policy says, their departments, shares, collections). Shown in
 * the same paged worklist table as a worklist (the table takes any StudySource).
 */
import { api } from '../../lib/api';
import { contractQuery, hubSourcePage, withSite, type StudySource } from '../worklist/study-source';

export const HUB_VISIBLE = { id: 'hub-visible', name: 'All I can see' } as const;

/** `who`: the signed-in user, so that another person's list is queried afresh (a source's id names its list). */
export function hubVisibleSource(who: string): StudySource {
  return {
    id: `${HUB_VISIBLE.id}:${who}`,
    marks: 'shared-at',
    async query(query) {
      // With the Site filter: someone connected to several sites narrows the list to one (on the hub).
      const result = await api.call('hub-studies:visible', withSite(query));
      return result.ok ? { ok: true, value: hubSourcePage(result.value) } : result;
    },
  };
}

/** The view id of a collection (the hub view shows any source; this tells the sidebar which is current). */
export const collectionViewId = (id: string) => `collection:${id}`;

/** One collection's studies, paged on the hub like a worklist. */
export function collectionSource(collectionId: string, who: string): StudySource {
  return {
    id: `${collectionViewId(collectionId)}:${who}`,
    marks: 'shared-at',
    async query(query) {
      const result = await api.call('collections:studies', { collectionId, ...contractQuery(query) });
      return result.ok ? { ok: true, value: hubSourcePage(result.value) } : result;
    },
  };
}
