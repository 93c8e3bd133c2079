import type { CidrSet } from '../../net/ip.js';
import { normalizeIp } from '../../net/ip.js';

/**
 * The client of a request that came through `connecting`, given the X-Forwarded-For value
 * `xff` the server logged. Each proxy appends the address it received the request from, so
 * only the right end of the list is written by proxies we trust; everything to the left of
 * the first untrusted hop is whatever the client sent (MDN, X-Forwarded-For, "Selecting an IP
 * address": https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/X-Forwarded-For).
 *
 * Returns `connecting` when it is not a trusted proxy (the header is the client's own claim),
 * when the header is empty, or when the hop we would take is not an address; otherwise the
 * right-most address of the list that is not itself a trusted proxy.
 */
export function clientBehindProxy(connecting: string, xff: string, trusted: CidrSet | undefined): string {
  if (trusted === undefined || trusted.cidrs.length === 0 || xff === '') return connecting;
  if (!trusted.contains(connecting)) return connecting;
  const hops = xff.split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = (hops[i] as string).trim();
    const ip = normalizeIp(hop);
    if (ip === undefined) return connecting;
    if (!trusted.contains(ip)) return ip;
  }
  // Every hop is a proxy of ours: the left-most is the nearest to the client we know.
  return normalizeIp((hops[0] as string).trim()) ?? connecting;
}
