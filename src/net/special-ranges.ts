/**
 * Address ranges that are never a single host on the internet, from the IANA special-purpose
 * address registries (RFC 6890): https://www.iana.org/assignments/iana-ipv4-special-registry/
 * and https://www.iana.org/assignments/iana-ipv6-special-registry/. Documentation ranges
 * (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) are deliberately *not* here:
 * treating an odd address as "inside" would hide it, so they count as outside.
 */
import { type Cidr, CidrSet, type IpAddress, parseIp } from './ip.js';

export type SpecialRangeCode =
  | 'loopback'
  | 'unspecified'
  | 'link-local'
  | 'private'
  | 'cgnat'
  | 'multicast'
  | 'reserved';

export interface SpecialRange {
  readonly code: SpecialRangeCode;
  /** Loopback and "this host" are the machine itself; the rest are simply not internet hosts. */
  readonly self: boolean;
  readonly what: string;
  readonly set: CidrSet;
}

const TABLE = [
  // RFC 1122 §3.2.1.3 (127/8), RFC 4291 §2.5.3 (::1).
  {
    code: 'loopback',
    self: true,
    cidrs: ['127.0.0.0/8', '::1/128'],
    what: 'a loopback address (this machine itself)',
  },
  // RFC 1122 §3.2.1.3 ("this host on this network"), RFC 4291 §2.5.2.
  {
    code: 'unspecified',
    self: true,
    cidrs: ['0.0.0.0/8', '::/128'],
    what: 'the unspecified address ("this host/network")',
  },
  // RFC 3927 (169.254/16), RFC 4291 §2.5.6 (fe80::/10).
  {
    code: 'link-local',
    self: false,
    cidrs: ['169.254.0.0/16', 'fe80::/10'],
    what: 'a link-local address (only reachable on the local cable or Wi-Fi)',
  },
  // RFC 1918, RFC 4193 (fc00::/7).
  {
    code: 'private',
    self: false,
    cidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
    what: 'a private address (a home or office network, never an internet source)',
  },
  // RFC 6598.
  {
    code: 'cgnat',
    self: false,
    cidrs: ['100.64.0.0/10'],
    what: "a carrier-grade NAT address (shared inside a provider's network, not a single internet host)",
  },
  // RFC 5771 (224/4), RFC 4291 §2.7 (ff00::/8).
  { code: 'multicast', self: false, cidrs: ['224.0.0.0/4', 'ff00::/8'], what: 'a multicast address' },
  // RFC 1112 §4 (240/4, including 255.255.255.255), RFC 6890 (192.0.0.0/24, protocol assignments).
  {
    code: 'reserved',
    self: false,
    cidrs: ['240.0.0.0/4', '192.0.0.0/24'],
    what: 'a reserved address that never appears as an internet source',
  },
] as const satisfies readonly {
  code: SpecialRangeCode;
  self: boolean;
  cidrs: readonly string[];
  what: string;
}[];

export const SPECIAL_RANGES: readonly SpecialRange[] = TABLE.map((row) => ({
  code: row.code,
  self: row.self,
  what: row.what,
  set: CidrSet.parse(row.cidrs),
}));

/** The special range an address is in, or undefined for an ordinary (internet) address. */
export function specialRangeOf(ip: IpAddress | string): SpecialRange | undefined {
  const parsed = typeof ip === 'string' ? parseIp(ip) : ip;
  if (!parsed) return undefined;
  return SPECIAL_RANGES.find((range) => range.set.contains(parsed));
}

/** A valid address outside every special range: one the internet can see as a host. */
export function isInternetAddress(ip: IpAddress | string): boolean {
  const parsed = typeof ip === 'string' ? parseIp(ip) : ip;
  return parsed !== undefined && specialRangeOf(parsed) === undefined;
}

/**
 * Ranges set aside for documentation and benchmarking (RFC 5737, RFC 3849, RFC 2544): ordinary
 * "outside" addresses for classification, but never what a real router's WAN side has.
 */
const DOCUMENTATION = CidrSet.parse([
  '192.0.2.0/24',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '198.18.0.0/15',
  '2001:db8::/32',
]);

/** An internet address a real connection can have: not special, not a documentation range. */
export function isRoutableWanAddress(ip: IpAddress | string): boolean {
  const parsed = typeof ip === 'string' ? parseIp(ip) : ip;
  return parsed !== undefined && isInternetAddress(parsed) && !DOCUMENTATION.contains(parsed);
}

/** True when the two networks share at least one address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.address.kind() !== b.address.kind()) return false;
  const prefix = Math.min(a.prefix, b.prefix);
  return a.address.match(b.address, prefix);
}
