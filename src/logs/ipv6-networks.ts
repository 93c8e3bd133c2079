import { ipv6Text } from '../net/ipv6-text.js';
import type { AddressInfo } from './address-book.js';

/** Networks remembered at once (direct-mapped by a hash of their groups). */
const SLOTS = 256;
/**
 * Shared answers given before the networks are asked about again: an /allow's expiry is noticed
 * by the scope only when it is asked (AddressScope.current), as the text cache's wholesale
 * clearing does for single addresses.
 */
const REUSE = 65_536;
/** Scratch: an address's groups masked to its network (single-threaded). */
const NET = new Uint16Array(8);

/** A network known: its key, and its answer when all of its addresses share it. */
interface Entry {
  readonly key: string;
  readonly shared?: AddressInfo;
}

/**
 * The AddressBook's IPv6 networks (LOG_IPV6_PREFIX below 128). RFC 8981 temporary addresses
 * rotate inside the /64 a subscriber line gets (RFC 6177), so a flood from one line brings a new
 * address per line: when the scope answers the same for the whole network (no allow-listed or LAN
 * entry longer than the prefix inside it), every address of it gets one shared AddressInfo, and
 * with it the `settled` bits that let settled detectors skip the line. No string is written per
 * address. An allow-listed /128 inside keeps per-address answers for that network only (still
 * under the network's key: its neighbours are judged together).
 */
export class Ipv6Networks {
  private readonly groups = new Uint16Array(SLOTS * 8);
  private entries: (Entry | undefined)[] = noEntries();
  private answers = 0;
  /** Set by `answer`: the answer given is the network's, shared (not to be cached per address). */
  shared = false;

  constructor(private readonly prefix: number) {}

  /** Counts a shared answer the caller gave from its own memo; false once they are to be asked again. */
  reuse(): boolean {
    return ++this.answers <= REUSE;
  }

  clear(): void {
    this.entries = noEntries();
    this.answers = 0;
  }

  /**
   * The answer for a plain IPv6 address's groups (read-only here): `kindOf` its kind (ADDR_*),
   * `uniform` whether the scope answers the same for all of the /prefix network.
   */
  answer(
    groups: Uint16Array,
    kindOf: (groups: Uint16Array) => number,
    uniform: (groups: Uint16Array, prefix: number) => boolean,
  ): AddressInfo {
    const prefix = this.prefix;
    const full = prefix >> 4;
    const bits = prefix & 15;
    let h = 0x811c9dc5;
    for (let i = 0; i < 8; i++) {
      const g = groups[i] as number;
      const v = i < full ? g : i === full && bits !== 0 ? g & ((0xffff << (16 - bits)) & 0xffff) : 0;
      NET[i] = v;
      h = Math.imul(h ^ v, 0x01000193);
    }
    const slot = (h ^ (h >>> 13)) & (SLOTS - 1);
    let entry = this.entries[slot];
    for (let i = 0; entry !== undefined && i < 8; i++) {
      if (this.groups[slot * 8 + i] !== NET[i]) entry = undefined;
    }
    if (entry?.shared !== undefined && ++this.answers <= REUSE) {
      this.shared = true;
      return entry.shared;
    }
    this.shared = false;
    const kind = kindOf(groups);
    if (entry === undefined || entry.shared !== undefined) {
      if (this.answers > REUSE) this.clear();
      const key = entry?.key ?? `${ipv6Text(NET)}/${prefix}`;
      entry = uniform(groups, prefix) ? { key, shared: { key, kind, settled: 0 } } : { key };
      this.groups.set(NET, slot * 8);
      this.entries[slot] = entry;
      if (entry.shared !== undefined) {
        this.shared = true;
        return entry.shared;
      }
    }
    return { key: entry.key, kind, settled: 0 };
  }
}

/** A packed array of empty slots (see address-book.ts emptySlots). */
function noEntries(): (Entry | undefined)[] {
  const out: (Entry | undefined)[] = [];
  for (let i = 0; i < SLOTS; i++) out.push(undefined);
  return out;
}
