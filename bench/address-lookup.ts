/**
 * Offline address facts (ASN, name, country): lookups per second against the shipped
 * databases, cold (every address new: the range search plus the MMDB walk) and cached (the same
 * addresses again), with the load time. Targets: >= 100 k/s cold, >= 1 M/s cached. The peer is
 * `mmdb-lib` alone on the country database, the floor any MMDB-based lookup pays.
 */
import { readFileSync } from 'node:fs';
import { Reader, type Response } from 'mmdb-lib';
import { OfflineAddressFacts, shippedDatabasePaths } from '../src/adapters/ip-facts/offline-address-facts.js';

const COUNT = 200_000;

/** Spread over the public IPv4 space (a step that is odd, so the low octets vary). */
function addresses(): string[] {
  return Array.from({ length: COUNT }, (_, i) => {
    const n = (0x01000000 + i * 16_777_259) >>> 0;
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  });
}

function rate(fn: (ip: string) => unknown, ips: readonly string[]): { ms: number; perSecond: number } {
  const started = performance.now();
  for (const ip of ips) fn(ip);
  const ms = performance.now() - started;
  return { ms, perSecond: Math.round(ips.length / (ms / 1_000)) };
}

export default async function addressLookup(): Promise<void> {
  const paths = shippedDatabasePaths();
  if (!paths) {
    console.log('skipped: the @ip-location-db packages are not installed');
    return;
  }
  const ips = addresses();
  const loadStart = performance.now();
  const facts = new OfflineAddressFacts(paths, undefined, COUNT);
  facts.load();
  const loadMs = performance.now() - loadStart;
  const known = ips.filter((ip) => facts.uncached(ip) !== undefined).length;
  const cold = rate((ip) => facts.uncached(ip), ips);
  rate((ip) => facts.lookup(ip), ips); // fills the cache
  const cached = rate((ip) => facts.lookup(ip), ips);
  const reader = new Reader<Response>(readFileSync(paths.countryMmdb));
  const peer = rate((ip) => reader.get(ip), ips);
  console.table([
    { case: 'plex-warden cold (ASN + country)', 'lookups/s': cold.perSecond, ms: Math.round(cold.ms) },
    { case: 'plex-warden cached', 'lookups/s': cached.perSecond, ms: Math.round(cached.ms) },
    { case: 'mmdb-lib country only (peer)', 'lookups/s': peer.perSecond, ms: Math.round(peer.ms) },
  ]);
  console.log(
    `${COUNT} addresses, ${known} known; databases loaded in ${Math.round(loadMs)} ms. Targets: cold >= 100000/s, cached >= 1000000/s.`,
  );
}
