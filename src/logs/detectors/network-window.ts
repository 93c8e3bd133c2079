import type { AddressFactsLookup } from '../../domain/address-facts.js';
import { addressLabel } from '../../net/address-label.js';
import { parseIp } from '../../net/ip.js';
import type { AddressTable } from '../address-table.js';
import type { LogEvent } from '../log-event.js';
import { seenKey } from './seen-chunks.js';

/**
 * Different addresses a network's window tells apart: enough to show rotation ("32 or more"), and
 * a flood of new addresses costs a scan of at most this many numbers per line.
 */
export const NETWORK_SPREAD_CAP = 32;

/** What a window kept under an IPv6 network (LOG_IPV6_PREFIX) adds to its counts. */
export interface NetworkPart {
  /** An address seen in it (the first), canonical: named in the finding. */
  addr?: string;
  /** Hashes of the different addresses seen in it, at most NETWORK_SPREAD_CAP. */
  addrs?: number[];
}

/** Range windows are keyed by CIDR text, addresses never contain a slash. */
export function isRange(key: string): boolean {
  return key.indexOf('/') !== -1;
}

/**
 * The key a window detector keeps `ip` under (an address, or the network the address book already
 * gave): IPv6 by its LOG_IPV6_PREFIX network, as the seen detectors and the counts (seenKey).
 */
export function windowKey(ip: string, ipv6Prefix: number): string {
  return isRange(ip) ? ip : seenKey(ip, ipv6Prefix);
}

/** The canonical text of the event's address (only when a network's window needs one to show). */
export function eventAddress(ev: LogEvent): string {
  const raw = ev.ip;
  return parseIp(raw)?.toString() ?? raw;
}

/**
 * Notes the event's address in a network's window (`ip` as the detector got it: the address, or
 * the network when the address book gave that; then the address is read from the event, in place).
 */
export function noteAddress(part: NetworkPart, ev: LogEvent, ip: string): void {
  if (!isRange(ip)) {
    noteAddressText(part, ip);
    return;
  }
  part.addr ??= eventAddress(ev);
  // Past the cap nothing more is told apart: no hash to compute (a flood's every line).
  if ((part.addrs?.length ?? 0) < NETWORK_SPREAD_CAP)
    addHash(part, hashText(ev.ipText, ev.ipStart, ev.ipEnd));
}

/** noteAddress for an address as canonical text. */
export function noteAddressText(part: NetworkPart, ip: string): void {
  part.addr ??= ip;
  addHash(part, hashText(ip, 0, ip.length));
}

/**
 * Restores one stored window under its key; a row stored per IPv6 address (versions before
 * windows were kept per network, or LOG_IPV6_PREFIX lowered from 128) is folded into its
 * network's window with `merge` instead. Restored and then deleted, the address's row goes at the
 * next commit, in the transaction that writes the network's.
 */
export function restoreWindow<T extends NetworkPart>(
  table: AddressTable<T>,
  ip: string,
  state: T,
  ipv6Prefix: number,
  merge: (known: T, part: T) => T,
): void {
  table.restore(ip, state);
  const key = windowKey(ip, ipv6Prefix);
  if (key === ip) return;
  table.delete(ip);
  const part: T = { ...state, addrs: [] };
  noteAddressText(part, ip);
  const known = table.get(key);
  table.set(key, known ? merge(known, part) : part);
}

/** The network parts of two windows of one network as one: the first address kept, the hashes joined. */
export function mergeNetworkParts(a: NetworkPart, b: NetworkPart): NetworkPart {
  const addr = a.addr ?? b.addr;
  return {
    ...(addr === undefined ? {} : { addr }),
    addrs: [...new Set([...(a.addrs ?? []), ...(b.addrs ?? [])])],
  };
}

function addHash(part: NetworkPart, h: number): void {
  const addrs = part.addrs ?? [];
  if (addrs.length >= NETWORK_SPREAD_CAP) return;
  for (let i = 0; i < addrs.length; i++) if (addrs[i] === h) return;
  // A new exact-size array (these windows are few: one per network).
  part.addrs = addrs.concat(h);
}

/** How a finding names a network's window: `2001:db8:1:2::/64 (3 different addresses, e.g. 2001:db8:1:2::7 · AS…)`. */
export function networkText(key: string, part: NetworkPart, facts: AddressFactsLookup | undefined): string {
  const n = Math.max(1, part.addrs?.length ?? 0);
  const count =
    n >= NETWORK_SPREAD_CAP
      ? `${n} or more different addresses`
      : n === 1
        ? 'one address'
        : `${n} different addresses`;
  const addr = part.addr === undefined ? '' : `, e.g. ${addressLabel(part.addr, facts)}`;
  return `${key} (${count}${addr})`;
}

/** How a finding's title names its key: the address, or the network with an address of it. */
export function keyTitle(key: string, part: NetworkPart): string {
  return isRange(key) && part.addr !== undefined ? `${key} (${part.addr})` : key;
}

/** FNV-1a over the chars of an address as written (a dozen to 39 chars). */
function hashText(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}
