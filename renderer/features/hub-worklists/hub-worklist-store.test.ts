/**
 * The hub worklists store over a fake main (the preload bridge, typed by the contract): the
 * user's worklists or why they could not be listed, and opening one points the hub studies store
 * at it (its search kept, its rows and selection not, the previous worklist's late answers
 * dropped).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { CallInput, CallOutput, CallResult, HubWorklistStudy, HubWorklistView } from '../../../shared/contract';
import { rowAt } from '../worklist/worklist-store';
import { useHubStudies, useHubWorklists } from './hub-worklist-store';
import { deferred, installFakeMain, ok } from '../../test-support/fake-main';

const { handlers, reset } = installFakeMain();
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const NORTH = '00000000-0000-4000-8000-0000000000a1';
const MINE = '00000000-0000-4000-8000-0000000000a2';
const worklist = (id: string, name: string, kind: HubWorklistView['kind'] = 'location'): HubWorklistView => ({ id, kind, name, shareCode: 'NW-7K2Q', member: true });

function study(hubStudyId: string, sharedAt = '2026-03-05T10:20:00.000Z'): HubWorklistStudy {
  return {
    hubStudyId,
    private: false,
    sharedAt,
    summary: {
      studyInstanceUid: `1.2.840.${hubStudyId.length}`,
      patientName: 'Doe^Jane',
      patientId: 'P1',
      patientBirthDate: null,
      studyDate: '2026-03-04',
      studyTime: null,
      patientSex: null,
      accessionNumber: null,
      studyDescription: 'CT Thorax',
      referringPhysicianName: null,
      institutionName: null,
      modalities: ['CT'],
      seriesCount: 2,
      instanceCount: 40,
    },
  };
}
type StudiesAnswer = CallResult<CallOutput<'hub-worklists:studies'>>;
const studies = (rows: readonly HubWorklistStudy[]): StudiesAnswer => ok({ studies: rows, total: rows.length, totalCapped: false, nextCursor: null });

/** The hub worklists' studies, answered when the test says, per worklist. */
function hubStudies() {
  const asked: { readonly input: CallInput<'hub-worklists:studies'>; readonly resolve: (answer: StudiesAnswer) => void }[] = [];
  handlers['hub-worklists:studies'] = (input) => {
    const answer = deferred<StudiesAnswer>();
    asked.push({ input, resolve: answer.resolve });
    return answer.promise;
  };
  return asked;
}

beforeEach(() => {
  reset();
  useHubWorklists.setState(useHubWorklists.getInitialState(), true);
  useHubStudies.getState().setSource(null);
  useHubStudies.getState().clearFilters();
});

describe('hub worklists store: the list', () => {
  it('lists the user’s worklists', async () => {
    handlers['hub-worklists:list'] = () => ok({ worklists: [worklist(NORTH, 'North Wing'), worklist(MINE, 'Ada', 'personal')] });
    await useHubWorklists.getState().loadWorklists();
    expect(useHubWorklists.getState()).toMatchObject({ listError: null });
    expect(useHubWorklists.getState().worklists.map((w) => w.id)).toEqual([NORTH, MINE]);
  });

  it('a refused list shows no worklists and says why; the next list that works clears it', async () => {
    handlers['hub-worklists:list'] = () => ok({ worklists: [worklist(NORTH, 'North Wing')] });
    await useHubWorklists.getState().loadWorklists();
    handlers['hub-worklists:list'] = () => ({ ok: false, error: { code: 'hub-unreachable', message: 'The hub cannot be reached.' } });
    await useHubWorklists.getState().loadWorklists();
    expect(useHubWorklists.getState()).toMatchObject({ worklists: [], listError: 'The hub cannot be reached.' });

    handlers['hub-worklists:list'] = () => ok({ worklists: [worklist(MINE, 'Ada', 'personal')] });
    await useHubWorklists.getState().loadWorklists();
    expect(useHubWorklists.getState()).toMatchObject({ worklists: [{ id: MINE }], listError: null });
  });

  // Regression (was a bug in hub-worklist-store.ts lines 28-31, fixed): loadWorklists keeps whichever answer comes last, not
  // the answer to the last request. The sidebar lists again whenever the signed-in user changes
  // (Sidebar.tsx, effect on the user's email): when the list asked for the previous user is slow
  // and answers after the one for the new user, the new user's sidebar shows the previous user's
  // worklists (their names; a click then asks the hub for a worklist that is not theirs).
  // Expected: an answer to an older request is dropped, as the worklist store does by generation.
  it('drops a slow list answer for an earlier request (another user signed in since)', async () => {
    const answers: ((answer: CallResult<CallOutput<'hub-worklists:list'>>) => void)[] = [];
    handlers['hub-worklists:list'] = () => {
      const answer = deferred<CallResult<CallOutput<'hub-worklists:list'>>>();
      answers.push(answer.resolve);
      return answer.promise;
    };
    const forAda = useHubWorklists.getState().loadWorklists();
    const forBen = useHubWorklists.getState().loadWorklists();
    answers[1](ok({ worklists: [worklist(MINE, 'Ben', 'personal')] }));
    await forBen;
    answers[0](ok({ worklists: [worklist(NORTH, 'Ada’s ward')] }));
    await forAda;
    expect(useHubWorklists.getState().worklists.map((w) => w.name)).toEqual(['Ben']);
  });
});

describe('hub worklists store: the worklist showing', () => {
  it('opening a worklist asks the hub for its studies and shows them, keyed by the hub’s study id', async () => {
    const asked = hubStudies();
    useHubWorklists.getState().open(NORTH);
    expect(useHubWorklists.getState().worklistId).toBe(NORTH);
    expect(useHubStudies.getState().status).toBe('loading');
    expect(asked).toHaveLength(1);
    expect(asked[0].input).toMatchObject({ worklistId: NORTH, offset: 0, limit: 100, withTotal: true });

    asked[0].resolve(studies([study('s-north-1'), study('s-north-2', '')]));
    await settle();
    expect(useHubStudies.getState()).toMatchObject({ status: 'ready', total: 2 });
    expect(rowAt(useHubStudies.getState(), 0)).toMatchObject({ key: 's-north-1', hub: { studyId: 's-north-1', sharedAt: '2026-03-05T10:20:00.000Z' } });
    // A study shared before the hub kept the date says nothing rather than a wrong date.
    expect(rowAt(useHubStudies.getState(), 1)?.hub?.sharedAt).toBeNull();
  });

  it('another worklist: the search stays, the rows and the selection go, and the first one’s late answer is dropped', async () => {
    const asked = hubStudies();
    useHubWorklists.getState().open(NORTH);
    asked[0].resolve(studies([study('s-north-1'), study('s-north-2')]));
    await settle();
    useHubStudies.getState().setText('doe');
    asked[1].resolve(studies([study('s-north-2')]));
    await settle();
    useHubStudies.getState().select(0, 'replace');
    expect([...useHubStudies.getState().selected.keys()]).toEqual(['s-north-2']);
    useHubStudies.getState().refresh();
    expect(asked).toHaveLength(3);

    useHubWorklists.getState().open(MINE);
    expect(useHubWorklists.getState().worklistId).toBe(MINE);
    expect(useHubStudies.getState()).toMatchObject({ status: 'loading', total: null, focus: null, filters: { text: 'doe' } });
    expect(useHubStudies.getState().selected.size).toBe(0);
    expect(asked[3].input).toMatchObject({ worklistId: MINE, text: 'doe' });

    // The refresh of North Wing answers after the switch: it must not show under My worklist.
    asked[2].resolve(studies([study('s-north-2')]));
    await settle();
    expect(useHubStudies.getState().total).toBeNull();
    asked[3].resolve(studies([]));
    await settle();
    expect(useHubStudies.getState()).toMatchObject({ status: 'ready', total: 0 });
  });

  it('a worklist the hub refuses shows the reason in the studies view', async () => {
    handlers['hub-worklists:studies'] = () => ({ ok: false, error: { code: 'forbidden', message: 'You are no longer a member of this worklist.' } });
    useHubWorklists.getState().open(NORTH);
    await settle();
    expect(useHubStudies.getState()).toMatchObject({ status: 'error', error: 'You are no longer a member of this worklist.' });
  });
});
