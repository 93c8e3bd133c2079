import { createRequire } from 'node:module';
import type Ipaddr from 'ipaddr.js';

/**
 * ipaddr.js is CommonJS, and imported from ESM Node first scans its source for the names it
 * exports (https://nodejs.org/api/esm.html#commonjs-namespaces): some 30 ms of every start for
 * its one 38 KB file. require() loads it without that scan.
 */
const ipaddr =
  // Bundled (scripts/build.ts), esbuild makes this require() its own minified copy; from source
  // an ES module has no `require` (see src/kernel/web-globals.ts).
  (
    typeof require === 'function' ? require('ipaddr.js') : createRequire(import.meta.url)('ipaddr.js')
  ) as typeof Ipaddr;

export type IpAddress = Ipaddr.IPv4 | Ipaddr.IPv6;

/** A parsed network: address plus prefix length, always in canonical form. */
export interface Cidr {
  readonly address: IpAddress;
  readonly prefix: number;
  readonly text: string;
}

/**
 * A dotted-quad part written with a leading zero (`010`). POSIX inet_addr says "a leading '0'
 * implies octal" (https://pubs.opengroup.org/onlinepubs/9699919799/functions/inet_addr.html), and
 * ipaddr.js does the same (010.0.0.1 is 8.0.0.1), while RFC 3986 §3.2.2's dec-octet grammar and
 * Node's `net.isIP` refuse it: we refuse it rather than guess which address was meant.
 */
const ZERO_PADDED = /(^|[.:])0\d/;

/** Why the text is refused as an address, when the answer is not just "not an address". */
export function addressProblem(text: string): string | undefined {
  const input = text.trim();
  const dotted = input.split('/').flatMap((part) => part.match(/\d+(\.\d+){3}$/)?.[0] ?? []);
  if (dotted.some((quad) => ZERO_PADDED.test(quad))) {
    return 'IPv4 octets must not have leading zeros (010.0.0.1 is read as octal 8.0.0.1 by some tools): write 10.0.0.1';
  }
  return undefined;
}

/** Parses an IPv4/IPv6 address; `::ffff:1.2.3.4` comes back as IPv4. Undefined if invalid. */
export function parseIp(text: string): IpAddress | undefined {
  const input = text.trim().replace(/^\[(.*)\]$/, '$1');
  if (addressProblem(input)) return undefined;
  if (!ipaddr.isValid(input)) return undefined;
  // ipaddr.isValid accepts odd IPv4 forms ("1", "0x7f.1"); require four dotted decimals.
  if (!input.includes(':') && !/^\d{1,3}(\.\d{1,3}){3}$/.test(input)) return undefined;
  const parsed = ipaddr.parse(input);
  if (parsed.kind() === 'ipv6' && (parsed as Ipaddr.IPv6).isIPv4MappedAddress()) {
    return (parsed as Ipaddr.IPv6).toIPv4Address();
  }
  return parsed;
}

/** Canonical text of an address (IPv4-mapped IPv6 unwrapped), or undefined if invalid. */
export function normalizeIp(text: string): string | undefined {
  return parseIp(text)?.toString();
}

/**
 * Parses `a.b.c.d/nn`, `a.b.c.d/255.255.0.0` (Plex's IP/mask form), an IPv6 CIDR, or a bare
 * address (a /32 or /128). The address is masked to the network.
 */
export function parseCidr(text: string): Cidr | undefined {
  const input = text.trim();
  const slash = input.indexOf('/');
  if (slash === -1) {
    const address = parseIp(input);
    if (!address) return undefined;
    return makeCidr(address, address.kind() === 'ipv4' ? 32 : 128);
  }
  const address = parseIp(input.slice(0, slash));
  const suffix = input.slice(slash + 1);
  if (!address) return undefined;
  let prefix: number | undefined;
  if (/^\d{1,3}$/.test(suffix) && !/^0\d/.test(suffix)) {
    prefix = Number(suffix);
  } else if (
    address.kind() === 'ipv4' &&
    /^\d{1,3}(\.\d{1,3}){3}$/.test(suffix) &&
    !addressProblem(suffix) &&
    ipaddr.IPv4.isValid(suffix)
  ) {
    prefix = ipaddr.IPv4.parse(suffix).prefixLengthFromSubnetMask() ?? undefined;
  }
  const max = address.kind() === 'ipv4' ? 32 : 128;
  if (prefix === undefined || prefix < 0 || prefix > max) return undefined;
  return makeCidr(address, prefix);
}

function makeCidr(address: IpAddress, prefix: number): Cidr {
  const network =
    address.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${prefix}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${prefix}`);
  return { address: network, prefix, text: `${network.toString()}/${prefix}` };
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.address.kind() !== ip.kind()) return false;
  return ip.match(cidr.address, cidr.prefix);
}

/** A list of networks answering "is this address inside any of them?". */
export class CidrSet {
  readonly cidrs: readonly Cidr[];

  constructor(cidrs: readonly Cidr[]) {
    this.cidrs = cidrs;
  }

  static parse(texts: readonly string[]): CidrSet {
    return new CidrSet(texts.map((t) => parseCidr(t)).filter((c): c is Cidr => c !== undefined));
  }

  contains(ip: IpAddress | string): boolean {
    const parsed = typeof ip === 'string' ? parseIp(ip) : ip;
    if (!parsed) return false;
    return this.cidrs.some((c) => cidrContains(c, parsed));
  }
}

/**
 * Canonical dotted IPv4 (no leading zeros) as an unsigned number, or -1: the hot path of the
 * log review and the address scope, without allocating a parsed address.
 */
export function dottedIpv4(text: string): number {
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
      if (digits > 0 && octet === 0) return -1;
      octet = (octet < 0 ? 0 : octet * 10) + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || octet < 0) return -1;
  return value * 256 + octet;
}
