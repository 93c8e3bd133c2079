import type { AddressFactsLookup } from '../domain/address-facts.js';
import { untrustedText } from '../kernel/untrusted-text.js';

/**
 * The one way an address is shown with what is known about it:
 * `203.0.113.7 · AS64500 Example Hosting · NL`, or the bare address when nothing is known.
 * The network name comes from a shipped database but is registry free text: shown as untrusted.
 */
export function addressLabel(ip: string, facts: AddressFactsLookup | undefined): string {
  const f = facts?.lookup(ip);
  if (!f) return ip;
  return `${ip} · AS${f.asn} ${untrustedText(f.asName, 48)} · ${f.country}`;
}
