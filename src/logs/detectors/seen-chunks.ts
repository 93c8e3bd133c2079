import type { AddressTable } from '../address-table.js';
import { ipv6Range } from './ipv6-range.js';
import type { StateRow } from './types.js';

/** One remembered address (or IPv6 network) of a "seen" detector. */
export interface Seen {
  firstAt: number;
  /** Set when this address was reported (not learned quietly). */
  flagged: boolean;
  user: string;
  /** Keyed by an IPv6 network: the first address seen in it (absent when the key is the address). */
  first?: string;
}

/**
 * What a seen detector remembers an address under: IPv6 by its LOG_IPV6_PREFIX network, since
 * temporary addresses (RFC 8981) rotate the interface identifier while the /64 of the line stays
 * (RFC 6177); IPv4, and IPv6 with a prefix of 128, by the address itself.
 */
export function seenKey(ip: string, ipv6Prefix: number): string {
  return ipv6Range(ip, ipv6Prefix) ?? ip;
}

/**
 * A chunk's key in the state table: never an address (`~` is the slow window's, see brute-force.ts).
 * Migration 013 wrote the first chunks from the per-address rows before it.
 */
export const SEEN_CHUNK_PREFIX = '#';
/**
 * Addresses per stored chunk. A commit rewrites only the chunk still filling (at most this many
 * entries, ~45 KB of IPv6 text) and adds full ones: a flood of new addresses costs a row per
 * 1,024 of them instead of one row (and later one DELETE) per address.
 */
export const SEEN_CHUNK_SIZE = 1024;

/** The stored form, columns side by side: JSON.parse / JSON.stringify once per chunk, not per address. */
interface ChunkJson {
  ip: string[];
  at: number[];
  f: number[];
  u: string[];
  /** The first address of a network key ('' for an address key); absent in chunks written before it. */
  a: string[];
}

interface Chunk {
  readonly k: number;
  /** Entries stored in the chunk (SEEN_CHUNK_SIZE once full). */
  n: number;
  /** Of those, the ones still in memory; a full chunk with none left is deleted. */
  live: number;
  /** Only the chunk still filling keeps its entries, to be rewritten with the next ones. */
  body?: ChunkJson;
  /** Entries added since it was last written. */
  unwritten: number;
}

const chunkKey = (k: number) => `${SEEN_CHUNK_PREFIX}${k}`;

function parseChunk(state: string): ChunkJson | undefined {
  try {
    const c = JSON.parse(state) as Partial<ChunkJson>;
    const { ip, at, f, u, a } = c;
    if (!Array.isArray(ip) || !Array.isArray(at)) return undefined;
    // Columns of one length, whatever was stored: a chunk still filling is appended to.
    return {
      ip: ip.map(String),
      at: ip.map((_, i) => Number(at[i] ?? 0)),
      f: ip.map((_, i) => (Array.isArray(f) && f[i] === 1 ? 1 : 0)),
      u: ip.map((_, i) => (Array.isArray(u) ? String(u[i] ?? '') : '')),
      a: ip.map((_, i) => (Array.isArray(a) ? String(a[i] ?? '') : '')),
    };
  } catch {
    return undefined;
  }
}

function entryAt(c: ChunkJson, i: number): Seen {
  const s: Seen = { firstAt: c.at[i] as number, flagged: c.f[i] === 1, user: c.u[i] as string };
  const first = c.a[i] as string;
  return first === '' ? s : { ...s, first };
}

/**
 * The entry stored under `key` (an address, or the network seenKey gives for one) in a stored
 * chunk's text, read the way the old per-address rows were (`/whois`); undefined when the chunk
 * does not hold it.
 */
export function seenInChunk(state: string, key: string): Seen | undefined {
  const c = parseChunk(state);
  const i = c?.ip.indexOf(key) ?? -1;
  if (!c || i < 0) return undefined;
  return entryAt(c, i);
}

/**
 * The stored form of a seen table: its entries in order of arrival, in numbered chunks of
 * SEEN_CHUNK_SIZE. The table forgets its oldest entries first (it never reorders them), so the
 * entries it dropped are always the first ones of the oldest chunks, and a chunk goes in one
 * DELETE once all of its entries are gone. Chunk boundaries follow the order of arrival, not
 * the commit points, so a review killed and resumed stores exactly what an uninterrupted one does.
 */
export class SeenChunks {
  private readonly chunks: Chunk[] = [];
  /** table.evicted at the last drain. */
  private evictedSeen = 0;
  /** Stored rows to delete at the next commit, their entries folded and rewritten as new chunks. */
  private retired: string[] = [];

  constructor(private readonly table: AddressTable<Seen>) {}

  /** Writes what changed since the last call (inside the commit transaction); returns the rows written. */
  drain(write: (row: StateRow) => void, remove: (ip: string) => void): number {
    let rows = 0;
    // Before the new chunks are written: they reuse the numbers of the rows they replace.
    for (const ip of this.retired) remove(ip);
    rows += this.retired.length;
    this.retired = [];
    let dead = this.table.evicted - this.evictedSeen;
    this.evictedSeen = this.table.evicted;
    for (let head = this.chunks[0]; head !== undefined; head = this.chunks[0]) {
      const take = Math.min(dead, head.live);
      head.live -= take;
      dead -= take;
      // The chunk still filling stays, even empty: its later entries go in the same row.
      if (head.live > 0 || head.body !== undefined) break;
      remove(chunkKey(head.k));
      this.chunks.shift();
      rows++;
    }
    // What is left of `dead` was dropped before it was ever written: nothing stored to delete.
    let tail = this.chunks.at(-1);
    this.table.drain(
      (ip, s) => {
        if (tail?.body === undefined) {
          tail = { k: tail === undefined ? 0 : tail.k + 1, n: 0, live: 0, unwritten: 0 };
          tail.body = { ip: [], at: [], f: [], u: [], a: [] };
          this.chunks.push(tail);
        }
        const b = tail.body as ChunkJson;
        b.ip.push(ip);
        b.at.push(s.firstAt);
        b.f.push(s.flagged ? 1 : 0);
        b.u.push(s.user);
        b.a.push(s.first ?? '');
        tail.n++;
        tail.live++;
        tail.unwritten++;
        if (tail.n >= SEEN_CHUNK_SIZE) {
          this.writeChunk(tail, write);
          rows++;
        }
      },
      () => {},
    );
    if (tail !== undefined && tail.unwritten > 0) {
      this.writeChunk(tail, write);
      rows++;
    }
    return rows;
  }

  private writeChunk(c: Chunk, write: (row: StateRow) => void): void {
    const b = c.body as ChunkJson;
    write({ ip: chunkKey(c.k), state: JSON.stringify(b), lastAt: Number(b.at.at(-1) ?? 0) });
    c.unwritten = 0;
    if (c.n >= SEEN_CHUNK_SIZE) delete c.body;
  }

  /**
   * Loads the stored chunks, oldest first, keeping the newest entries up to the table's bound
   * (the oldest stored ones are those it had dropped). When some entry is not under the key
   * `keyOf` gives its address now (rows of the per-address form before migration 013, IPv6
   * addresses stored one by one before they were keyed by network, LOG_IPV6_PREFIX changed),
   * the entries are folded under their keys, the earliest sighting of a key winning, and the
   * next commit rewrites them all as new chunks in the same transaction as it deletes the old
   * rows: the store never holds a half-rewritten table.
   */
  restore(rows: readonly StateRow[], cap: number, keyOf: (ip: string) => string): void {
    const stored: { k: number; body: ChunkJson }[] = [];
    const legacy: StateRow[] = [];
    for (const row of rows) {
      if (!row.ip.startsWith(SEEN_CHUNK_PREFIX)) {
        legacy.push(row);
        continue;
      }
      const body = parseChunk(row.state);
      const k = Number(row.ip.slice(SEEN_CHUNK_PREFIX.length));
      if (body && Number.isInteger(k)) stored.push({ k, body });
    }
    stored.sort((a, b) => a.k - b.k);
    const folds = (c: ChunkJson) => c.ip.some((ip, i) => keyOf((c.a[i] as string) || ip) !== ip);
    if (legacy.length > 0 || stored.some(({ body }) => folds(body))) {
      this.fold(stored, legacy, cap, keyOf);
    } else {
      this.load(stored, cap);
    }
    this.evictedSeen = this.table.evicted;
  }

  private load(stored: readonly { k: number; body: ChunkJson }[], cap: number): void {
    let skip = Math.max(0, stored.reduce((n, c) => n + c.body.ip.length, 0) - cap);
    for (const [at, { k, body }] of stored.entries()) {
      const n = body.ip.length;
      const from = Math.min(skip, n);
      skip -= from;
      for (let i = from; i < n; i++) this.table.restore(body.ip[i] as string, entryAt(body, i));
      // Only the newest chunk can still be filling.
      const filling = at === stored.length - 1 && n < SEEN_CHUNK_SIZE;
      this.chunks.push({ k, n, live: n - from, unwritten: 0, ...(filling ? { body } : {}) });
    }
  }

  /** Every entry under its key now, in order of arrival; all stored rows go at the next commit. */
  private fold(
    stored: readonly { k: number; body: ChunkJson }[],
    legacy: readonly StateRow[],
    cap: number,
    keyOf: (ip: string) => string,
  ): void {
    const folded = new Map<string, Seen>();
    const put = (ip: string, s: Seen) => {
      const address = s.first ?? ip;
      const key = keyOf(address);
      const known = folded.get(key);
      if (known !== undefined && known.firstAt <= s.firstAt) return;
      const { first: _first, ...rest } = s;
      folded.set(key, key === address ? rest : { ...rest, first: address });
    };
    for (const { k, body } of stored) {
      for (const [i, ip] of body.ip.entries()) put(ip, entryAt(body, i));
      this.retired.push(chunkKey(k));
    }
    for (const row of legacy) {
      put(row.ip, legacySeen(row));
      this.retired.push(row.ip);
    }
    let skip = Math.max(0, folded.size - cap);
    for (const [key, s] of folded) {
      if (skip > 0) skip--;
      else this.table.add(key, s);
    }
  }
}

/** A row of the per-address form (before migration 013). */
function legacySeen(row: StateRow): Seen {
  try {
    const s = JSON.parse(row.state) as Partial<Seen>;
    return { firstAt: s.firstAt ?? row.lastAt, flagged: s.flagged === true, user: s.user ?? '' };
  } catch {
    return { firstAt: row.lastAt, flagged: false, user: '' };
  }
}
