/**
 * The IPv6 network an address belongs to, as canonical CIDR text (`2001:db8:1:2::/64`): the key
 * under which rotating addresses are counted together. RFC 6177 (and RIPE-690 §4) make a /64 the
 * smallest network a subscriber line gets, so an attacker holding one line rotates inside it at
 * will. Runs for every IPv6 failure under a flood, so it works on the canonical text directly
 * instead of parsing into objects.
 */
export function ipv6Range(ip: string, prefix: number): string | undefined {
  if (prefix >= 128 || ip.indexOf(':') === -1) return undefined;
  const groups = expand(ip);
  if (groups === undefined) return undefined;
  const full = prefix >> 4;
  const bits = prefix & 15;
  for (let i = full; i < 8; i++) {
    groups[i] = i === full && bits !== 0 ? (groups[i] as number) & ((0xffff << (16 - bits)) & 0xffff) : 0;
  }
  return `${compress(groups)}/${prefix}`;
}

/** Eight 16-bit groups of a colon-hex address (no embedded IPv4: the address book unwraps those). */
function expand(ip: string): number[] | undefined {
  const gap = ip.indexOf('::');
  const head = gap === -1 ? ip : ip.slice(0, gap);
  const tail = gap === -1 ? '' : ip.slice(gap + 2);
  const a = head === '' ? [] : head.split(':');
  const b = tail === '' ? [] : tail.split(':');
  const missing = 8 - a.length - b.length;
  if (missing < 0 || (gap === -1 && missing !== 0)) return undefined;
  const out: number[] = [];
  for (const part of a) out.push(Number.parseInt(part, 16));
  for (let i = 0; i < missing; i++) out.push(0);
  for (const part of b) out.push(Number.parseInt(part, 16));
  return out.every((g) => g >= 0 && g <= 0xffff) ? out : undefined;
}

/** RFC 5952 §4: lowercase, no leading zeros, the longest run (2+) of zero groups as `::`, first wins. */
function compress(groups: readonly number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best === -1) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
