import { describe, expect, it } from 'vitest';
import { formatCount, formatDateTime, formatPersonName } from './format';

describe('formatPersonName', () => {
  it.each([
    ['Doe^John', 'Doe, John'],
    ['Doe^John^^Dr', 'Doe, John, Dr'],
    ['Yamada^Tarou=山田^太郎=やまだ^たろう', 'Yamada, Tarou (山田, 太郎 · やまだ, たろう)'],
    ['=山田^太郎', '山田, 太郎'],
    ['Wang^XiaoDong=王^小东=', 'Wang, XiaoDong (王, 小东)'],
    ['^^^', ''],
    [null, ''],
  ])('%j → %j', (value, expected) => expect(formatPersonName(value)).toBe(expected));
});

describe('formatCount', () => {
  it('groups thousands the same way on every machine', () => expect(formatCount(1234567)).toBe('1,234,567'));
});

describe('formatDateTime', () => {
  it('shows an instant in local time to the minute, and nothing for what is not one', () => {
    const local = new Date(2026, 10, 24, 9, 5, 30);
    expect(formatDateTime(local.toISOString())).toBe('2026-11-24 09:05');
    expect(formatDateTime(null)).toBe('');
    expect(formatDateTime('yesterday')).toBe('');
  });
});
