import { ipv6Text, readIpv6Groups } from '../../net/ipv6-text.js';

/** Scratch groups (single-threaded, never held across calls). */
const GROUPS = new Uint16Array(8);

/**
 * The IPv6 network an address belongs to, as canonical CIDR text (`2001:db8:1:2::/64`): the key
 * under which rotating addresses are counted together. RFC 6177 (and RIPE-690 §4) make a /64 the
 * smallest network a subscriber line gets, so an attacker holding one line rotates inside it at
 * will. Runs for every IPv6 failure under a flood, so it works on the canonical text directly
 * instead of parsing into objects.
 */
export function ipv6Range(ip: string, prefix: number): string | undefined {
  if (prefix >= 128 || ip.indexOf(':') === -1) return undefined;
  if (!readIpv6Groups(ip, 0, ip.length, GROUPS)) return undefined;
  const full = prefix >> 4;
  const bits = prefix & 15;
  for (let i = full; i < 8; i++) {
    GROUPS[i] = i === full && bits !== 0 ? (GROUPS[i] as number) & ((0xffff << (16 - bits)) & 0xffff) : 0;
  }
  return `${ipv6Text(GROUPS)}/${prefix}`;
}
