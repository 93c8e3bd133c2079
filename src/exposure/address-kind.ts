import { parseIp } from '../net/ip.js';

/** ipaddr.js ranges that can never be somebody on the internet. */
const INTERNAL_RANGES = new Set([
  'private',
  'loopback',
  'linkLocal',
  'uniqueLocal',
  'carrierGradeNat',
  'unspecified',
  'multicast',
  'broadcast',
]);

/**
 * Whether an address belongs to a home, a provider's NAT or the machine itself. Reserved and
 * documentation ranges count as outside: treating an odd address as "inside" would hide it.
 */
export function isInternalIp(text: string): boolean {
  const ip = parseIp(text);
  return ip !== undefined && INTERNAL_RANGES.has(ip.range());
}
