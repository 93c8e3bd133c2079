/**
 * Colon-hex IPv6 text without ipaddr.js: under a flood of distinct IPv6 addresses every log line
 * brings a new one, and parsing each into objects (ipaddr.js builds arrays, regexes and strings)
 * was most of the review's time. Only the plain colon-hex form is read here (RFC 4291 §2.2 forms
 * 1 and 2); an embedded IPv4 tail, a zone id or an IPv4-mapped address is left to `parseIp`
 * (callers fall back), so these answers are the same as ipaddr.js's, just cheaper.
 */

/**
 * Hex digit values by char code, -1 for any other char, 16 added for an uppercase letter: a
 * table instead of three ranges, since digits and letters come mixed in an address and the
 * branches were mispredicted (reading a flood's addresses took 2/3 of the time in
 * bench/log-review.ts's flood case).
 */
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let c = 0; c < 16; c++) {
  HEX_VALUE[c < 10 ? 48 + c : 87 + c] = c;
  if (c >= 10) HEX_VALUE[55 + c] = 16 + c;
}

/** What readIpv6Form found: not a plain colon-hex address, one, or one in RFC 5952 §4 form. */
export const IPV6_INVALID = 0;
export const IPV6_READ = 1;
export const IPV6_CANONICAL = 2;

/**
 * Reads `text[start, end)` into eight 16-bit groups (`out`). Returns false when it is not a
 * plain colon-hex address (then `out` is garbage); true does not say it is not IPv4-mapped.
 */
export function readIpv6Groups(text: string, start: number, end: number, out: Uint16Array): boolean {
  return readIpv6Form(text, start, end, out) !== IPV6_INVALID;
}

/**
 * readIpv6Groups, telling also whether the text is canonical (ipv6Text would write the same):
 * most servers log that form, and its text is then copied, not written again (ipv6TextOf).
 */
export function readIpv6Form(text: string, start: number, end: number, out: Uint16Array): number {
  if (end - start < 2 || end - start > 39) return IPV6_INVALID;
  if (text.charCodeAt(start) !== 58) return readGroups(text, start, end, out, 0, -1, true);
  // A leading colon must be the start of `::`.
  if (text.charCodeAt(start + 1) !== 58) return IPV6_INVALID;
  if (start + 2 === end) return spread(out, 0, 0, true);
  return readGroups(text, start + 2, end, out, 0, 0, true);
}

/**
 * readIpv6Form for the rest of an address whose first `n` groups, each ended by a single colon,
 * are in `out` already: `text[i, end)` is what follows the last of those colons (the caller saw
 * the same first groups written the same way, canonical or not as `plain` says: address-book.ts).
 */
export function readIpv6FormAfter(
  text: string,
  i: number,
  end: number,
  out: Uint16Array,
  n: number,
  plain: boolean,
): number {
  if (i === end || text.charCodeAt(i) !== 58) return readGroups(text, i, end, out, n, -1, plain);
  // That colon and this one are a `::`.
  if (i + 1 === end) return spread(out, n, n, plain);
  return readGroups(text, i + 1, end, out, n, n, plain);
}

/**
 * Groups from `i` on, `n` read already and a `::` after the first `gap` of them (-1: none yet);
 * `plain`: no uppercase digit or leading zero so far.
 */
function readGroups(
  text: string,
  i: number,
  end: number,
  out: Uint16Array,
  n: number,
  gap: number,
  plain: boolean,
): number {
  for (;;) {
    const from = i;
    let value = 0;
    let seen = 0;
    while (i < end) {
      const c = text.charCodeAt(i);
      const d = c < 256 ? (HEX_VALUE[c] as number) : -1;
      if (d < 0) break;
      value = (value << 4) | (d & 15);
      seen |= d;
      i++;
    }
    if (i === from || i - from > 4 || n === 8) return IPV6_INVALID;
    if ((seen & 16) !== 0 || (i - from > 1 && text.charCodeAt(from) === 48)) plain = false;
    out[n++] = value;
    if (i === end) break;
    if (text.charCodeAt(i) !== 58) return IPV6_INVALID;
    i++;
    if (i < end && text.charCodeAt(i) === 58) {
      if (gap !== -1) return IPV6_INVALID;
      gap = n;
      i++;
      if (i === end) break;
    } else if (i === end) {
      return IPV6_INVALID;
    }
  }
  if (gap === -1) {
    if (n !== 8) return IPV6_INVALID;
    return plain && zeroRun(out) === -1 ? IPV6_CANONICAL : IPV6_READ;
  }
  return spread(out, n, gap, plain);
}

/** Moves the groups read after a `::` at `gap` to the end and zeroes the ones it stands for. */
function spread(out: Uint16Array, n: number, gap: number, plain: boolean): number {
  // `::` stands for at least one zero group (RFC 4291 §2.2 form 2).
  if (n > 7) return IPV6_INVALID;
  const move = n - gap;
  for (let k = 1; k <= move; k++) out[8 - k] = out[n - k] as number;
  for (let k = gap; k < 8 - move; k++) out[k] = 0;
  // Canonical when the `::` is where RFC 5952 §4.2 puts it, for as many groups.
  return plain && zeroRun(out) === gap * 16 + 8 - n ? IPV6_CANONICAL : IPV6_READ;
}

/**
 * The run of zero groups RFC 5952 §4.2 writes as `::` (the longest of two or more, the first of
 * equal ones) as start * 16 + length; -1 for none.
 */
function zeroRun(g: ArrayLike<number>): number {
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
  return best === -1 ? -1 : best * 16 + bestLen;
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
  for (let i = 0; i < 8; i++) out[i] = WRITTEN[i] as number;
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
  const run = zeroRun(g);
  const best = run === -1 ? -1 : run >> 4;
  const bestLen = run & 15;
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
  return written(g, n);
}

/**
 * ipv6Text(g) for an address `text[start, end)` that readIpv6Form found canonical: the same
 * chars, copied out of the chunk instead of written again from the groups.
 */
export function ipv6TextOf(text: string, start: number, end: number, g: ArrayLike<number>): string {
  const out = TEXT;
  for (let i = start; i < end; i++) out[i - start] = text.charCodeAt(i);
  return written(g, end - start);
}

/** The first `n` bytes of TEXT as a string, remembered as the text of `g` (readIpv6Text). */
function written(g: ArrayLike<number>, n: number): string {
  for (let i = 0; i < 8; i++) WRITTEN[i] = g[i] as number;
  writtenText = TEXT.toString('latin1', 0, n);
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
