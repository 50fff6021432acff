import { describe, expect, it } from 'vitest';
import { formatCount, formatDateTime } from './format';

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
