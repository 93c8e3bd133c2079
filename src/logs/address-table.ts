/** No slot: the end of the recency list (or of the free list). */
const NONE = -1;

/**
 * Per-address detector state with a hard size bound and change tracking: what changed since
 * the last commit is written in the same transaction as the file offset. When full, the
 * least recently used entry is dropped (and counted), so memory stays bounded under an address
 * flood.
 *
 * Recency is a doubly linked list over slots (typed arrays), not the Map's insertion order:
 * making a key the most recent by `delete` + `set` leaves a deleted entry in that key's hash
 * chain each time, and V8 only drops them when the table is rebuilt (OrderedHashTable,
 * https://github.com/v8/v8/blob/main/src/objects/ordered-hash-table.cc), so the /64 window a
 * flood touches on every failed login walked a chain of thousands: 40 µs a touch in a table
 * of 20,000 entries, 0.2 µs with the list.
 */
export class AddressTable<T> {
  /** Each key's slot. */
  private readonly slots = new Map<string, number>();
  private keyAt: (string | undefined)[] = [];
  private valueAt: (T | undefined)[] = [];
  /** The slot used just before (`older`) and after (`newer`) each one; free slots chain through `newer`. */
  private older = new Int32Array(16);
  private newer = new Int32Array(16);
  /** The least and the most recently used slot. */
  private oldest = NONE;
  private newest = NONE;
  private free = NONE;
  /** Slots handed out so far (the free list holds those given back). */
  private used = 0;
  /**
   * Changed since the last drain, in order of first change; true for an entry created since
   * then: never written, so dropping it needs no delete (one map instead of two sets: under a
   * flood every new address passed through both).
   */
  private readonly dirty = new Map<string, boolean>();
  private readonly removed = new Set<string>();
  evicted = 0;

  /**
   * `writesRemovals` false: a table whose store drops entries by other means (seen-chunks.ts)
   * neither keeps nor hands over the entries it removed.
   */
  constructor(
    private readonly cap: number,
    private readonly writesRemovals = true,
  ) {}

  get size(): number {
    return this.slots.size;
  }

  get(ip: string): T | undefined {
    const slot = this.slots.get(ip);
    return slot === undefined ? undefined : this.valueAt[slot];
  }

  has(ip: string): boolean {
    return this.slots.has(ip);
  }

  set(ip: string, value: T): void {
    const slot = this.slots.get(ip);
    if (slot !== undefined) {
      this.valueAt[slot] = value;
      this.changed(ip);
    } else {
      this.add(ip, value);
    }
  }

  /** `set` for an address the caller just found absent (`has`): one lookup less per new address. */
  add(ip: string, value: T): void {
    if (this.slots.size >= this.cap && this.oldest !== NONE) {
      this.delete(this.keyAt[this.oldest] as string);
      this.evicted++;
    }
    this.insert(ip, value);
    // Deleted since the last drain: the store still holds its row, so it is not new there.
    const stored = this.removed.size !== 0 && this.removed.delete(ip);
    this.dirty.set(ip, !stored);
  }

  private changed(ip: string): void {
    if (!this.dirty.has(ip)) this.dirty.set(ip, false);
    if (this.removed.size !== 0) this.removed.delete(ip);
  }

  /** Puts an absent key in a slot, as the most recent. */
  private insert(ip: string, value: T): void {
    let slot = this.free;
    if (slot !== NONE) {
      this.free = this.newer[slot] as number;
    } else {
      slot = this.used++;
      if (slot === this.older.length) this.grow();
    }
    this.keyAt[slot] = ip;
    this.valueAt[slot] = value;
    this.slots.set(ip, slot);
    this.append(slot);
  }

  private grow(): void {
    const older = new Int32Array(this.older.length * 2);
    const newer = new Int32Array(this.newer.length * 2);
    older.set(this.older);
    newer.set(this.newer);
    this.older = older;
    this.newer = newer;
  }

  private append(slot: number): void {
    this.older[slot] = this.newest;
    this.newer[slot] = NONE;
    if (this.newest === NONE) this.oldest = slot;
    else this.newer[this.newest] = slot;
    this.newest = slot;
  }

  private unlink(slot: number): void {
    const before = this.older[slot] as number;
    const after = this.newer[slot] as number;
    if (before === NONE) this.oldest = after;
    else this.newer[before] = after;
    if (after === NONE) this.newest = before;
    else this.older[after] = before;
  }

  /**
   * Marks an entry changed and makes it the most recent: eviction drops the least recently
   * *used* entry, so an address (or /64) that keeps attacking is never pushed out by a flood of
   * one-off addresses.
   */
  touch(ip: string): void {
    const slot = this.slots.get(ip);
    if (slot !== undefined && slot !== this.newest) {
      this.unlink(slot);
      this.append(slot);
    }
    this.changed(ip);
  }

  delete(ip: string): void {
    const slot = this.slots.get(ip);
    if (slot === undefined) return;
    this.slots.delete(ip);
    this.unlink(slot);
    this.keyAt[slot] = undefined;
    this.valueAt[slot] = undefined;
    this.newer[slot] = this.free;
    this.free = slot;
    // Under a flood most evicted entries were never committed: no delete to write for them,
    // and the removed set stays as small as the changes that really reach the store.
    const fresh = this.dirty.get(ip);
    if (fresh !== undefined) this.dirty.delete(ip);
    if (fresh !== true && this.writesRemovals) this.removed.add(ip);
  }

  /** Loads a persisted entry without marking it changed. */
  restore(ip: string, value: T): void {
    const slot = this.slots.get(ip);
    if (slot === undefined) this.insert(ip, value);
    else this.valueAt[slot] = value;
  }

  /**
   * Calls `fn` for every entry, least recently used first; `fn` may delete the entry it is
   * given (a sweep), nothing else.
   */
  forEach(fn: (value: T, ip: string) => void): void {
    for (let slot = this.oldest; slot !== NONE; ) {
      const after = this.newer[slot] as number;
      fn(this.valueAt[slot] as T, this.keyAt[slot] as string);
      slot = after;
    }
  }

  /** The keys, least recently used first. */
  keys(): string[] {
    const out: string[] = [];
    this.forEach((_, ip) => {
      out.push(ip);
    });
    return out;
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
        const value = this.get(ip);
        if (value !== undefined) write(ip, value);
      }
      n = this.dirty.size;
      this.dirty.clear();
    }
    for (const ip of this.dirty.keys()) {
      if (n >= budget) return n;
      const value = this.get(ip);
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
