import type { AddressFactsLookup } from '../domain/address-facts.js';
import { addressLabel } from './address-label.js';
import { normalizeIp } from './ip.js';

/**
 * Addresses named in free text, found on token boundaries: a token is a run of letters, digits,
 * `:` and `.`, so `10.0.0.1` is never found inside `10.0.0.12` and `2001:db8::1` never inside
 * `2001:db8::10`. A token with a `/prefix` is a range, not an address, and is skipped.
 */
const TOKEN = /[0-9A-Za-z:.]+(\/\d{1,3})?/g;
/** `a.b.c.d:port` as Plex and proxies write it; IPv6 with a port is always bracketed (RFC 3986 §3.2.2). */
const V4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/;
/** An address worth naming is at least `::1` long; this skips `::` in prose. */
const MIN_LENGTH = 3;

interface Found {
  readonly ip: string;
  readonly start: number;
  readonly end: number;
}

function* found(text: string): Generator<Found> {
  for (const match of text.matchAll(TOKEN)) {
    if (match[1] !== undefined) continue;
    let token = match[0];
    const start = match.index;
    // Sentence punctuation after an address ("from 10.0.0.1." or "address 10.0.0.1:") is not part of it.
    while (token.endsWith('.') || (token.endsWith(':') && !token.endsWith('::'))) token = token.slice(0, -1);
    if (token.length < MIN_LENGTH) continue;
    const direct = normalizeIp(token);
    const v4 = direct === undefined ? V4_WITH_PORT.exec(token)?.[1] : undefined;
    const ip = direct ?? (v4 === undefined ? undefined : normalizeIp(v4));
    if (ip === undefined) continue;
    yield { ip, start, end: start + (direct === undefined ? (v4?.length ?? 0) : token.length) };
  }
}

/** The distinct addresses named in the texts, in canonical form (IPv6 lower-case and compressed). */
export function addressesIn(...texts: readonly string[]): string[] {
  const out = new Set<string>();
  for (const text of texts) for (const f of found(text)) out.add(f.ip);
  return [...out];
}

/**
 * The text with every bare address replaced by its label (`203.0.113.7 · AS64500 Example · NL`);
 * an address that already carries one, or that nothing is known about, stays as written.
 */
export function labelAddresses(text: string, facts: AddressFactsLookup | undefined): string {
  if (!facts) return text;
  let out = '';
  let at = 0;
  for (const f of found(text)) {
    if (text.startsWith(' · AS', f.end)) continue;
    const label = addressLabel(f.ip, facts);
    if (label === f.ip) continue;
    out += `${text.slice(at, f.start)}${text.slice(f.start, f.end)}${label.slice(f.ip.length)}`;
    at = f.end;
  }
  return out + text.slice(at);
}
