/** The Settings dialog's store: closed at start, opened and closed by its actions only. */
import { beforeEach, describe, expect, it } from 'vitest';
import { useSettings } from './settings-store';

beforeEach(() => useSettings.setState(useSettings.getInitialState(), true));

describe('settings dialog store', () => {
  it('is closed at start, opens, stays open when asked again, and closes', () => {
    expect(useSettings.getState().isOpen).toBe(false);
    useSettings.getState().open();
    useSettings.getState().open();
    expect(useSettings.getState().isOpen).toBe(true);
    useSettings.getState().close();
    expect(useSettings.getState().isOpen).toBe(false);
  });

  it('tells its readers when it opens and closes', () => {
    const seen: boolean[] = [];
    const unsubscribe = useSettings.subscribe((state) => seen.push(state.isOpen));
    useSettings.getState().open();
    useSettings.getState().close();
    unsubscribe();
    useSettings.getState().open();
    expect(seen).toEqual([true, false]);
  });
});
