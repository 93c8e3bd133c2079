import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Reader, type Response } from 'mmdb-lib';
import type { AddressFacts, AddressFactsLookup } from '../../domain/address-facts.js';
import type { Logger } from '../../kernel/logger.js';
import { parseIp } from '../../net/ip.js';
import { isInternetAddress } from '../../net/special-ranges.js';
import { type AsnTable4, type AsnTable6, loadAsnTables } from './asn-table.js';

/**
 * Offline ASN and country for an address, from two npm-shipped databases (no account, key or
 * network call): `@ip-location-db/geo-whois-asn-country-mmdb` (CC0-1.0, NRO data CC BY 4.0; records
 * `{ country_code }`) read with `mmdb-lib`, and `@ip-location-db/asn` (CC BY 4.0) ranges.
 * Source and licences: https://github.com/sapics/ip-location-db
 *
 * A missing or unreadable database degrades that half to "unknown" (logged once, at load); an
 * address needs an ASN to have facts at all, the country alone then reads `??`.
 */
export interface OfflineAddressFactsPaths {
  readonly countryMmdb: string;
  readonly asnV4Csv: string;
  readonly asnV6Csv: string;
}

const require = createRequire(import.meta.url);

/** Where the shipped packages put their files (resolved from this module, not from cwd). */
export function shippedDatabasePaths(): OfflineAddressFactsPaths | undefined {
  try {
    return {
      countryMmdb: require.resolve('@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb'),
      asnV4Csv: require.resolve('@ip-location-db/asn/asn-ipv4-num.csv'),
      asnV6Csv: require.resolve('@ip-location-db/asn/asn-ipv6-num.csv'),
    };
  } catch {
    return undefined;
  }
}

export const DEFAULT_CACHE_ENTRIES = 10_000;

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const CANONICAL_V4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);

export class OfflineAddressFacts implements AddressFactsLookup {
  private readonly cache = new Map<string, AddressFacts | null>();
  private country: Reader<Response> | undefined;
  private asn: { v4: AsnTable4; v6: AsnTable6 } | undefined;
  private loaded = false;

  constructor(
    private readonly paths: OfflineAddressFactsPaths | undefined,
    private readonly logger?: Pick<Logger, 'warn'>,
    private readonly maxEntries = DEFAULT_CACHE_ENTRIES,
  ) {}

  /**
   * Reads the databases (~2 s, ~150 MB of CSV parsed into a few MB of typed arrays) on the first
   * lookup rather than at start, so CLI commands and tests that never show an address pay nothing.
   */
  load(): void {
    if (this.loaded) return;
    this.loaded = true;
    const { paths, logger } = this;
    if (!paths) {
      logger?.warn('address databases are not installed: ASN and country read "unknown"');
      return;
    }
    try {
      this.country = new Reader<Response>(readFileSync(paths.countryMmdb));
    } catch (error) {
      logger?.warn('the country database is unreadable: countries read "unknown"', {
        path: paths.countryMmdb,
        error: error instanceof Error ? error.message : String(error),
      });
    }
    try {
      this.asn = loadAsnTables(paths.asnV4Csv, paths.asnV6Csv);
    } catch (error) {
      logger?.warn('the ASN database is unreadable: networks read "unknown"', {
        path: paths.asnV4Csv,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  lookup(ip: string): AddressFacts | undefined {
    const cached = this.cache.get(ip);
    if (cached !== undefined) return cached ?? undefined;
    const facts = this.uncached(ip);
    // Bounded: drop the oldest entry (Map keeps insertion order).
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(ip, facts ?? null);
    return facts;
  }

  /** Without the cache: what the bench's "cold" row measures. */
  uncached(ip: string): AddressFacts | undefined {
    // Loopback, LAN and other special addresses have no ASN or country: answering them does not
    // load the databases (tens of MB), which a household whose findings name only its own
    // devices then never pays for.
    if (!isInternetAddress(ip)) return undefined;
    this.load();
    if (!this.asn) return undefined;
    // Fast path for the common case, a canonical dotted quad (no leading zeros, each <= 255).
    if (CANONICAL_V4.test(ip)) {
      const [a = 0, b = 0, c = 0, d = 0] = ip.split('.').map(Number);
      const hit = this.asn.v4.find(a * 16_777_216 + b * 65_536 + c * 256 + d);
      if (!hit || hit.asn === 0) return undefined;
      return { asn: hit.asn, asName: hit.asName, country: this.countryOf(ip) };
    }
    const parsed = parseIp(ip);
    if (!parsed) return undefined;
    let hit: { asn: number; asName: string } | undefined;
    if (parsed.kind() === 'ipv4') {
      const [a = 0, b = 0, c = 0, d = 0] = parsed.toByteArray();
      hit = this.asn.v4.find(((a << 24) >>> 0) + (b << 16) + (c << 8) + d);
    } else {
      const bytes = parsed.toByteArray();
      let hi = 0n;
      let lo = 0n;
      for (let i = 0; i < 8; i++) hi = (hi << 8n) | BigInt(bytes[i] ?? 0);
      for (let i = 8; i < 16; i++) lo = (lo << 8n) | BigInt(bytes[i] ?? 0);
      hit = this.asn.v6.find(hi, lo);
    }
    if (!hit || hit.asn === 0) return undefined;
    return { asn: hit.asn, asName: hit.asName, country: this.countryOf(parsed.toString()) };
  }

  private countryOf(ip: string): string {
    try {
      // The records are `{ country_code }`, not a MaxMind shape: read the field defensively.
      const record: unknown = this.country?.get(ip);
      const code =
        typeof record === 'object' && record !== null && 'country_code' in record
          ? record.country_code
          : undefined;
      return typeof code === 'string' && /^[A-Z]{2}$/.test(code) ? code : '??';
    } catch {
      return '??';
    }
  }
}

let shared: OfflineAddressFacts | undefined;

/** One per process: the tables are read-only, so every context shares the loaded copy. */
export function sharedOfflineAddressFacts(logger?: Pick<Logger, 'warn'>): OfflineAddressFacts {
  shared ??= new OfflineAddressFacts(shippedDatabasePaths(), logger);
  return shared;
}
