/**
 * Sources for the hub study lists that are not a worklist: every study the hub lets this user
 * see (their site as its viewing policy says, their departments, shares, collections). Shown in
 * the same paged worklist table as a worklist (the table takes any StudySource).
 */
import type { CallOutput } from '../../../shared/contract';
import { api } from '../../lib/api';
import type { SourcePage, SourceQuery, StudySource } from '../worklist/study-source';

function contractQuery(query: SourceQuery) {
  return {
    text: query.text,
    modalities: query.modalities === undefined ? undefined : [...query.modalities],
    dateFrom: query.dateFrom,
    dateTo: query.dateTo,
    sort: query.sort,
    limit: query.limit,
    offset: query.offset,
    after: query.after,
    withTotal: query.withTotal,
  };
}

export function toSourcePage(page: CallOutput<'hub-studies:visible'>): SourcePage {
  return {
    rows: page.studies.map((row) => ({ key: row.hubStudyId, study: row.summary, hub: { studyId: row.hubStudyId, private: row.private, sharedAt: row.sharedAt === '' ? null : row.sharedAt } })),
    total: page.total,
    totalCapped: page.totalCapped,
    nextCursor: page.nextCursor,
  };
}

export const HUB_VISIBLE = { id: 'hub-visible', name: 'All I can see' } as const;

/** `who`: the signed-in user, so that another person's list is queried afresh (a source's id names its list). */
export function hubVisibleSource(who: string): StudySource {
  return {
    id: `${HUB_VISIBLE.id}:${who}`,
    marks: 'shared-at',
    async query(query) {
      const result = await api.call('hub-studies:visible', contractQuery(query));
      return result.ok ? { ok: true, value: toSourcePage(result.value) } : result;
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
      return result.ok ? { ok: true, value: toSourcePage(result.value) } : result;
    },
  };
}
