/**
 * Per-address detector state with a hard size bound and change tracking: what changed since
 * the last commit is written in the same transaction as the file offset. When full, the
 * oldest entry is dropped (and counted), so memory stays bounded under an address flood.
 */
export class AddressTable<T> {
  readonly map = new Map<string, T>();
  private readonly dirty = new Set<string>();
  private readonly removed = new Set<string>();
  /** Entries created since the last drain: never written, so dropping one needs no delete. */
  private readonly fresh = new Set<string>();
  evicted = 0;

  constructor(private readonly cap: number) {}

  get size(): number {
    return this.map.size;
  }

  get(ip: string): T | undefined {
    return this.map.get(ip);
  }

  has(ip: string): boolean {
    return this.map.has(ip);
  }

  set(ip: string, value: T): void {
    if (!this.map.has(ip)) {
      if (this.map.size >= this.cap) {
        const oldest = this.map.keys().next().value as string;
        this.delete(oldest);
        this.evicted++;
      }
      this.fresh.add(ip);
    }
    this.map.set(ip, value);
    this.touch(ip);
  }

  touch(ip: string): void {
    this.dirty.add(ip);
    if (this.removed.size !== 0) this.removed.delete(ip);
  }

  delete(ip: string): void {
    if (this.map.delete(ip)) {
      this.dirty.delete(ip);
      // Under a flood most evicted entries were never committed: no delete to write for them,
      // and the removed set stays as small as the changes that really reach the store.
      if (!this.fresh.delete(ip)) this.removed.add(ip);
    }
  }

  /** Loads a persisted entry without marking it changed. */
  restore(ip: string, value: T): void {
    this.map.set(ip, value);
  }

  /**
   * Hands every change since the last call to `write` / `remove`, one at a time: with 100,000
   * busy addresses, building the whole batch first would double the peak memory.
   */
  drain(write: (ip: string, value: T) => void, remove: (ip: string) => void): void {
    for (const ip of this.dirty) {
      const value = this.map.get(ip);
      if (value !== undefined) write(ip, value);
    }
    for (const ip of this.removed) remove(ip);
    this.dirty.clear();
    this.removed.clear();
    this.fresh.clear();
  }

  /** Number of changes not yet drained. */
  get pending(): number {
    return this.dirty.size + this.removed.size;
  }
}
