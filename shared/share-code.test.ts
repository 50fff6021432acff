import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseShareCode, shareCodeFromBytes } from './share-code';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

describe('share codes', () => {
  it('formats 40 random bits as ABCD-EFGH-J and reads its own codes back', () => {
    for (let i = 0; i < 500; i++) {
      const code = shareCodeFromBytes(randomBytes(5));
      // Every symbol, the check too, from the 32 that read aloud plainly.
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]$/);
      expect(parseShareCode(code)).toEqual({ ok: true, code });
    }
  });

  it('is deterministic for given bytes', () => {
    expect(shareCodeFromBytes(Uint8Array.of(0, 0, 0, 0, 0))).toBe('0000-0000-0');
    expect(shareCodeFromBytes(Uint8Array.of(0, 0, 0, 0, 1))).toBe('0000-0001-D') // x⁸ = x³ + x² + 1 = 13 → D;
    expect(shareCodeFromBytes(Uint8Array.of(255, 255, 255, 255, 255))).toMatch(/^ZZZZ-ZZZZ-[0-9A-HJKMNP-TV-Z]$/);
  });

  it('accepts any case, spaces, missing dashes, and I, L, O for 1, 1, 0', () => {
    const code = shareCodeFromBytes(Uint8Array.of(0x12, 0x34, 0x56, 0x78, 0x9a));
    const typed = code.toLowerCase().replace(/-/g, ' ').replace(/1/g, 'l').replace(/0/g, 'o');
    expect(parseShareCode(typed)).toEqual({ ok: true, code });
  });

  it('catches every single mistyped character and every swap of neighbours (never reading it as a current code)', () => {
    for (let n = 0; n < 40; n++) {
      const code = shareCodeFromBytes(randomBytes(5));
      const symbols = code.replace(/-/g, '').split('');
      for (let position = 0; position < 8; position++) {
        for (const replacement of ALPHABET) {
          if (replacement === symbols[position]) continue;
          const typo = [...symbols];
          typo[position] = replacement;
          expect(parseShareCode(typo.join(''))).not.toMatchObject({ ok: true, legacy: undefined });
        }
        if (position < 7 && symbols[position] !== symbols[position + 1]) {
          const swapped = [...symbols];
          [swapped[position], swapped[position + 1]] = [swapped[position + 1], swapped[position]];
          expect(parseShareCode(swapped.join(''))).not.toMatchObject({ ok: true, legacy: undefined });
        }
      }
    }
  });

  it('still reads codes issued under the old modulo-37 check, as they were issued', () => {
    // The old check was the value modulo 37: 1 → `1`; 0x22 = 34 → `$`.
    expect(parseShareCode('0000-0001-1')).toEqual({ ok: true, code: '0000-0001-1', legacy: true });
    expect(parseShareCode('0000-0012-$')).toEqual({ ok: true, code: '0000-0012-$', legacy: true });
    expect(parseShareCode('0000-000Z-=')).toMatchObject({ ok: false, problem: 'check' });
  });

  it.each([
    ['', 'empty'],
    ['ABCD-EFGH', 'length'],
    ['ABCD-EFGH-JK', 'length'],
    ['ABCD-EFGU-J', 'character'],
    ['ABCD-EF!H-J', 'character'],
  ])('refuses %j (%s) with a sentence', (typed, problem) => {
    const parsed = parseShareCode(typed);
    expect(parsed).toMatchObject({ ok: false, problem });
    if (!parsed.ok) expect(parsed.message).toMatch(/^[A-Z“].*\.$/);
  });
});
