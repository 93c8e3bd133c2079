/**
 * Colon-hex IPv6 text without ipaddr.js: under a flood of distinct IPv6 addresses every log line
 * brings a new one, and parsing each into objects (ipaddr.js builds arrays, regexes and strings)
 * was most of the review's time. Only the plain colon-hex form is read here (RFC 4291 §2.2 forms
 * 1 and 2); an embedded IPv4 tail, a zone id or an IPv4-mapped address is left to `parseIp`
 * (callers fall back), so these answers are the same as ipaddr.js's, just cheaper.
 */

/**
 * Reads `text[start, end)` into eight 16-bit groups (`out`). Returns false when it is not a
 * plain colon-hex address (then `out` is garbage); true does not say it is not IPv4-mapped.
 */
export function readIpv6Groups(text: string, start: number, end: number, out: Uint16Array): boolean {
  if (end - start < 2 || end - start > 39) return false;
  let n = 0;
  let gap = -1;
  let i = start;
  if (text.charCodeAt(i) === 58) {
    // A leading colon must be the start of `::`.
    if (text.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
    if (i === end) {
      out.fill(0);
      return true;
    }
  }
  for (;;) {
    let value = 0;
    let digits = 0;
    while (i < end) {
      const c = text.charCodeAt(i);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) break;
      value = (value << 4) | d;
      if (++digits > 4) return false;
      i++;
    }
    if (digits === 0 || n === 8) return false;
    out[n++] = value;
    if (i === end) break;
    if (text.charCodeAt(i) !== 58) return false;
    i++;
    if (i < end && text.charCodeAt(i) === 58) {
      if (gap !== -1) return false;
      gap = n;
      i++;
      if (i === end) break;
    } else if (i === end) {
      return false;
    }
  }
  if (gap === -1) return n === 8;
  // `::` stands for at least one zero group (RFC 4291 §2.2 form 2).
  if (n > 7) return false;
  const move = n - gap;
  for (let k = 1; k <= move; k++) out[8 - k] = out[n - k] as number;
  for (let k = gap; k < 8 - move; k++) out[k] = 0;
  return true;
}

/** `::ffff:0:0/96` (RFC 4291 §2.5.5.2): the log review reads these as the IPv4 they carry. */
export function isIpv4Mapped(g: Uint16Array): boolean {
  return g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff;
}

/** The groups ipv6Text last wrote, and the text it wrote for them (see readIpv6Text). */
const WRITTEN = new Uint16Array(8);
let writtenText = '';

/**
 * readIpv6Groups over all of `text`, answered from the last ipv6Text call when `text` is what it
 * wrote: a log line's new address is written once (address-book.ts) and then read again by every
 * detector that keys it by its network (ipv6-range.ts), under a flood once per line.
 */
export function readIpv6Text(text: string, out: Uint16Array): boolean {
  if (text !== writtenText) return readIpv6Groups(text, 0, text.length, out);
  out.set(WRITTEN);
  return true;
}

/** Scratch bytes for ipv6Text (single-threaded, never held across calls); 39 chars at most. */
const TEXT = Buffer.alloc(40);
const HEX = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102];

/**
 * RFC 5952 §4 text: lowercase, no leading zeros, the longest run (2+) of zero groups as `::`,
 * the first of equal runs (what ipaddr.js's toString writes). Written into bytes and decoded
 * once: under a flood of new addresses this runs per line, and fifteen concatenations made a
 * chain of strings that had to be flattened again as soon as the text was used as a key.
 */
export function ipv6Text(g: ArrayLike<number>): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const out = TEXT;
  let n = 0;
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      if (i === 0) out[n++] = 58;
      out[n++] = 58;
      i += bestLen - 1;
      continue;
    }
    const v = (g[i] as number) & 0xffff;
    if (v >= 0x1000) out[n++] = HEX[v >> 12] as number;
    if (v >= 0x100) out[n++] = HEX[(v >> 8) & 15] as number;
    if (v >= 0x10) out[n++] = HEX[(v >> 4) & 15] as number;
    out[n++] = HEX[v & 15] as number;
    if (i < 7) out[n++] = 58;
  }
  for (let i = 0; i < 8; i++) WRITTEN[i] = g[i] as number;
  writtenText = out.toString('latin1', 0, n);
  return writtenText;
}

/** True when the first `prefix` bits of `g` equal those of `net` (both eight groups). */
export function ipv6InPrefix(
  g: ArrayLike<number>,
  net: ArrayLike<number>,
  at: number,
  prefix: number,
): boolean {
  let bits = prefix;
  for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if (((g[i] as number) & mask) !== ((net[at + i] as number) & mask)) return false;
  }
  return true;
}
