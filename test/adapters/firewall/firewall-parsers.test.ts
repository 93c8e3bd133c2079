import { describe, expect, it } from 'vitest';
import { type BlockTarget, parseBlockTarget } from '../../../src/actions/block-policy.js';
import { Fail2banBackend, parseFail2banStatus } from '../../../src/adapters/firewall/fail2ban.js';
import { parseNftList } from '../../../src/adapters/firewall/nftables.js';
import { parseUfwStatus, ufwBlockArgs, ufwUnblockArgs } from '../../../src/adapters/firewall/ufw.js';

function target(text: string): BlockTarget {
  const t = parseBlockTarget(text);
  if (!t) throw new Error(text);
  return t;
}

describe('parseNftList', () => {
  it('reads bare strings, objects with timeout and comment, prefixes, and empty sets', () => {
    const json = JSON.stringify({
      nftables: [
        { metainfo: { version: '1.0.6' } },
        { table: { family: 'inet', name: 'plex_warden' } },
        {
          set: {
            family: 'inet',
            name: 'blocked4',
            table: 'plex_warden',
            type: 'ipv4_addr',
            flags: ['timeout'],
          },
        },
        {
          set: {
            name: 'blocked6',
            elem: ['2001:db8::7', { elem: { val: '2001:db8::8', timeout: 60, expires: 30, comment: 'x' } }],
          },
        },
        {
          set: {
            name: 'blockednet4',
            elem: [
              { elem: { val: { prefix: { addr: '203.0.113.0', len: 24 } }, timeout: 900, expires: 899 } },
            ],
          },
        },
        { set: { name: 'blockednet6', elem: [{ range: ['2001:db8::1', '2001:db8::5'] }] } },
        { set: { name: 'someone_elses', elem: ['198.51.100.1'] } },
        { chain: { name: 'input' } },
      ],
    });
    expect(parseNftList(json, 1_000_000)).toEqual([
      { target: '2001:db8::7', expiresAt: undefined, comment: undefined },
      { target: '2001:db8::8', expiresAt: 1_030_000, comment: 'x' },
      { target: '203.0.113.0/24', expiresAt: 1_899_000, comment: undefined },
    ]);
  });

  it('throws a FirewallError on output that is not JSON', () => {
    expect(() => parseNftList('Error: oops', 0)).toThrow(/not JSON/);
  });
});

describe('fail2ban', () => {
  it('reads the banned list from `status JAIL`', () => {
    const out = [
      'Status for the jail: plex-warden',
      '|- Filter',
      '|  |- Currently failed:\t0',
      '`- Actions',
      '   |- Currently banned:\t2',
      '   `- Banned IP list:\t203.0.113.7 2001:db8::1 garbage',
    ].join('\n');
    expect(parseFail2banStatus(out).map((e) => e.target)).toEqual(['203.0.113.7', '2001:db8::1']);
    expect(parseFail2banStatus('`- Banned IP list:\t')).toEqual([]);
  });

  it('builds argv with the private config dir and no shell', () => {
    const b = new Fail2banBackend({
      client: ['fail2ban-client'],
      configDir: '/tmp/f2b',
      jail: 'pw',
      timeoutMs: 1000,
    });
    expect(b.argv(['set', 'pw', 'banip', '203.0.113.7'])).toEqual([
      'fail2ban-client',
      '-c',
      '/tmp/f2b',
      'set',
      'pw',
      'banip',
      '203.0.113.7',
    ]);
  });
});

describe('ufw', () => {
  it('builds input and route deny rules as argument arrays', () => {
    expect(ufwBlockArgs(target('203.0.113.7'))).toEqual([
      ['insert', '1', 'deny', 'from', '203.0.113.7', 'to', 'any', 'comment', 'plex-warden'],
      ['route', 'insert', '1', 'deny', 'from', '203.0.113.7', 'to', 'any', 'comment', 'plex-warden'],
    ]);
    expect(ufwUnblockArgs(target('2001:db8::/48'))).toEqual([
      ['delete', 'deny', 'from', '2001:db8::/48', 'to', 'any'],
      ['route', 'delete', 'deny', 'from', '2001:db8::/48', 'to', 'any'],
    ]);
  });

  it('refuses a forged, non-canonical target', () => {
    const forged = { ...target('203.0.113.7'), text: '203.0.113.7; id' };
    expect(() => ufwBlockArgs(forged)).toThrow(/non-canonical/);
  });

  it('lists only our own deny rules', () => {
    const out = [
      'Status: active',
      '',
      'To                         Action      From',
      '--                         ------      ----',
      '22/tcp                     ALLOW       Anywhere',
      'Anywhere                   DENY        203.0.113.7                # plex-warden',
      'Anywhere                   DENY FWD    203.0.113.7                # plex-warden',
      'Anywhere                   DENY        198.51.100.9               # manual',
    ].join('\n');
    expect(parseUfwStatus(out).map((e) => e.target)).toEqual(['203.0.113.7']);
  });
});
