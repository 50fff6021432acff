/**
 * Where a worklist's rows come from. The table and its store take a `StudySource` and know
 * nothing of channels or URLs (as OHIF's data sources): the local index answers through
 * 'studies:query', a worklist on the hub through 'hub-worklists:studies'. Both answer the same
 * query (search words as prefixes, modalities, study dates, sort, offset or keyset cursor) with
 * the same page shape.
 */
import type { CallOutput, HubSiteView, ShareStateView } from '../../../shared/contract';
import type { StudySortColumn, StudySummary } from '../../../shared/types/study';
import { api } from '../../lib/api';

export interface StudyRow {
  /** What the selection goes by: the Study Instance UID locally, the hub's study id on the hub. */
  readonly key: string;
  readonly study: StudySummary;
  /** On the hub: the study's id there, whether it is private, when it was shared into the worklist. */
  readonly hub: {
    readonly studyId: string;
    readonly private: boolean;
    readonly sharedAt: string | null;
    readonly reason?: string | null;
    readonly physicians?: string;
    /** Its site, for someone of no site (the Site column when their lists span several sites). */
    readonly site?: HubSiteView | null;
  } | null;
}

export interface SourceQuery {
  readonly text: string | undefined;
  readonly modalities: readonly string[] | undefined;
  readonly dateFrom: string | undefined;
  readonly dateTo: string | undefined;
  readonly sort: { readonly column: StudySortColumn; readonly direction: 'asc' | 'desc' };
  readonly limit: number;
  readonly offset: number;
  /** The previous page's `nextCursor`: constant cost at any depth (offset is then ignored). */
  readonly after: string | undefined;
  readonly withTotal: boolean;
  /** The Site filter (a site's id), for a source that lists several sites' studies; undefined: all sites. */
  readonly site: string | undefined;
}

export interface SourcePage {
  readonly rows: readonly StudyRow[];
  /** Null when not asked for. When `totalCapped`, "at least this many". */
  readonly total: number | null;
  readonly totalCapped: boolean;
  readonly nextCursor: string | null;
  /** The sites the person is connected to (someone of no site): the Site filter's choices, and a Site column when several. */
  readonly sites?: readonly HubSiteView[];
}

export type SourceResult = { readonly ok: true; readonly value: SourcePage } | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

export interface StudySource {
  /** Two sources with the same id answer the same list (a new id starts the query again). */
  readonly id: string;
  /** What the last column shows: the local share state, or when the study was shared into the worklist. */
  readonly marks: 'share-state' | 'shared-at' | 'physicians';
  query(query: SourceQuery): Promise<SourceResult>;
  /** The "Shared" indicator of loaded rows, where the source has one. */
  shareStates?(keys: readonly string[]): Promise<ReadonlyMap<string, ShareStateView | undefined> | null>;
}

/** A source query as the contract's calls take it (every source's call shares the query's fields; the Site filter only where a source takes it: `withSite`). */
export function contractQuery(query: SourceQuery) {
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

/** The query with the Site filter, for the calls that take one (the hub's lists of every visible study). */
export function withSite(query: SourceQuery) {
  return { ...contractQuery(query), ...(query.site === undefined ? {} : { site: query.site }) };
}

/** A page of hub studies (a worklist's, a collection's, all one may see) as the table reads it. */
export function hubSourcePage(page: CallOutput<'hub-worklists:studies'> & { readonly sites?: readonly HubSiteView[] }): SourcePage {
  return {
    rows: page.studies.map((row) => ({
      key: row.hubStudyId,
      study: row.summary,
      hub: { studyId: row.hubStudyId, private: row.private, sharedAt: row.sharedAt === '' ? null : row.sharedAt, reason: row.reason ?? null, site: row.site ?? null },
    })),
    total: page.total,
    totalCapped: page.totalCapped,
    nextCursor: page.nextCursor,
    ...(page.sites === undefined ? {} : { sites: page.sites }),
  };
}

/** The local index. */
export const localStudySource: StudySource = {
  id: 'local',
  marks: 'share-state',
  async query(query) {
    const result = await api.call('studies:query', contractQuery(query));
    if (!result.ok) return result;
    return {
      ok: true,
      value: {
        rows: result.value.rows.map((study) => ({ key: study.studyInstanceUid, study, hub: null })),
        total: result.value.total,
        totalCapped: false,
        nextCursor: result.value.nextCursor,
      },
    };
  },
  async shareStates(keys) {
    const result = await api.call('sharing:states', { studyInstanceUids: [...keys] });
    if (!result.ok) return null;
    return new Map(keys.map((key) => [key, result.value.states[key]]));
  },
};

/** One worklist on the hub (the user's own, a location's, a group's), searched and paged there. */
export function hubWorklistSource(worklistId: string): StudySource {
  return {
    id: `hub:${worklistId}`,
    marks: 'shared-at',
    async query(query) {
      const result = await api.call('hub-worklists:studies', { worklistId, ...contractQuery(query) });
      return result.ok ? { ok: true, value: hubSourcePage(result.value) } : result;
    },
  };
}
