import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CityDatabase, readLocation } from '../../../src/adapters/ip-facts/city-database.js';
import { captureLogger } from '../../harness/capture-logger.js';
import { tempDir } from '../../harness/test-env.js';

/** Written by test/fixtures/ip-city/write-fixtures.pl from MaxMind's published test records. */
const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/ip-city/${name}`, import.meta.url));
const MAXMIND_SHAPE = fixture('geolite2-city-test.mmdb');
const DBIP_SHAPE = fixture('dbip-city-shape-test.mmdb');

describe('CityDatabase', () => {
  let dir: ReturnType<typeof tempDir> | undefined;
  afterEach(() => dir?.remove());

  it.each([
    ['MaxMind GeoLite2-City', MAXMIND_SHAPE, 'GeoLite2-City', 10],
    ['ip-location-db (flat)', DBIP_SHAPE, 'dbip-city', undefined],
  ])('reads the %s record shape', (_name, path, type, accuracyKm) => {
    const db = new CityDatabase([path]);
    expect(db.state()).toEqual({
      available: true,
      detail: expect.stringMatching(new RegExp(`^1 file \\(${type}, built \\d{4}-\\d\\d-\\d\\d\\)$`)),
    });
    const london = db.lookup('81.2.69.142');
    expect(london).toMatchObject({ city: 'London', country: 'GB', accuracyKm });
    expect(london?.latitude).toBeCloseTo(51.5142, 4);
    expect(london?.longitude).toBeCloseTo(-0.0931, 4);
    expect(db.lookup('::ffff:89.160.20.120')).toMatchObject({ city: 'Linköping', country: 'SE' });
    // A country-level record: coordinates but no city.
    expect(db.lookup('2001:218::1')).toMatchObject({ city: undefined, country: 'JP' });
  });

  it('says unknown for addresses it does not hold and for what is not an address', () => {
    const db = new CityDatabase([MAXMIND_SHAPE]);
    expect(db.lookup('8.8.8.8')).toBeUndefined();
    expect(db.lookup('2606:4700::1')).toBeUndefined();
    expect(db.lookup('not-an-ip')).toBeUndefined();
    expect(db.lookup('010.0.0.1')).toBeUndefined();
  });

  it('is off with no file configured', () => {
    const db = new CityDatabase([]);
    expect(db.state()).toEqual({ available: false, detail: 'IP_CITY_DB is not set' });
    expect(db.lookup('81.2.69.142')).toBeUndefined();
  });

  it('leaves out a missing or unreadable file (logged once), never throws, and uses the others', () => {
    dir = tempDir();
    const garbage = join(dir.path, 'garbage.mmdb');
    writeFileSync(garbage, 'this is not an mmdb file');
    const missing = join(dir.path, 'missing.mmdb');
    const { logger, entries } = captureLogger();
    const broken = new CityDatabase([missing, garbage], logger);
    expect(broken.lookup('81.2.69.142')).toBeUndefined();
    const state = broken.state();
    expect(state.available).toBe(false);
    expect(state.detail).toContain(`${missing}: cannot read (ENOENT)`);
    expect(state.detail).toContain(`${garbage}: not a city database`);
    expect(entries.filter((e) => e.level === 'warn')).toHaveLength(2);

    const mixed = new CityDatabase([missing, DBIP_SHAPE]);
    expect(mixed.lookup('216.160.83.56')).toMatchObject({ city: 'Milton', country: 'US' });
    expect(mixed.state()).toMatchObject({ available: true });
    expect(mixed.state().detail).toContain('left out');
  });
});

describe('readLocation', () => {
  it('refuses records without usable coordinates', () => {
    expect(readLocation(null)).toBeUndefined();
    expect(readLocation({ city: 'X' })).toBeUndefined();
    expect(readLocation({ latitude: 91, longitude: 0, city: 'X' })).toBeUndefined();
    expect(readLocation({ location: { latitude: '51', longitude: 0 } })).toBeUndefined();
  });

  it('ignores a country that is not an ISO code', () => {
    expect(readLocation({ latitude: 1, longitude: 2, country_code: 'Narnia' })).toMatchObject({
      country: undefined,
    });
  });
});
