/**
 * The collections store and the private-studies store over a fake main: an add says what went
 * in, what was there, what waits and what was refused (with why) and reloads the counts; a
 * refused call keeps the reason; Make private says the same in its own words.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { CollectionView } from '../../../shared/contract';
import { installFakeMain, ok, refused } from '../../test-support/fake-main';
import { usePrivateStudies } from '../organisation/private-store';
import { describeCollectionOutcome, useCollections } from './collections-store';

const { handlers, calls, reset } = installFakeMain();
const teaching: CollectionView = { id: '00000000-0000-4000-8000-000000000c01', name: 'Teaching set', description: '', studyCount: 2, rights: ['add'], createdBy: { id: '00000000-0000-4000-8000-000000000001', name: 'Rex' } };
const study = (n: number) => ({ hubId: `00000000-0000-4000-8000-00000000000${n}` });

beforeEach(() => {
  reset();
  useCollections.setState({ collections: [], message: null, refused: [], dialog: null });
  usePrivateStudies.setState({ message: null, refused: [] });
});

describe('collections store', () => {
  it('adds studies, says what became of each kind, and reloads the counts', async () => {
    handlers['collections:list'] = () => ok({ collections: [{ ...teaching, studyCount: 4 }] });
    handlers['collections:add-studies'] = () => ok({ online: true, changed: 2, already: 1, pending: 0, refused: [{ study: 'x', reason: 'This study is private: only its uploader or an administrator may add it to a collection.' }] });
    useCollections.setState({ collections: [teaching] });
    expect(await useCollections.getState().change(teaching.id, [study(1), study(2), study(3), study(4)], true)).toBe(true);
    expect(useCollections.getState().message).toBe('2 studies added to Teaching set, 1 study already in it, 1 refused.');
    expect(useCollections.getState().refused[0].reason).toMatch(/private/);
    expect(useCollections.getState().collections[0].studyCount).toBe(4);
    expect(calls.map((c) => c.name)).toEqual(['collections:add-studies', 'collections:list']);
  });

  it('adds only chosen series of one study, naming them; a whole-study add names none', async () => {
    handlers['collections:list'] = () => ok({ collections: [teaching] });
    handlers['collections:add-studies'] = () => ok({ online: true, changed: 1, already: 0, pending: 0, refused: [] });
    await useCollections.getState().change(teaching.id, [study(1)], true, undefined, ['1.2.3.1', '1.2.3.4']);
    await useCollections.getState().change(teaching.id, [study(2)], true);
    const adds = calls.filter((c) => c.name === 'collections:add-studies').map((c) => c.input);
    expect(adds).toEqual([
      { collectionId: teaching.id, studies: [study(1)], seriesUids: ['1.2.3.1', '1.2.3.4'] },
      { collectionId: teaching.id, studies: [study(2)] },
    ]);
  });

  it('keeps the reason of a refused call and changes nothing', async () => {
    handlers['collections:add-studies'] = () => refused('collection-deleted', 'The collection “Teaching set” was deleted; nothing was added to it.');
    expect(await useCollections.getState().change(teaching.id, [study(1)], true)).toBe(false);
    expect(useCollections.getState().message).toMatch(/was deleted/);
    expect(calls.map((c) => c.name)).toEqual(['collections:add-studies']);
  });

  it('says what waits offline', () => {
    expect(describeCollectionOutcome({ online: false, changed: 0, already: 0, pending: 3, refused: [] }, true, 'Set')).toBe('3 waiting for the hub (offline: sent when it answers).');
    expect(describeCollectionOutcome({ online: true, changed: 1, already: 0, pending: 0, refused: [] }, false, 'Set')).toBe('1 study taken out of Set.');
  });
});

describe('private studies store', () => {
  it('marks private and says done, waiting and refused', async () => {
    handlers['studies:set-private'] = (input) => ok({ online: true, changed: input.studies.length - 1, pending: 0, refused: [{ study: 'x', reason: 'Your role does not allow this for this study.' }] });
    let reloaded = false;
    await usePrivateStudies.getState().setPrivate([study(1), study(2)], true, () => (reloaded = true));
    expect(usePrivateStudies.getState().message).toBe('1 study made private, 1 refused.');
    expect(reloaded).toBe(true);
    expect(calls[0]).toMatchObject({ name: 'studies:set-private', input: { private: true } });
  });
});
