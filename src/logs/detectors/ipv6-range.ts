import { ipv6Text, readIpv6Text } from '../../net/ipv6-text.js';

/** Scratch groups (single-threaded, never held across calls). */
const GROUPS = new Uint16Array(8);
/**
 * The last answer: one line's address may be asked for by several detectors that key by network
 * (when the review did not give them the network already, see address-book.ts), so under a flood
 * of new addresses the same address came several times in a row, each read and written again.
 */
let lastIp = '';
let lastPrefix = -1;
let lastRange: string | undefined;
/** The last network written, by its groups: a flood's addresses share one (and its string's hash). */
const NET = new Uint16Array(8);
let netPrefix = -1;
let netText = '';

/**
 * The IPv6 network an address belongs to, as canonical CIDR text (`2001:db8:1:2::/64`): the key
 * under which rotating addresses are counted together. RFC 6177 (and RIPE-690 §4) make a /64 the
 * smallest network a subscriber line gets, so an attacker holding one line rotates inside it at
 * will. Runs for every IPv6 failure under a flood, so it works on the canonical text directly
 * instead of parsing into objects.
 */
export function ipv6Range(ip: string, prefix: number): string | undefined {
  if (prefix >= 128 || ip.indexOf(':') === -1) return undefined;
  if (ip === lastIp && prefix === lastPrefix) return lastRange;
  lastIp = ip;
  lastPrefix = prefix;
  lastRange = range(ip, prefix);
  return lastRange;
}

function range(ip: string, prefix: number): string | undefined {
  if (!readIpv6Text(ip, GROUPS)) return undefined;
  const full = prefix >> 4;
  const bits = prefix & 15;
  for (let i = full; i < 8; i++) {
    GROUPS[i] = i === full && bits !== 0 ? (GROUPS[i] as number) & ((0xffff << (16 - bits)) & 0xffff) : 0;
  }
  let same = prefix === netPrefix;
  for (let i = 0; same && i < 8; i++) same = GROUPS[i] === NET[i];
  if (same) return netText;
  NET.set(GROUPS);
  netPrefix = prefix;
  // Flattened once: the text is a key of the detectors' maps.
  netText = `${ipv6Text(GROUPS)}/${prefix}`;
  return netText;
}
