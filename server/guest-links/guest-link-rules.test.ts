import { describe, expect, it } from 'vitest';
import { guestLinkState, normaliseBirthDate } from './guest-link-rules';

const now = new Date('2026-11-24T12:00:00Z');
const link = { revoked_at: null, locked_at: null, expires_at: '2026-11-25T12:00:00.000Z', max_uses: null, uses: 0 };

describe('guestLinkState', () => {
  it.each([
    [{}, 'active'],
    [{ expires_at: '2026-11-24T12:00:00.000Z' }, 'expired'],
    [{ max_uses: 3, uses: 3 }, 'used-up'],
    [{ max_uses: 3, uses: 2 }, 'active'],
    [{ locked_at: '2026-11-24T11:00:00.000Z' }, 'locked'],
    [{ revoked_at: '2026-11-24T11:00:00.000Z', locked_at: '2026-11-24T11:00:00.000Z' }, 'revoked'],
  ])('%j → %s', (patch, state) => expect(guestLinkState({ ...link, ...patch }, now)).toBe(state));
});

describe('normaliseBirthDate', () => {
  it.each([
    ['1970-03-15', '19700315'],
    ['19700315', '19700315'],
    ['15.03.1970', '19700315'],
    ['5/3/1970', '19700305'],
    [' 1970-03-15 ', '19700315'],
    ['March 15', null],
    ['', null],
  ])('%j → %j', (typed, expected) => expect(normaliseBirthDate(typed)).toBe(expected));
});
