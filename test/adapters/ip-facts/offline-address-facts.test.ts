import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  OfflineAddressFacts,
  shippedDatabasePaths,
} from '../../../src/adapters/ip-facts/offline-address-facts.js';

describe('OfflineAddressFacts against the shipped databases', () => {
  const paths = shippedDatabasePaths();
  const facts = new OfflineAddressFacts(paths);

  it('finds the shipped packages', () => {
    expect(paths).toBeDefined();
  });

  // Expectations read once from @ip-location-db/asn and
  // @ip-location-db/geo-whois-asn-country-mmdb 2.3.2026061719 (a database update may move them).
  it.each([
    ['1.1.1.1', 13335, 'Cloudflare, Inc.', 'AU'],
    ['8.8.8.8', 15169, 'Google LLC', 'US'],
    ['9.9.9.9', 19281, 'Quad9', 'US'],
    ['2606:4700:4700::1111', 13335, 'Cloudflare, Inc.', 'US'],
    ['2001:4860:4860::8888', 15169, 'Google LLC', 'US'],
    ['::ffff:8.8.4.4', 15169, 'Google LLC', 'US'],
  ])(
    '%s is AS%i %s in %s',
    (ip, asn, asName, country) => {
      expect(facts.lookup(ip)).toEqual({ asn, asName, country });
      // Cached answers are the same answers.
      expect(facts.lookup(ip)).toEqual({ asn, asName, country });
    },
    30_000,
  );

  it.each(['10.0.0.1', '192.168.1.1', '203.0.113.7', '2001:db8::1', 'not an address', ''])(
    '%s is unknown',
    (ip) => {
      expect(facts.lookup(ip)).toBeUndefined();
    },
  );
});

describe('OfflineAddressFacts without usable databases', () => {
  /** Facts whose three database paths point at files that do not exist, and what they warned. */
  const withoutDatabases = () => {
    const warnings: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'ipfacts-'));
    const facts = new OfflineAddressFacts(
      { countryMmdb: join(dir, 'no.mmdb'), asnV4Csv: join(dir, 'no4.csv'), asnV6Csv: join(dir, 'no6.csv') },
      { warn: (m: string) => warnings.push(m) } as never,
    );
    return { facts, warnings };
  };

  it('degrades to unknown when the databases are missing, and says so once', () => {
    const { facts, warnings } = withoutDatabases();
    expect(facts.lookup('8.8.8.8')).toBeUndefined();
    expect(facts.lookup('1.1.1.1')).toBeUndefined();
    expect(warnings).toHaveLength(2);
  });

  it('answers loopback, LAN and other special addresses without reading the databases', () => {
    const { facts, warnings } = withoutDatabases();
    for (const ip of ['127.0.0.1', '::1', '10.0.0.12', '192.168.1.5', 'fe80::1', 'fd00::2', '100.64.0.1'])
      expect(facts.lookup(ip)).toBeUndefined();
    // Nothing was opened: the missing files were never noticed.
    expect(warnings).toEqual([]);
    expect(facts.lookup('8.8.8.8')).toBeUndefined();
    expect(warnings).toHaveLength(2);
  });

  it('an unreadable country database keeps the ASN and reads the country as ??', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipfacts-'));
    const bad = join(dir, 'bad.mmdb');
    writeFileSync(bad, 'not an mmdb file');
    const v4 = join(dir, 'v4.csv');
    writeFileSync(v4, '134744064,134744319,15169,Google LLC\n16777216,16777471,13335,"Cloudflare, Inc."\n');
    const v6 = join(dir, 'v6.csv');
    writeFileSync(v6, '');
    const warnings: string[] = [];
    const facts = new OfflineAddressFacts({ countryMmdb: bad, asnV4Csv: v4, asnV6Csv: v6 }, {
      warn: (m: string) => warnings.push(m),
    } as never);
    expect(facts.lookup('8.8.8.8')).toEqual({ asn: 15169, asName: 'Google LLC', country: '??' });
    expect(facts.lookup('2001:4860:4860::8888')).toBeUndefined();
    expect(warnings).toEqual([expect.stringContaining('country database is unreadable')]);
  });

  it('keeps at most maxEntries answers', () => {
    const facts = new OfflineAddressFacts(undefined, undefined, 2);
    for (const ip of ['1.1.1.1', '1.1.1.2', '1.1.1.3']) facts.lookup(ip);
    expect((facts as unknown as { cache: Map<string, unknown> }).cache.size).toBe(2);
  });
});
