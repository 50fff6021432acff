import { describe, expect, it } from 'vitest';
import { integerOrNull, isoDate, isoTime, personName, uidOrNull } from './values';

describe('isoDate', () => {
  it.each([
    ['20240229', '2024-02-29'],
    ['1987.03.04', '1987-03-04'],
    [' 20240102 ', '2024-01-02'],
    ['20230229', null],
    ['20241301', null],
    ['2024-01-02', null],
    ['', null],
    [null, null],
  ])('%s → %s', (input, expected) => expect(isoDate(input)).toBe(expected));
});

describe('isoTime', () => {
  it.each([
    ['101500.123456', '10:15:00'],
    ['1015', '10:15'],
    ['10', '10'],
    ['10:15:30', '10:15:30'],
    ['2561', null],
    ['abc', null],
    ['', null],
  ])('%s → %s', (input, expected) => expect(isoTime(input)).toBe(expected));
});

describe('personName', () => {
  it.each([
    ['Doe^John ', 'Doe^John'],
    ['Doe^John^^^', 'Doe^John^^^'],
    ['Wang^XiaoDong=王^小东=', 'Wang^XiaoDong=王^小东='],
    ['  ', null],
    ['Doe^John\0', 'Doe^John'],
  ])('%j → %j', (input, expected) => expect(personName(input)).toBe(expected));
});

describe('integerOrNull and uidOrNull', () => {
  it.each([
    ['12', 12],
    [' -3 ', -3],
    ['1.5', null],
    ['99999999999999999999', null],
  ])('IS %j → %j', (input, expected) => expect(integerOrNull(input)).toBe(expected));

  it.each([
    ['1.2.840.10008.1.2', '1.2.840.10008.1.2'],
    ['1.2..3', null],
    ['1.2.abc', null],
    [`1.${'2'.repeat(64)}`, null],
  ])('UI %j → %j', (input, expected) => expect(uidOrNull(input)).toBe(expected));
});
