import type { Cidr } from './ip.js';
import { ipv6InPrefix } from './ipv6-text.js';

/**
 * Scope entries as numbers, one table per family: dotted IPv4 is nearly every log line and a
 * flood brings a new IPv6 address per line, so their answers skip ipaddr.js's objects.
 */
export interface IpTableItem {
  readonly what: string;
  readonly code?: string;
  readonly self?: boolean;
}

export interface V4Table<T extends IpTableItem> {
  readonly nets: Uint32Array;
  readonly masks: Uint32Array;
  readonly items: readonly T[];
}

export interface V6Table<T extends IpTableItem> {
  /** Eight groups per entry. */
  readonly nets: Uint16Array;
  readonly prefixes: Uint8Array;
  readonly items: readonly T[];
}

export function v4Table<T extends IpTableItem & { readonly cidr: Cidr }>(list: readonly T[]): V4Table<T> {
  const v4 = list.filter((e) => e.cidr.address.kind() === 'ipv4');
  const nets = new Uint32Array(v4.length);
  const masks = new Uint32Array(v4.length);
  v4.forEach((e, i) => {
    const b = e.cidr.address.toByteArray();
    nets[i] = (((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0;
    masks[i] = e.cidr.prefix === 0 ? 0 : (0xffffffff << (32 - e.cidr.prefix)) >>> 0;
  });
  return { nets, masks, items: v4 };
}

export function v4Find<T extends IpTableItem>(table: V4Table<T>, ip: number): T | undefined {
  for (let i = 0; i < table.nets.length; i++) {
    if ((ip & (table.masks[i] as number)) >>> 0 === table.nets[i]) return table.items[i];
  }
  return undefined;
}

export function v6Table<T extends IpTableItem & { readonly cidr: Cidr }>(list: readonly T[]): V6Table<T> {
  const v6 = list.filter((e) => e.cidr.address.kind() === 'ipv6');
  const nets = new Uint16Array(v6.length * 8);
  const prefixes = new Uint8Array(v6.length);
  v6.forEach((e, i) => {
    const b = e.cidr.address.toByteArray();
    for (let g = 0; g < 8; g++) nets[i * 8 + g] = ((b[2 * g] ?? 0) << 8) | (b[2 * g + 1] ?? 0);
    prefixes[i] = e.cidr.prefix;
  });
  return { nets, prefixes, items: v6 };
}

/** `groups`: the eight groups of a plain (not IPv4-mapped) IPv6 address. */
export function v6Find<T extends IpTableItem>(table: V6Table<T>, groups: Uint16Array): T | undefined {
  for (let i = 0; i < table.prefixes.length; i++) {
    if (ipv6InPrefix(groups, table.nets, i * 8, table.prefixes[i] as number)) return table.items[i];
  }
  return undefined;
}

/**
 * True when some entry of `tables` longer than /`prefix` lies inside the /`prefix` network of
 * `groups`: only then can two addresses of that network get different answers (an entry as long
 * or shorter holds the whole network or none of it).
 */
export function v6LongerInside(
  tables: readonly V6Table<IpTableItem>[],
  groups: Uint16Array,
  prefix: number,
): boolean {
  for (const t of tables) {
    for (let i = 0; i < t.prefixes.length; i++) {
      if ((t.prefixes[i] as number) > prefix && ipv6InPrefix(groups, t.nets, i * 8, prefix)) return true;
    }
  }
  return false;
}

/** The first four groups (the /64) of every entry longer than /64 in `tables`, one after the other. */
export function v6Long(tables: readonly V6Table<IpTableItem>[]): Uint16Array {
  const out: number[] = [];
  for (const t of tables) {
    t.prefixes.forEach((prefix, i) => {
      if (prefix > 64) out.push(...t.nets.subarray(i * 8, i * 8 + 4));
    });
  }
  return Uint16Array.from(out);
}

/** True when the /64 of `groups` is one of `long` (see v6Long). */
export function v6HasLong(long: Uint16Array, groups: Uint16Array): boolean {
  for (let i = 0; i < long.length; i += 4) {
    if (
      long[i] === groups[0] &&
      long[i + 1] === groups[1] &&
      long[i + 2] === groups[2] &&
      long[i + 3] === groups[3]
    )
      return true;
  }
  return false;
}
