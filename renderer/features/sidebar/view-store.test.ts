/**
 * Which main view shows: the local worklist at start; a hub worklist (which one, by id and name);
 * Administration; and back to the hub view with the same worklist it showed.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { useView } from './view-store';

const NORTH = { id: '00000000-0000-4000-8000-0000000000a1', name: 'North Wing' };
const MINE = { id: '00000000-0000-4000-8000-0000000000a2', name: 'My worklist' };

beforeEach(() => useView.setState(useView.getInitialState(), true));

describe('view store', () => {
  it('starts on the local worklist with no hub worklist chosen', () => {
    expect(useView.getState()).toMatchObject({ view: 'worklist', hubWorklist: null });
  });

  it('showing a hub worklist switches to the hub view and says which one; another replaces it', () => {
    useView.getState().showHubWorklist(NORTH);
    expect(useView.getState()).toMatchObject({ view: 'hub', hubWorklist: NORTH });
    useView.getState().showHubWorklist(MINE);
    expect(useView.getState()).toMatchObject({ view: 'hub', hubWorklist: MINE });
  });

  it('Administration and the local worklist keep the hub worklist, so going back shows the same one', () => {
    useView.getState().showHubWorklist(NORTH);
    useView.getState().show('admin');
    expect(useView.getState()).toMatchObject({ view: 'admin', hubWorklist: NORTH });
    useView.getState().show('worklist');
    expect(useView.getState().view).toBe('worklist');
    useView.getState().show('hub');
    expect(useView.getState()).toMatchObject({ view: 'hub', hubWorklist: NORTH });
  });
});
