import { describe, expect, it } from 'vitest';
import { unknownAddressFacts } from '../../src/domain/address-facts.js';
import { addressLabel } from '../../src/net/address-label.js';

describe('addressLabel', () => {
  const facts = {
    lookup: (ip: string) =>
      ip === '203.0.113.7' ? { asn: 64500, asName: 'Example *Hosting* <@1>', country: 'NL' } : undefined,
  };
  it('shows the address with its network and country', () => {
    expect(
      addressLabel('203.0.113.7', {
        lookup: () => ({ asn: 64500, asName: 'Example Hosting', country: 'NL' }),
      }),
    ).toBe('203.0.113.7 · AS64500 Example Hosting · NL');
  });
  it('neutralises markdown and mentions in the network name', () => {
    expect(addressLabel('203.0.113.7', facts)).toBe('203.0.113.7 · AS64500 Example Hosting 1 · NL');
  });
  it('is the bare address when nothing is known', () => {
    expect(addressLabel('198.51.100.1', facts)).toBe('198.51.100.1');
    expect(addressLabel('198.51.100.1', unknownAddressFacts)).toBe('198.51.100.1');
    expect(addressLabel('198.51.100.1', undefined)).toBe('198.51.100.1');
  });
});
