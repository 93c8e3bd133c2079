import { describe, expect, it } from 'vitest';
import { parseIp } from '../../src/net/ip.js';
import {
  IPV6_CANONICAL,
  IPV6_INVALID,
  IPV6_READ,
  ipv6InPrefix,
  ipv6Text,
  ipv6TextOf,
  isIpv4Mapped,
  readIpv6Form,
  readIpv6FormAfter,
  readIpv6Groups,
  readIpv6Text,
} from '../../src/net/ipv6-text.js';

/** The fast path must answer exactly as ipaddr.js (through parseIp) does, or decline. */
function fast(text: string): string | undefined {
  const g = new Uint16Array(8);
  if (!readIpv6Groups(text, 0, text.length, g) || isIpv4Mapped(g)) return undefined;
  return ipv6Text(g);
}

describe('IPv6 text without ipaddr.js', () => {
  it.each([
    ['2A01:4F8::1', '2a01:4f8::1'],
    ['1::', '1::'],
    ['::', '::'],
    ['::1', '::1'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['1::2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
    ['01:02::0003', '1:2::3'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2a01:4f8:c17:2a3f:0:0:a126:1', '2a01:4f8:c17:2a3f::a126:1'],
  ])('reads %s as %s', (text, canonical) => {
    expect(fast(text)).toBe(canonical);
    expect(parseIp(text)?.toString()).toBe(canonical);
  });

  it.each([
    '1:2:3:4:5:6:7:8::',
    '00000::1',
    '1::2::3',
    ':::',
    ':1',
    '1:',
    '1:2:3',
    '1:2:3:4:5:6:7:8:9',
    'g::1',
    '',
    '::1.2.3.4',
    'fe80::1%eth0',
  ])('declines %s (invalid, or a form left to parseIp)', (text) => {
    expect(fast(text)).toBeUndefined();
  });

  it('leaves IPv4-mapped addresses to parseIp, which unwraps them', () => {
    const g = new Uint16Array(8);
    expect(readIpv6Groups('::ffff:7f00:1', 0, 13, g)).toBe(true);
    expect(isIpv4Mapped(g)).toBe(true);
    expect(parseIp('::ffff:7f00:1')?.toString()).toBe('127.0.0.1');
  });

  it('agrees with ipaddr.js on random addresses, compressed or not', () => {
    let seed = 7;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    for (let n = 0; n < 2000; n++) {
      // Many zero groups, so every compression case comes up.
      const groups = Array.from({ length: 8 }, () => (next() % 3 === 0 ? 0 : next() & 0xffff));
      if (groups.slice(0, 5).every((x) => x === 0)) groups[0] = 1;
      const full = groups.map((x) => x.toString(16)).join(':');
      const canonical = parseIp(full)?.toString();
      expect(fast(full)).toBe(canonical);
      expect(fast(canonical ?? '')).toBe(canonical);
      for (const text of [full, canonical ?? '', full.toUpperCase()]) {
        const g = new Uint16Array(8);
        const form = readIpv6Form(text, 0, text.length, g);
        expect(form, text).toBe(text === canonical ? IPV6_CANONICAL : IPV6_READ);
        if (form === IPV6_CANONICAL) expect(ipv6TextOf(`x${text}y`, 1, text.length + 1, g)).toBe(canonical);
      }
    }
  });

  it('reads the rest of an address after its first groups as it reads it whole', () => {
    const whole = new Uint16Array(8);
    const rest = new Uint16Array(8);
    const texts = [
      '1:2:3:4:5:6:7:8',
      '1:2:3:4::',
      '1:2:3:4::8',
      '1:2:3::8',
      '1:2:3:4:5::6:7',
      'a:b:c:d:e:f:0:1',
      '1:0:0:4::8',
      '01:2:3:4::8',
      '1:B:3:4::8',
      '1:2:3:4:0:0:7:8',
      '1:2:3:4:0::7:8',
    ];
    const broken = (t: string) => [`${t}:`, `${t}::1`, `${t}:1`, `${t}0000`, `${t}.1`];
    for (const text of [...texts, ...texts.flatMap(broken)]) {
      const form = readIpv6Form(text, 0, text.length, whole);
      let colons = 0;
      for (let i = 1; i < text.length; i++) {
        if (text[i] !== ':') continue;
        if (text[i - 1] === ':') break;
        colons++;
        // The first `colons` groups as a caller knows them from an address written the same way.
        const first = text
          .slice(0, i)
          .split(':')
          .map((g) => Number.parseInt(g, 16));
        rest.fill(0xeeee).set(first);
        const plain = !/[A-F]|(^|:)0[0-9a-f]/.test(text.slice(0, i + 1));
        const after = readIpv6FormAfter(text, i + 1, text.length, rest, colons, plain);
        expect(after, `${text} after ${colons}`).toBe(form);
        if (form !== IPV6_INVALID) expect([...rest], text).toEqual([...whole]);
      }
    }
  });

  it('reads back the text ipv6Text last wrote, and any other text from its chars', () => {
    const out = new Uint16Array(8);
    const written = ipv6Text([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]);
    expect(readIpv6Text(written, out)).toBe(true);
    expect([...out]).toEqual([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]);
    expect(readIpv6Text('fe80::2', out)).toBe(true);
    expect([...out]).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 2]);
    expect(readIpv6Text('1::2::3', out)).toBe(false);
    expect(readIpv6Text(written, out)).toBe(true);
    expect([...out]).toEqual([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]);
  });

  it('matches prefixes bit by bit', () => {
    const g = new Uint16Array(8);
    const net = new Uint16Array(8);
    readIpv6Groups('fe80::1', 0, 7, g);
    readIpv6Groups('fe80::', 0, 6, net);
    expect(ipv6InPrefix(g, net, 0, 10)).toBe(true);
    readIpv6Groups('fec0::1', 0, 7, g);
    expect(ipv6InPrefix(g, net, 0, 10)).toBe(false);
    expect(ipv6InPrefix(g, net, 0, 0)).toBe(true);
  });
});
