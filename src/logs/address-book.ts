import { CidrSet, parseIp } from '../net/ip.js';
import { detach } from './log-event.js';

export const ADDR_INVALID = 0;
/** Not in the LAN, not loopback, not allow-listed: the only addresses detectors look at. */
export const ADDR_OUTSIDE = 1;
export const ADDR_LOCAL = 2;
export const ADDR_ALLOWED = 3;

export interface AddressInfo {
  /** Canonical text (IPv4-mapped unwrapped, IPv6 compressed). */
  readonly ip: string;
  readonly kind: number;
  /** Bit i: detector i of the owning source already knows everything about this address. */
  settled: number;
}

const INVALID: AddressInfo = { ip: '', kind: ADDR_INVALID, settled: 0 };

export interface AddressBookOptions {
  readonly lanCidrs: readonly string[];
  readonly allowlist: readonly string[];
  /** The house's own public address: hairpinned household traffic, never an attacker. */
  readonly publicIp?: string | undefined;
  /** Allow-list kept elsewhere (the database's /allow entries). */
  readonly isAllowed?: ((ip: string) => boolean) | undefined;
  readonly cacheSize: number;
}

const INITIAL_SLOTS = 4096;

/**
 * Classifies addresses as written in logs (one book per source and pass: the `settled` bits
 * belong to that source's detectors). This runs for most lines, so the answer is cached
 * in an open-addressing table keyed by the raw bytes *in place*: a known address costs a hash
 * over a dozen chars and one comparison, without cutting a string out of the chunk. The table
 * is bounded (cleared wholesale when full).
 */
export class AddressBook {
  private readonly lan: CidrSet;
  private readonly allow: CidrSet;
  private readonly lan4: Uint32Array;
  private readonly allow4: Uint32Array;
  private keys: (string | undefined)[] = emptySlots(INITIAL_SLOTS);
  private values: (AddressInfo | undefined)[] = emptySlots(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  private count = 0;

  constructor(private readonly options: AddressBookOptions) {
    this.lan = CidrSet.parse(options.lanCidrs);
    this.allow = CidrSet.parse(options.allowlist);
    this.lan4 = ipv4Networks(this.lan);
    this.allow4 = ipv4Networks(this.allow);
  }

  lookup(raw: string): AddressInfo {
    return this.lookupRange(raw, 0, raw.length);
  }

  lookupRange(text: string, start: number, end: number): AddressInfo {
    const length = end - start;
    if (length <= 0 || length > 47) return INVALID;
    const keys = this.keys;
    const h = hashTail(text, start, end);
    const mask = this.mask;
    let slot = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const key = keys[slot];
      if (key === undefined) break;
      if (key.length === length) {
        // A char loop beats a startsWith call for a dozen chars (this runs for most lines).
        let j = 0;
        while (j < length && key.charCodeAt(j) === text.charCodeAt(start + j)) j++;
        if (j === length) return this.values[slot] as AddressInfo;
      }
      slot = (slot + 1) & mask;
    }
    const raw = detach(text.slice(start, end));
    const info = this.classify(raw);
    if (this.count * 2 >= keys.length) {
      this.grow();
      return this.insert(raw, info);
    }
    keys[slot] = raw;
    this.values[slot] = info;
    this.count++;
    return info;
  }

  private insert(raw: string, info: AddressInfo): AddressInfo {
    const h = hashTail(raw, 0, raw.length);
    let slot = (h ^ (h >>> 15)) & this.mask;
    while (this.keys[slot] !== undefined) slot = (slot + 1) & this.mask;
    this.keys[slot] = raw;
    this.values[slot] = info;
    this.count++;
    return info;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const size = oldKeys.length * 2;
    // Past the bound start empty rather than grow: memory stays bounded under a flood.
    const keep = size / 2 <= this.options.cacheSize;
    const slots = keep ? size : INITIAL_SLOTS;
    this.keys = emptySlots(slots);
    this.values = emptySlots(slots);
    this.mask = slots - 1;
    this.count = 0;
    if (!keep) return;
    for (let i = 0; i < oldKeys.length; i++) {
      const key = oldKeys[i];
      if (key !== undefined) this.insert(key, oldValues[i] as AddressInfo);
    }
  }

  private classify(raw: string): AddressInfo {
    if (raw.length === 0 || raw.length > 45) return INVALID;
    // Plain dotted IPv4 is nearly every line: numbers instead of ipaddr.js objects.
    const v4 = dottedIpv4(raw);
    if (v4 >= 0) {
      if (inNetworks(this.allow4, v4) || this.options.isAllowed?.(raw))
        return { ip: raw, kind: ADDR_ALLOWED, settled: 0 };
      const first = v4 >>> 24;
      if (first === 127 || first === 0 || inNetworks(this.lan4, v4) || raw === this.options.publicIp) {
        return { ip: raw, kind: ADDR_LOCAL, settled: 0 };
      }
      return { ip: raw, kind: ADDR_OUTSIDE, settled: 0 };
    }
    // Servers write IPv4 in canonical dotted form; anything else (`010.1.1.1` would be octal
    // to some parsers) is not an address we trust.
    if (raw.indexOf(':') === -1) return INVALID;
    const parsed = parseIp(raw);
    if (!parsed) return INVALID;
    const ip = parsed.toString();
    if (this.allow.contains(parsed) || this.options.isAllowed?.(ip))
      return { ip, kind: ADDR_ALLOWED, settled: 0 };
    const range = parsed.range();
    if (
      range === 'loopback' ||
      range === 'unspecified' ||
      this.lan.contains(parsed) ||
      ip === this.options.publicIp
    ) {
      return { ip, kind: ADDR_LOCAL, settled: 0 };
    }
    return { ip, kind: ADDR_OUTSIDE, settled: 0 };
  }
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

/** `a.b.c.d` in canonical form (no leading zeros) as an unsigned number, or -1. */
function dottedIpv4(text: string): number {
  let value = 0;
  let octet = -1;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (octet < 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = -1;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1; // leading zero: not canonical
      octet = (octet < 0 ? 0 : octet * 10) + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || octet < 0) return -1;
  return value * 256 + octet;
}

/** IPv4 networks of a set as [network, mask] pairs. */
function ipv4Networks(set: CidrSet): Uint32Array {
  const v4 = set.cidrs.filter((c) => c.address.kind() === 'ipv4');
  const out = new Uint32Array(v4.length * 2);
  v4.forEach((c, i) => {
    const b = c.address.toByteArray();
    out[i * 2] = (((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0;
    out[i * 2 + 1] = c.prefix === 0 ? 0 : (0xffffffff << (32 - c.prefix)) >>> 0;
  });
  return out;
}

function inNetworks(networks: Uint32Array, ip: number): boolean {
  for (let i = 0; i < networks.length; i += 2) {
    if ((ip & (networks[i + 1] as number)) >>> 0 === networks[i]) return true;
  }
  return false;
}
