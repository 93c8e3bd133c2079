import type { AddressClass } from '../net/address-scope.js';
import { dottedIpv4, parseIp } from '../net/ip.js';
import {
  IPV6_CANONICAL,
  IPV6_INVALID,
  ipv6Text,
  ipv6TextOf,
  isIpv4Mapped,
  readIpv6Form,
  readIpv6FormAfter,
} from '../net/ipv6-text.js';
import { ipv6Range } from './detectors/ipv6-range.js';
import { Ipv6Networks } from './ipv6-networks.js';
import { detach } from './log-event.js';

export const ADDR_INVALID = 0;
/** Outside the household and not allow-listed: the only addresses detectors look at. */
export const ADDR_OUTSIDE = 1;
export const ADDR_LOCAL = 2;
export const ADDR_ALLOWED = 3;

export interface AddressInfo {
  /**
   * What the detectors and the counts know the address by (seenKey): its canonical text
   * (IPv4-mapped unwrapped, IPv6 compressed), or with an IPv6 prefix below 128 its network as
   * CIDR text (`2001:db8:1:2::/64`).
   */
  readonly key: string;
  readonly kind: number;
  /** Bit i: detector i of the owning source already knows everything about this key. */
  settled: number;
}

const INVALID: AddressInfo = { key: '', kind: ADDR_INVALID, settled: 0 };

/** The part of AddressScope the book needs: one answer per address, and when answers moved. */
export interface AddressClassifier {
  readonly version: number;
  classify(ip: string): AddressClass;
  /**
   * The same answer as `classify(ipv6Text(groups))` for a plain (not IPv4-mapped) IPv6 address
   * already read into groups: a new address is then read once, not twice.
   */
  classifyIpv6?(groups: Uint16Array): AddressClass;
  /** True when every address of the /`prefix` network of `groups` gets the same answer now. */
  uniformIpv6?(groups: Uint16Array, prefix: number): boolean;
}

export interface AddressBookOptions {
  /**
   * Whose address is this (AddressScope): the household's own public IP (configured or
   * learned) and the LAN are local; /allow and ALLOWLIST entries are allowed.
   */
  readonly scope: AddressClassifier;
  readonly cacheSize: number;
  /**
   * LOG_IPV6_PREFIX of the source: below 128 an IPv6 address is known by its network (128, the
   * default here: by the address).
   */
  readonly ipv6Prefix?: number;
}

/** Self and LAN are never looked at; special ranges outside the LAN are (a shared network). */
export const KIND_CODE = {
  self: ADDR_LOCAL,
  lan: ADDR_LOCAL,
  allowed: ADDR_ALLOWED,
  special: ADDR_OUTSIDE,
  outside: ADDR_OUTSIDE,
} as const;

const INITIAL_SLOTS = 4096;
/**
 * The cache never holds more than this many addresses, whatever LOG_MAX_TRACKED_ADDRESSES says:
 * growing past it rehashed 200,000 entries in one go (tens of ms on the bench machine, far more
 * under load) in the middle of a chunk, and a flood defeats any size of cache anyway. A miss
 * costs one classification (IPv4 and IPv6 both read without ipaddr.js), so a smaller cache
 * only costs a little speed with more than this many busy addresses.
 */
const MAX_CACHED = 65_536;
/**
 * Slots while a flood goes on: when the table filled up with fewer than one hit in eight
 * lookups since it was last emptied, nearly every address is new and caching them only makes
 * 65,536 entries live long enough to reach the old generation (and be collected from there).
 */
const FLOOD_SLOTS = 4096;
/** Scratch groups for classify (single-threaded, never held across calls). */
const GROUPS = new Uint16Array(8);
/** Groups of the /64 a new IPv6 address is first read up to (see `AddressBook.prefix`). */
const PREFIX_GROUPS = 4;

/**
 * Classifies addresses as written in logs (one book per source and pass: the `settled` bits
 * belong to that source's detectors). This runs for most lines, so the answer is cached
 * in an open-addressing table keyed by the raw bytes *in place*: a known address costs a hash
 * over a dozen chars and one comparison, without cutting a string out of the chunk. The table
 * is bounded (cleared wholesale when full) and cleared when the scope's version moves (an /allow,
 * a newly learned public IP), so a cached answer is never older than the scope.
 */
export class AddressBook {
  private version: number;
  private keys: (string | undefined)[] = emptySlots(INITIAL_SLOTS);
  private values: (AddressInfo | undefined)[] = emptySlots(INITIAL_SLOTS);
  /**
   * Each key's hash: compared before the key itself. Under a flood from one /64 every cached
   * key has the same length and first 20 chars, and reading a key is a cache miss of its own.
   */
  private hashes = new Int32Array(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  private count = 0;
  /** Lookups answered and missed since the table was last emptied. */
  private hits = 0;
  private misses = 0;
  /** Bounded at FLOOD_SLOTS until a fill sees the hits come back. */
  private flood = false;
  /**
   * The chars of the last new IPv6 address up to its fourth colon, when its first four groups
   * were written out (no `::` among them), and those groups: a flood's next address from the
   * same /64 is read from there on, not from its first char.
   */
  private readonly prefix = new Uint16Array(20);
  private prefixLength = 0;
  private readonly prefixGroups = new Uint16Array(PREFIX_GROUPS);
  /** No uppercase digit or leading zero in the prefix (readIpv6FormAfter). */
  private prefixPlain = false;
  /** Set by readIpv6: the address was read on from `prefix`. */
  private prefixHit = false;
  /** The shared answer of the network `prefix` lies in (a prefix of up to 64 bits), once known. */
  private prefixInfo: AddressInfo | undefined;
  /** Set by classify when the address was written as its canonical text (the cache key then). */
  private keyIsIp = false;
  /** Set by classify when the answer is its network's, shared (cached by text only while it pays). */
  private shared = false;
  private readonly ipv6Prefix: number;
  /** With a prefix below 128: what IPv6 networks are known by (their answers shared when they can be). */
  private readonly networks: Ipv6Networks | undefined;

  private readonly kindOf = (groups: Uint16Array): number =>
    KIND_CODE[(this.options.scope.classifyIpv6 as (g: Uint16Array) => AddressClass)(groups).kind];
  private readonly uniform = (groups: Uint16Array, prefix: number): boolean =>
    this.options.scope.uniformIpv6?.(groups, prefix) === true;

  constructor(private readonly options: AddressBookOptions) {
    this.version = options.scope.version;
    this.ipv6Prefix = options.ipv6Prefix ?? 128;
    if (this.ipv6Prefix < 128) this.networks = new Ipv6Networks(this.ipv6Prefix);
  }

  lookup(raw: string): AddressInfo {
    return this.lookupRange(raw, 0, raw.length);
  }

  lookupRange(text: string, start: number, end: number): AddressInfo {
    const length = end - start;
    if (length <= 0 || length > 47) return INVALID;
    if (this.options.scope.version !== this.version) this.clear();
    const keys = this.keys;
    const hashes = this.hashes;
    const h = hashTail(text, start, end);
    const mask = this.mask;
    let slot = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const key = keys[slot];
      if (key === undefined) break;
      // A char loop beats a startsWith call for a dozen chars (this runs for most lines).
      if (hashes[slot] === h && sameText(key, text, start, end)) {
        this.hits++;
        return this.values[slot] as AddressInfo;
      }
      slot = (slot + 1) & mask;
    }
    this.misses++;
    this.keyIsIp = false;
    this.shared = false;
    const info = this.classify(text, start, end);
    if (info.kind === ADDR_INVALID || (this.shared && this.mostlyNew())) return info;
    // The canonical text is a fresh string already (most servers write that form): it is the key.
    const raw =
      this.keyIsIp || sameText(info.key, text, start, end) ? info.key : detach(text.slice(start, end));
    if (this.count * 2 >= keys.length) {
      this.grow();
      return this.insert(raw, info);
    }
    keys[slot] = raw;
    hashes[slot] = h;
    this.values[slot] = info;
    this.count++;
    return info;
  }

  /**
   * True when caching a network's shared answer under its text would not pay: a flood (see grow),
   * or past the first entries fewer than one hit in eight lookups. A network's new address then
   * costs a read of its text and one lookup, no string and no entry of its own (a flood from one
   * /64 filled the table with 65,536 of them first); a household's own addresses, which repeat,
   * are cached by their text as before.
   */
  private mostlyNew(): boolean {
    return this.flood || (this.count >= INITIAL_SLOTS / 2 && this.hits * 8 < this.misses);
  }

  private insert(raw: string, info: AddressInfo): AddressInfo {
    const h = hashTail(raw, 0, raw.length);
    let slot = (h ^ (h >>> 15)) & this.mask;
    while (this.keys[slot] !== undefined) slot = (slot + 1) & this.mask;
    this.keys[slot] = raw;
    this.hashes[slot] = h;
    this.values[slot] = info;
    this.count++;
    return info;
  }

  private clear(): void {
    this.version = this.options.scope.version;
    this.allocate(INITIAL_SLOTS);
    this.count = 0;
    this.hits = 0;
    this.misses = 0;
    this.flood = false;
    this.networks?.clear();
    this.prefixInfo = undefined;
  }

  private allocate(slots: number): void {
    this.keys = emptySlots(slots);
    this.values = emptySlots(slots);
    this.hashes = new Int32Array(slots);
    this.mask = slots - 1;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const size = oldKeys.length * 2;
    const bound = Math.min(this.options.cacheSize, MAX_CACHED);
    if (this.flood || oldKeys.length > bound) {
      const mostlyNew = this.hits * 8 < this.misses;
      this.hits = 0;
      this.misses = 0;
      if (this.flood && !mostlyNew) {
        // The flood is over: grow again, keeping what is cached.
        this.flood = false;
      } else if (!this.flood && mostlyNew && oldKeys.length > FLOOD_SLOTS) {
        this.flood = true;
        this.count = 0;
        this.allocate(FLOOD_SLOTS);
        return;
      }
    }
    if (this.flood || oldKeys.length > bound) {
      // Past the bound start empty rather than grow: memory stays bounded under a flood. The
      // slots are kept (filled again at once; regrowing from the start made garbage).
      this.count = 0;
      oldKeys.fill(undefined);
      oldValues.fill(undefined);
      return;
    }
    this.count = 0;
    this.allocate(size);
    for (let i = 0; i < oldKeys.length; i++) {
      const key = oldKeys[i];
      if (key !== undefined) this.insert(key, oldValues[i] as AddressInfo);
    }
  }

  private classify(text: string, start: number, end: number): AddressInfo {
    if (end - start > 45) return INVALID;
    let colon = false;
    for (let i = start; i < end; i++) {
      if (text.charCodeAt(i) === 58) {
        colon = true;
        break;
      }
    }
    // Servers write IPv4 in canonical dotted form; anything else (`010.1.1.1` would be octal
    // to some parsers) is not an address we trust.
    if (!colon) {
      const raw = detach(text.slice(start, end));
      if (!isCanonicalIpv4(raw)) return INVALID;
      this.keyIsIp = true;
      return { key: raw, kind: KIND_CODE[this.options.scope.classify(raw).kind], settled: 0 };
    }
    const scope = this.options.scope;
    // Read in place: no string is cut out of the chunk for an address seen for the first time.
    const form = this.readIpv6(text, start, end);
    if (form !== IPV6_INVALID && !isIpv4Mapped(GROUPS)) {
      const networks = this.networks;
      if (networks !== undefined && scope.classifyIpv6 !== undefined) {
        // Read on from the last new address's /64: a network of up to 64 bits is that one's.
        if (this.prefixHit && this.prefixInfo !== undefined && networks.reuse()) {
          this.shared = true;
          return this.prefixInfo;
        }
        const info = networks.answer(GROUPS, this.kindOf, this.uniform);
        this.shared = networks.shared;
        if (this.shared && this.ipv6Prefix <= 64 && this.prefixLength !== 0) this.prefixInfo = info;
        return info;
      }
      const canonical = form === IPV6_CANONICAL;
      const ip = canonical ? ipv6TextOf(text, start, end, GROUPS) : ipv6Text(GROUPS);
      const kind = KIND_CODE[(scope.classifyIpv6 ? scope.classifyIpv6(GROUPS) : scope.classify(ip)).kind];
      if (networks !== undefined) return { key: ipv6Range(ip, this.ipv6Prefix) ?? ip, kind, settled: 0 };
      this.keyIsIp = canonical;
      return { key: ip, kind, settled: 0 };
    }
    // IPv4-mapped (unwrapped to its IPv4 address) or a form readIpv6Form leaves to ipaddr.js.
    const parsed = parseIp(text.slice(start, end));
    if (!parsed) return INVALID;
    const ip = parsed.toString();
    // A zone (`%eth0`, RFC 4007) only means something on a link: on any other address it is forged.
    if (ip.indexOf('%') !== -1 && parsed.range() !== 'linkLocal') return INVALID;
    const kind = KIND_CODE[scope.classify(ip).kind];
    return { key: ip.indexOf(':') === -1 ? ip : (ipv6Range(ip, this.ipv6Prefix) ?? ip), kind, settled: 0 };
  }

  /** readIpv6Form into GROUPS, from the end of the last address's /64 when it starts the same. */
  private readIpv6(text: string, start: number, end: number): number {
    const known = this.prefixLength;
    if (known !== 0 && end - start > known && end - start <= 39) {
      const prefix = this.prefix;
      let k = 0;
      while (k < known && text.charCodeAt(start + k) === prefix[k]) k++;
      this.prefixHit = k === known;
      if (k === known) {
        for (let g = 0; g < PREFIX_GROUPS; g++) GROUPS[g] = this.prefixGroups[g] as number;
        return readIpv6FormAfter(text, start + known, end, GROUPS, PREFIX_GROUPS, this.prefixPlain);
      }
    }
    this.prefixHit = false;
    const form = readIpv6Form(text, start, end, GROUPS);
    if (form !== IPV6_INVALID) this.notePrefix(text, start, end);
    return form;
  }

  /** Remembers the chars up to the fourth colon of an address just read, unless a `::` comes first. */
  private notePrefix(text: string, start: number, end: number): void {
    this.prefixLength = 0;
    this.prefixInfo = undefined;
    this.prefixPlain = true;
    let colons = 0;
    for (let i = start; i < end && i - start < this.prefix.length; i++) {
      const c = text.charCodeAt(i);
      this.prefix[i - start] = c;
      const groupStart = i === start || text.charCodeAt(i - 1) === 58;
      if ((c >= 65 && c <= 70) || (c === 48 && groupStart && text.charCodeAt(i + 1) !== 58))
        this.prefixPlain = false;
      if (c !== 58) continue;
      if (groupStart) return;
      if (++colons === PREFIX_GROUPS) {
        this.prefixLength = i + 1 - start;
        for (let g = 0; g < PREFIX_GROUPS; g++) this.prefixGroups[g] = GROUPS[g] as number;
        return;
      }
    }
  }
}

/**
 * `key` equals `text[start, end)`: compared in place, a char loop (a dozen to 39 chars), from
 * the end, where addresses of one network differ.
 */
function sameText(key: string, text: string, start: number, end: number): boolean {
  let j = end - start;
  if (key.length !== j) return false;
  while (j > 0 && key.charCodeAt(j - 1) === text.charCodeAt(start + j - 1)) j--;
  return j === 0;
}

/** A packed array of `n` undefined slots (`new Array(n)` turns into a slow dictionary when large). */
function emptySlots<T>(n: number): (T | undefined)[] {
  const out: (T | undefined)[] = [];
  for (let i = 0; i < n; i++) out.push(undefined);
  return out;
}

/**
 * Hash of the length and the last 8 chars: the varying part of an address is at its end, and
 * a full comparison follows anyway. Half the work of hashing every char, on most lines.
 */
function hashTail(text: string, start: number, end: number): number {
  let h = Math.imul(0x811c9dc5 ^ (end - start), 0x01000193);
  for (let i = end > start + 8 ? end - 8 : start; i < end; i++)
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

/** `a.b.c.d` in canonical form (no leading zeros). */
function isCanonicalIpv4(text: string): boolean {
  return dottedIpv4(text) >= 0;
}
