import { describe, expect, it } from 'vitest';
import { FrameCache } from './frame-cache';

const bytes = (n: number) => new Uint8Array(n);

describe('FrameCache', () => {
  it('evicts the least recently used entries once the bytes pass the bound', () => {
    const cache = new FrameCache(100);
    cache.set('a', bytes(40));
    cache.set('b', bytes(40));
    cache.get('a'); // a is now the most recent
    cache.set('c', bytes(40));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.byteLength).toBe(40);
    expect(cache.get('c')?.byteLength).toBe(40);
    expect(cache.bytes).toBe(80);
  });

  it('serves but does not keep an entry larger than the whole bound', () => {
    const cache = new FrameCache(100);
    cache.set('a', bytes(10));
    cache.set('huge', bytes(101));
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
  });

  it('counts a replaced entry once and shrinks when the bound is lowered', () => {
    const cache = new FrameCache(100);
    cache.set('a', bytes(30));
    cache.set('a', bytes(50));
    cache.set('b', bytes(40));
    expect(cache.bytes).toBe(90);
    cache.setLimit(45);
    expect(cache.bytes).toBe(40);
    expect(cache.get('a')).toBeUndefined();
  });

  it('drops a closed session’s entries by prefix', () => {
    const cache = new FrameCache(1000);
    cache.set('s1/a', bytes(10));
    cache.set('s1/b', bytes(10));
    cache.set('s2/a', bytes(10));
    cache.deletePrefix('s1/');
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(10);
  });
});
