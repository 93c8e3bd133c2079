import { describe, expect, it } from 'vitest';
import { addressesIn, labelAddresses } from '../../src/net/address-tokens.js';

describe('addressesIn', () => {
  it('finds addresses on token boundaries only', () => {
    expect(addressesIn('Probing from 10.0.0.12 on plex')).toEqual(['10.0.0.12']);
    expect(addressesIn('Probing from 10.0.0.1 on plex')).toEqual(['10.0.0.1']);
    expect(addressesIn('from 2001:db8::10, then 2001:db8::1.')).toEqual(['2001:db8::10', '2001:db8::1']);
  });

  it('canonicalises IPv6 forms and unwraps IPv4-mapped addresses', () => {
    expect(addressesIn('seen 2001:0DB8:0000:0000:0000:0000:0000:0001')).toEqual(['2001:db8::1']);
    expect(addressesIn('seen ::ffff:10.0.0.1')).toEqual(['10.0.0.1']);
    expect(addressesIn('[2001:db8::1]:32400 and 203.0.113.7:32400')).toEqual(['2001:db8::1', '203.0.113.7']);
  });

  it('skips ranges, versions, times and zero-padded quads', () => {
    expect(addressesIn('from 2001:db8::/64 at 10:30:00, Plex 1.40.2.8395, 010.0.0.1, ::')).toEqual([]);
    expect(addressesIn('AS64500 Example Hosting · NL')).toEqual([]);
  });
});

describe('labelAddresses', () => {
  const facts = {
    lookup: (ip: string) =>
      ip === '203.0.113.7' || ip === '2001:db8::7'
        ? { asn: 64500, asName: 'Example Hosting', country: 'NL' }
        : undefined,
  };

  it('labels each bare address it knows, keeping the text around it', () => {
    expect(labelAddresses('Probing from 203.0.113.7 on plex.', facts)).toBe(
      'Probing from 203.0.113.7 · AS64500 Example Hosting · NL on plex.',
    );
    expect(labelAddresses('[2001:db8::7]:32400', facts)).toBe(
      '[2001:db8::7 · AS64500 Example Hosting · NL]:32400',
    );
  });

  it('leaves labelled, unknown and look-alike addresses as written', () => {
    const labelled = 'from 203.0.113.7 · AS64500 Example Hosting · NL';
    expect(labelAddresses(labelled, facts)).toBe(labelled);
    expect(labelAddresses('from 203.0.113.70 and 198.51.100.1', facts)).toBe(
      'from 203.0.113.70 and 198.51.100.1',
    );
    expect(labelAddresses('from 203.0.113.7', undefined)).toBe('from 203.0.113.7');
  });
});
