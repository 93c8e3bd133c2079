/**
 * Per-address detector state with a hard size bound and change tracking: what changed since
 * the last commit is written in the same transaction as the file offset. When full, the
 * oldest entry is dropped (and counted), so memory stays bounded under an address flood.
 */
export class AddressTable<T> {
  readonly map = new Map<string, T>();
  /**
   * Changed since the last drain, in order of first change; true for an entry created since
   * then: never written, so dropping it needs no delete (one map instead of two sets: under a
   * flood every new address passed through both).
   */
  private readonly dirty = new Map<string, boolean>();
  private readonly removed = new Set<string>();
  evicted = 0;
  /**
   * Walks the map in insertion order to find the oldest entry. Kept across evictions: V8 leaves
   * deleted entries in place until the next rehash, and a fresh `keys().next()` would step over all
   * of them each time (quadratic under a flood); an iterator keeps its position.
   */
  private oldest: MapIterator<string> | undefined;

  /**
   * `writesRemovals` false: a table whose store drops entries by other means (seen-chunks.ts)
   * neither keeps nor hands over the entries it removed.
   */
  constructor(
    private readonly cap: number,
    private readonly writesRemovals = true,
  ) {}

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
    if (this.map.has(ip)) {
      this.map.set(ip, value);
      this.changed(ip);
    } else {
      this.add(ip, value);
    }
  }

  /** `set` for an address the caller just found absent (`has`): one lookup less per new address. */
  add(ip: string, value: T): void {
    if (this.map.size >= this.cap) {
      const oldest = this.nextOldest();
      if (oldest !== undefined) {
        this.delete(oldest);
        this.evicted++;
      }
    }
    this.map.set(ip, value);
    // Deleted since the last drain: the store still holds its row, so it is not new there.
    const stored = this.removed.size !== 0 && this.removed.delete(ip);
    this.dirty.set(ip, !stored);
  }

  private changed(ip: string): void {
    if (!this.dirty.has(ip)) this.dirty.set(ip, false);
    if (this.removed.size !== 0) this.removed.delete(ip);
  }

  private nextOldest(): string | undefined {
    let next = this.oldest?.next();
    if (next === undefined || next.done === true) {
      this.oldest = this.map.keys();
      next = this.oldest.next();
    }
    return next.done === true ? undefined : next.value;
  }

  /**
   * Marks an entry changed and makes it the most recent: eviction drops the least recently
   * *used* entry, so an address (or /64) that keeps attacking is never pushed out by a flood of
   * one-off addresses.
   */
  touch(ip: string): void {
    const value = this.map.get(ip);
    if (value !== undefined) {
      this.map.delete(ip);
      this.map.set(ip, value);
    }
    this.changed(ip);
  }

  delete(ip: string): void {
    if (this.map.delete(ip)) {
      // Under a flood most evicted entries were never committed: no delete to write for them,
      // and the removed set stays as small as the changes that really reach the store.
      const fresh = this.dirty.get(ip);
      if (fresh !== undefined) this.dirty.delete(ip);
      if (fresh !== true && this.writesRemovals) this.removed.add(ip);
    }
  }

  /** Loads a persisted entry without marking it changed. */
  restore(ip: string, value: T): void {
    this.map.set(ip, value);
  }

  /**
   * Hands changes since the last call to `write` / `remove`, one at a time and at most `budget` of
   * them (the rest wait for the next commit): with 100,000 busy addresses, building the whole batch
   * first would double the peak memory, and writing it in one transaction would stall the bot.
   * Returns how many were handed over.
   */
  drain(
    write: (ip: string, value: T) => void,
    remove: (ip: string) => void,
    budget = Number.POSITIVE_INFINITY,
  ): number {
    let n = 0;
    if (budget >= this.dirty.size) {
      // All of them: the map is emptied at once, not an entry at a time (a flood drains thousands).
      for (const ip of this.dirty.keys()) {
        const value = this.map.get(ip);
        if (value !== undefined) write(ip, value);
      }
      n = this.dirty.size;
      this.dirty.clear();
    }
    for (const ip of this.dirty.keys()) {
      if (n >= budget) return n;
      const value = this.map.get(ip);
      if (value !== undefined) write(ip, value);
      this.dirty.delete(ip);
      n++;
    }
    for (const ip of this.removed) {
      if (n >= budget) return n;
      remove(ip);
      this.removed.delete(ip);
      n++;
    }
    return n;
  }

  /** Forgets the changes since the last drain (nothing will be written). */
  discard(): void {
    this.dirty.clear();
    this.removed.clear();
  }

  /** Number of changes not yet drained. */
  get pending(): number {
    return this.dirty.size + this.removed.size;
  }
}
