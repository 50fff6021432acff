/**
 * A least-recently-used cache of instance bytes bounded in bytes, not entries: a CT slice is
 * half a megabyte and a mammogram fifty, so a count would bound nothing. Used for instances that
 * stream from the hub (local files are read from disk each time; the OS caches those). The bound
 * is the viewer's cache setting; an entry larger than the whole bound is served but not kept.
 */
export class FrameCache {
  private readonly entries = new Map<string, Uint8Array>();
  private used = 0;

  constructor(private limitBytes: number) {}

  get bytes(): number {
    return this.used;
  }

  get limit(): number {
    return this.limitBytes;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): Uint8Array | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    // Map keeps insertion order: re-inserting makes it the most recently used.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: Uint8Array): void {
    this.delete(key);
    if (value.byteLength > this.limitBytes) return;
    this.entries.set(key, value);
    this.used += value.byteLength;
    this.evict();
  }

  delete(key: string): void {
    const old = this.entries.get(key);
    if (old === undefined) return;
    this.entries.delete(key);
    this.used -= old.byteLength;
  }

  /** Drops every entry whose key starts with `prefix` (a closed session's). */
  deletePrefix(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.delete(key);
  }

  setLimit(limitBytes: number): void {
    this.limitBytes = limitBytes;
    this.evict();
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }

  private evict(): void {
    for (const [key, value] of this.entries) {
      if (this.used <= this.limitBytes) break;
      this.entries.delete(key);
      this.used -= value.byteLength;
    }
  }
}
