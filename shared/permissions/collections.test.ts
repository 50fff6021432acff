import { describe, expect, it } from 'vitest';
import { COLLECTION_RIGHTS, effectiveRights, leavesNoManager, mayAddStudy } from './collections';

describe('collection rights', () => {
  it('gives a manager every right, and a person in several groups the union', () => {
    expect([...effectiveRights([['manage']])].sort()).toEqual([...COLLECTION_RIGHTS].sort());
    expect([...effectiveRights([['add'], ['download']])].sort()).toEqual(['add', 'download']);
    expect([...effectiveRights([])]).toEqual([]);
  });

  it.each<[string, { userId: string; rights: ('manage' | 'add')[] | null }, boolean]>([
    ['removing the last manager', { userId: 'a', rights: null }, true],
    ['demoting the last manager', { userId: 'a', rights: ['add'] }, true],
    ['removing a member who does not manage', { userId: 'b', rights: null }, false],
  ])('%s leaves no manager: %s', (_case, change, expected) => {
    expect(leavesNoManager([{ userId: 'a', rights: ['manage'] }, { userId: 'b', rights: ['add'] }], change)).toBe(expected);
  });

  it.each<[string, ('add' | 'manage')[], { private: boolean; mayMarkPrivate: boolean }, boolean]>([
    ['a member who may add, a study that is not private', ['add'], { private: false, mayMarkPrivate: false }, true],
    ['a read-only member', [], { private: false, mayMarkPrivate: true }, false],
    ['a member who may add, a private study not theirs', ['add'], { private: true, mayMarkPrivate: false }, false],
    ['the private study’s uploader or an admin', ['manage'], { private: true, mayMarkPrivate: true }, true],
  ])('adding: %s', (_case, rights, study, ok) => {
    expect(mayAddStudy(effectiveRights([rights]), study).ok).toBe(ok);
  });
});
