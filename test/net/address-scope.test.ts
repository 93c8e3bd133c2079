import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AllowlistRepository } from '../../src/adapters/sqlite/allowlist-repository.js';
import type { Database } from '../../src/adapters/sqlite/database.js';
import { PublicAddressRepository } from '../../src/adapters/sqlite/public-address-repository.js';
import {
  ADDR_ALLOWED,
  ADDR_INVALID,
  ADDR_LOCAL,
  ADDR_OUTSIDE,
  AddressBook,
  KIND_CODE,
} from '../../src/logs/address-book.js';
import { AddressScope } from '../../src/net/address-scope.js';
import { parseCidr, parseIp } from '../../src/net/ip.js';
import { openTestDatabase } from '../harness/actions-fixture.js';
import { ManualClock } from '../harness/manual-clock.js';

describe('AddressScope', () => {
  let db: Database;
  let clock: ManualClock;
  let allowlist: AllowlistRepository;
  let learned: PublicAddressRepository;
  let scope: AddressScope;

  beforeEach(() => {
    db = openTestDatabase();
    clock = new ManualClock(Date.UTC(2026, 11, 1, 20, 0));
    allowlist = new AllowlistRepository(db);
    learned = new PublicAddressRepository(db);
    scope = new AddressScope({
      lanCidrs: ['192.168.1.0/24', 'fd00::/8'],
      allowlist: ['198.51.100.10', '192.168.1.99'],
      publicIp: undefined,
      allowEntries: (now) => allowlist.active(now),
      learned,
      now: () => clock.now(),
    });
  });
  afterEach(() => db.close());

  const allow = (cidr: string, expiresAt?: number) => {
    allowlist.upsert({ cidr, note: 'test', addedBy: '1', addedAt: clock.now(), expiresAt });
    scope.refresh();
  };

  it.each([
    ['127.0.0.1', 'self', 'loopback'],
    ['::1', 'self', 'loopback'],
    ['0.0.0.0', 'self', 'unspecified'],
    ['192.168.1.20', 'lan', 'lan'],
    ['fd00::20', 'lan', 'lan'],
    // The LAN wins over an allow-list entry inside it: the stronger protection is named.
    ['192.168.1.99', 'lan', 'lan'],
    ['198.51.100.10', 'allowed', 'allowlisted'],
    ['10.1.2.3', 'special', 'private'],
    ['100.72.1.1', 'special', 'cgnat'],
    ['224.0.0.251', 'special', 'multicast'],
    ['169.254.1.1', 'special', 'link-local'],
    ['240.1.1.1', 'special', 'reserved'],
    ['203.0.113.7', 'outside', 'outside'],
    ['::ffff:203.0.113.7', 'outside', 'outside'],
    ['2001:db8::7', 'outside', 'outside'],
    ['not an address', 'special', 'invalid'],
  ])('%s is %s (%s)', (ip, kind, code) => {
    const result = scope.classify(ip);
    expect(result).toMatchObject({ kind, code });
    expect(result.reason.length).toBeGreaterThan(5);
  });

  it('names the configuration key that decided', () => {
    expect(scope.classify('192.168.1.20').reason).toContain('LAN_CIDRS');
    expect(scope.classify('198.51.100.10').reason).toContain('ALLOWLIST');
    const configured = AddressScope.fromConfig({ lanCidrs: [], allowlist: [], publicIp: '203.0.113.1' });
    expect(configured.classify('203.0.113.1')).toMatchObject({ kind: 'self', code: 'own-ip' });
    expect(configured.classify('203.0.113.1').reason).toContain('PUBLIC_IP');
  });

  it('applies an /allow entry until it expires, then not', () => {
    allow('203.0.113.0/28', clock.now() + 60_000);
    allow('203.0.113.64/28');
    expect(scope.classify('203.0.113.5')).toMatchObject({ kind: 'allowed' });
    expect(scope.classify('203.0.113.5').reason).toContain('until 2026-12-01T20:01:00.000Z');
    const before = scope.version;
    clock.advance(60_000);
    // No refresh asked for: the expiry alone makes the snapshot stale.
    expect(scope.classify('203.0.113.5')).toMatchObject({ kind: 'outside' });
    expect(scope.version).toBeGreaterThan(before);
    expect(scope.classify('203.0.113.70')).toMatchObject({ kind: 'allowed' });
    // The expired entry is still listed for /allowlist, just no longer applied.
    expect(allowlist.all().map((e) => e.cidr)).toContain('203.0.113.0/28');
  });

  it('treats a public IP learned from Plex or NAT-PMP as self, and records source and time', () => {
    scope.learn('plex', '198.51.100.40');
    expect(scope.classify('198.51.100.40')).toMatchObject({ kind: 'self', code: 'own-ip' });
    expect(scope.classify('198.51.100.40').reason).toContain('learned from Plex at 2026-12-01T20:00:00.000Z');
    scope.learn('nat-pmp', '198.51.100.41');
    expect(scope.classify('198.51.100.41')).toMatchObject({ kind: 'self' });
    expect(learned.all()).toEqual([
      { source: 'nat-pmp', ip: '198.51.100.41', learnedAt: clock.now() },
      { source: 'plex', ip: '198.51.100.40', learnedAt: clock.now() },
    ]);
  });

  it('does not treat a router-only public IP as self until Plex or NAT-PMP agrees', () => {
    scope.learn('router', '198.0.0.11');
    expect(scope.classify('198.0.0.11')).toMatchObject({ kind: 'outside' });
    expect(scope.overlapping(cidr('198.0.0.11'))).toEqual([]);
    scope.learn('nat-pmp', '198.0.0.11');
    expect(scope.classify('198.0.0.11')).toMatchObject({ kind: 'self', code: 'own-ip' });
    expect(scope.classify('198.0.0.11').reason).toContain('NAT-PMP and the router (UPnP)');
  });

  it('stops protecting an address a source no longer reports', () => {
    scope.learn('plex', '198.51.100.40');
    clock.advance(1_000);
    scope.learn('plex', '198.51.100.77');
    expect(scope.classify('198.51.100.40').kind).toBe('outside');
    expect(scope.classify('198.51.100.77').kind).toBe('self');
  });

  it('moves its version only when an answer may have changed', () => {
    const v0 = scope.version;
    scope.refresh();
    scope.learn('plex', '198.51.100.40');
    const v1 = scope.version;
    expect(v1).toBeGreaterThan(v0);
    scope.learn('plex', '198.51.100.40');
    scope.refresh();
    expect(scope.version).toBe(v1);
    scope.learn('router', '198.0.0.11'); // untrusted alone: no answer changes
    expect(scope.version).toBe(v1);
  });

  it('lists every entry a network touches, in the order the block policy reports them', () => {
    scope.learn('plex', '198.51.100.40');
    allow('198.51.100.32/28');
    const hits = scope.overlapping(cidr('198.51.100.0/24'));
    expect(hits.map((h) => [h.kind, h.code, h.entry.text])).toEqual([
      ['self', 'own-ip', '198.51.100.40/32'],
      ['allowed', 'allowlisted', '198.51.100.10/32'],
    ]);
    expect(scope.overlapping(cidr('192.168.0.0/16')).map((h) => h.code)).toEqual([
      'private',
      'lan',
      'allowlisted',
    ]);
  });

  it("invalidates the log review's per-address cache when the scope changes", () => {
    const book = new AddressBook({ scope, cacheSize: 100 });
    expect(book.lookup('198.51.100.40').kind).toBe(ADDR_OUTSIDE);
    expect(book.lookup('198.51.100.40').kind).toBe(ADDR_OUTSIDE); // cached
    scope.learn('plex', '198.51.100.40');
    expect(book.lookup('198.51.100.40').kind).toBe(ADDR_LOCAL);
  });

  it('classifies IPv6 read into groups by the log review as it does the text', () => {
    allow('2a01:4f8:1::/48');
    scope.learn('plex', '2a01:4f8:2::9');
    const book = new AddressBook({ scope, cacheSize: 100 });
    const cases = ['2a01:4f8:1:0:0:0:0:7', '2A01:4F8:2::9', '2a01:4f8:3::1', '::1', 'fe80::1', '2001:db8::1'];
    for (const ip of cases) {
      expect(book.lookup(ip).kind, ip).toBe(KIND_CODE[scope.classify(ip).kind]);
    }
    expect(book.lookup('2a01:4f8:1::7').kind).toBe(ADDR_ALLOWED);
    expect(book.lookup('2a01:4f8:2::9').kind).toBe(ADDR_LOCAL);
    expect(book.lookup('2a01:4f8:3::1').kind).toBe(ADDR_OUTSIDE);
  });

  it('reads an address that starts like the last one as it reads it whole', () => {
    const allowed = AddressScope.fromConfig({ lanCidrs: [], allowlist: ['2a01:4f8:c17:2a3f::7'] });
    const book = new AddressBook({ scope: allowed, cacheSize: 1000 });
    const texts = [
      '2a01:4f8:c17:2a3f:1:2:3:4',
      '2a01:4f8:c17:2a3f::5',
      '2a01:4f8:c17:2a3f::',
      '2a01:4f8:c17:2a3f::7',
      '2a01:4f8:c17:2a3f:0:0:0:7',
      '2a01:4f8:c17:2a3f:',
      '2a01:4f8:c17:2a3f:::1',
      '2a01:4f8:c17:2a3f:1:2:3:4:5',
      '2a01:4f8:c17:2a3f:1::2::3',
      '2a01:4f8:c17:2a3f:1:2:3::',
      '2a01:4f8:c17:2a3f:00001::',
      '2a01:4f8:c17:2a3f:0:ffff:1.2.3.4',
      '2a01:4f8:c17:2a3fa::1',
      '2A01:4F8:C17:2A3F:1::',
      '2A01:4f8:c17:2a3f:1::',
      '2A01:4f8:c17:2a3f:2::',
      '2a01:04f8:c17:2a3f:1::',
      '2a01:04f8:c17:2a3f:2::',
      '2a01:4f8:c17:2a3e:1::',
      '2a01:4f8:c17::1',
      '2a01:4f8:c17::2:3',
      '2a01:4f8:c17::2::3',
      '2a01:4f8:c17:0:1::',
      '2a01:4f8:c17:0:1:2::',
      '0:0:0:0:0:ffff:102:304',
      '0:0:0:0:1:ffff:102:304',
    ];
    for (const raw of texts) {
      const canonical = parseIp(raw)?.toString();
      const expected =
        canonical === undefined ? [ADDR_INVALID, ''] : [KIND_CODE[allowed.classify(raw).kind], canonical];
      // In a line, as the review reads it: new, then cached.
      for (let i = 0; i < 2; i++) {
        const info = book.lookupRange(`x ${raw} y`, 2, 2 + raw.length);
        expect([info.kind, info.key], raw).toEqual(expected);
      }
    }
  });

  it('answers a whole /64 alike only while no entry longer than /64 lies inside it', () => {
    const kinds = (ips: readonly string[]) => ips.map((ip) => scope.classify(ip).kind);
    const net = ['2a01:4f8:9:1::6', '2a01:4f8:9:1::7', '2a01:4f8:9:1::8', '2a01:4f8:9:1::7'];
    expect(kinds(net)).toEqual(['outside', 'outside', 'outside', 'outside']);
    // A /128 inside the /64 just answered for, then a learned one: each wins for its address only.
    allow('2a01:4f8:9:1::7');
    expect(kinds(net)).toEqual(['outside', 'allowed', 'outside', 'allowed']);
    scope.learn('plex', '2a01:4f8:9:1::8');
    expect(kinds(net)).toEqual(['outside', 'allowed', 'self', 'allowed']);
    // A shorter entry covers the /64 and its neighbours; the longer ones inside still decide first.
    allow('2a01:4f8:9::/48', clock.now() + 60_000);
    expect(kinds([...net, '2a01:4f8:9:2::6'])).toEqual(['allowed', 'allowed', 'self', 'allowed', 'allowed']);
    clock.advance(60_000);
    expect(kinds(['2a01:4f8:9:2::6', '2a01:4f8:9:2::7', '2a01:4f8:9:1::6'])).toEqual([
      'outside',
      'outside',
      'outside',
    ]);
    // Special ranges longer than /64 count too: ::/64 holds ::1/128 (loopback) and ::/128.
    expect(kinds(['::5', '::1', '::5', '::'])).toEqual(['outside', 'self', 'outside', 'self']);
  });

  it('asks an extra allow-list about every address, never for its /64', () => {
    const extra = AddressScope.fromConfig(
      { lanCidrs: [], allowlist: [] },
      { extraAllowed: (ip) => ip === '2a01:4f8:9:1::7' },
    );
    const ips = ['2a01:4f8:9:1::6', '2a01:4f8:9:1::7', '2a01:4f8:9:1::8'];
    expect(ips.map((ip) => extra.classify(ip).kind)).toEqual(['outside', 'allowed', 'outside']);
  });

  it('answers the log review for a /128 allow entry inside a flooding /64', () => {
    allow('2a01:4f8:9:1:0:2:3:1');
    const book = new AddressBook({ scope, cacheSize: 100 });
    const ips = [
      '2a01:4f8:9:1:0:1:9:1',
      '2a01:4f8:9:1:0:2:3:1',
      '2a01:4f8:9:1:0:2:4:1',
      '2a01:4f8:9:1:0:2:3:1',
    ];
    expect(ips.map((ip) => book.lookup(ip).kind)).toEqual([
      ADDR_OUTSIDE,
      ADDR_ALLOWED,
      ADDR_OUTSIDE,
      ADDR_ALLOWED,
    ]);
  });
});

function cidr(text: string) {
  const parsed = parseCidr(text);
  if (!parsed) throw new Error(`bad CIDR ${text}`);
  return parsed;
}
