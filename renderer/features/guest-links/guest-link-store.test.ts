/** The guest link dialog's store: closed, open for the chosen studies (a copy of them), closed again. */
import { beforeEach, describe, expect, it } from 'vitest';
import { useGuestLinks } from './guest-link-store';

beforeEach(() => useGuestLinks.setState(useGuestLinks.getInitialState(), true));

describe('guest link dialog store', () => {
  it('is closed until opened for studies, then closed again', () => {
    expect(useGuestLinks.getState().studyUids).toBeNull();
    useGuestLinks.getState().open(['1.2.840.1', '1.2.840.2']);
    expect(useGuestLinks.getState().studyUids).toEqual(['1.2.840.1', '1.2.840.2']);
    useGuestLinks.getState().close();
    expect(useGuestLinks.getState().studyUids).toBeNull();
  });

  it('keeps the studies it was opened for when the caller’s selection changes afterwards', () => {
    const selection = ['1.2.840.1'];
    useGuestLinks.getState().open(selection);
    selection.push('1.2.840.99');
    selection[0] = '1.2.840.42';
    expect(useGuestLinks.getState().studyUids).toEqual(['1.2.840.1']);
  });

  it('opening for other studies replaces the ones before', () => {
    useGuestLinks.getState().open(['1.2.840.1']);
    useGuestLinks.getState().open(['1.2.840.7']);
    expect(useGuestLinks.getState().studyUids).toEqual(['1.2.840.7']);
  });
});
