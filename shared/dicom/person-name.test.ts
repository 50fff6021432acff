import { describe, expect, it } from 'vitest';
import { nameSortKey } from '../study-search';
import { formatPersonName, normalizePersonName } from './person-name';

describe('person names (PS3.5 §6.2.1)', () => {
  it.each([
    ['Wang^XiaoDong=王^小東=', 'Wang^XiaoDong=王^小東'],
    ['Wang^XiaoDong=王^小東==', 'Wang^XiaoDong=王^小東'],
    ['Doe^John^^^', 'Doe^John'],
    ['Doe^John^^Dr', 'Doe^John^^Dr'],
    ['=山田^太郎', '=山田^太郎'],
    ['^^^', ''],
    ['Yamada^Tarou=山田^太郎=やまだ^たろう', 'Yamada^Tarou=山田^太郎=やまだ^たろう'],
  ])('normal form of %j is %j', (value, expected) => expect(normalizePersonName(value)).toBe(expected));

  it.each([
    ['Doe^John', 'Doe, John'],
    ['Doe^John^^Dr', 'Doe, John, Dr'],
    ['Yamada^Tarou=山田^太郎=やまだ^たろう', 'Yamada, Tarou (山田, 太郎 · やまだ, たろう)'],
    ['=山田^太郎', '山田, 太郎'],
    ['Wang^XiaoDong=王^小東=', 'Wang, XiaoDong (王, 小東)'],
    ['^^^', ''],
    [null, ''],
  ])('%j is shown as %j', (value, expected) => expect(formatPersonName(value)).toBe(expected));

  it('sorts a name with empty trailing groups or components with the same name without them', () => {
    expect(nameSortKey('Wang^XiaoDong=王^小東=')).toBe(nameSortKey('Wang^XiaoDong=王^小東'));
    expect(nameSortKey('Doe^John^^^')).toBe(nameSortKey('Doe^John'));
    expect(nameSortKey('Doe^John') < nameSortKey('Doer^Ann')).toBe(true);
  });
});
