import { describe, expect, it } from 'vitest';
import { commentSegments, safeHref } from './comment-text';

describe('comment text', () => {
  it('keeps script and markup as text', () => {
    const text = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    expect(commentSegments(text)).toEqual([{ kind: 'text', text }]);
  });

  it('links http and https only, without trailing punctuation', () => {
    expect(commentSegments('see https://example.org/a?b=1. and javascript:alert(1) or ftp://x.org')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', href: 'https://example.org/a?b=1', text: 'https://example.org/a?b=1' },
      { kind: 'text', text: '. and javascript:alert(1) or ftp://x.org' },
    ]);
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('data:text/html,<b>')).toBeNull();
    expect(safeHref('http://example.org/x')).toBe('http://example.org/x');
  });

  it('turns line breaks into breaks', () => {
    expect(commentSegments('one\ntwo\r\nthree')).toEqual([
      { kind: 'text', text: 'one' },
      { kind: 'break' },
      { kind: 'text', text: 'two' },
      { kind: 'break' },
      { kind: 'text', text: 'three' },
    ]);
  });

  it('marks the mentioned people, longest name first', () => {
    const mentions = [
      { id: 'u1', name: 'Ann' },
      { id: 'u2', name: 'Ann Lee' },
    ];
    expect(commentSegments('@Ann Lee and @Ann, look; @Bob is not mentioned', mentions)).toEqual([
      { kind: 'mention', userId: 'u2', text: '@Ann Lee' },
      { kind: 'text', text: ' and ' },
      { kind: 'mention', userId: 'u1', text: '@Ann' },
      { kind: 'text', text: ', look; @Bob is not mentioned' },
    ]);
  });
});
