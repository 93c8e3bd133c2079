import { describe, expect, it } from 'vitest';
import { BlockPolicy, parseBlockTarget } from '../../src/actions/block-policy.js';
import type { AllowlistEntry } from '../../src/domain/ban.js';
import type { LearnedPublicAddress } from '../../src/domain/public-address.js';
import { AddressScope } from '../../src/net/address-scope.js';

function policy(dbAllow: string[] = [], publicIp: string | undefined = '203.0.113.1') {
  return new BlockPolicy(
    new AddressScope({
      lanCidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7', 'fe80::/10'],
      allowlist: ['198.51.100.10', '2001:db8:aaaa::/48'],
      allowEntries: () => dbAllow.map(entry),
      publicIp,
      now: () => 0,
    }),
  );
}

function entry(cidr: string): AllowlistEntry {
  return { cidr, note: '', addedBy: 'test', addedAt: 0 };
}

describe('parseBlockTarget', () => {
  it('returns canonical text for addresses and networks', () => {
    expect(parseBlockTarget(' 203.0.113.7 ')?.text).toBe('203.0.113.7');
    expect(parseBlockTarget('203.0.113.7/32')?.text).toBe('203.0.113.7');
    expect(parseBlockTarget('203.0.113.77/24')?.text).toBe('203.0.113.0/24');
    expect(parseBlockTarget('2001:DB8:0:0::1')?.text).toBe('2001:db8::1');
    expect(parseBlockTarget('::ffff:203.0.113.7')?.text).toBe('203.0.113.7');
    expect(parseBlockTarget('2001:db8:1:2::/48')).toMatchObject({
      text: '2001:db8:1::/48',
      isHost: false,
      prefix: 48,
    });
  });

  it.each([
    '',
    'abc',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '0x7f.1',
    '1.2.3.4/33',
    '1.2.3.4;touch /tmp/x',
    '$(id)',
    '`id`',
    '1.2.3.4 && id',
    '1.2.3.4\nid',
    '[::1]',
    "1.2.3.4'",
    '-1.2.3.4',
    '--help',
    'a'.repeat(200),
  ])('rejects %j', (input) => {
    expect(parseBlockTarget(input)).toBeUndefined();
  });
});

describe('BlockPolicy', () => {
  it('accepts a public address and a /24', () => {
    const p = policy();
    expect(p.check('203.0.113.7')).toMatchObject({ ok: true, target: { text: '203.0.113.7' } });
    expect(p.check('2001:db8:1::/48')).toMatchObject({ ok: true });
    expect(p.check('198.51.100.0/25')).toMatchObject({ ok: false, code: 'allowlisted' });
  });

  it.each([
    ['garbage', 'invalid', false],
    ['1.2.3.4;touch /tmp/x', 'invalid', false],
    ['0.0.0.0/0', 'everything', false],
    ['::/0', 'everything', false],
    ['127.0.0.1', 'loopback', false],
    ['::1', 'loopback', false],
    ['0.0.0.0', 'unspecified', false],
    ['::', 'unspecified', false],
    ['169.254.10.1', 'link-local', true],
    ['fe80::1', 'link-local', true],
    ['192.168.1.20', 'private', true],
    ['10.1.2.3', 'private', true],
    ['fd00::5', 'private', true],
    ['100.72.1.1', 'cgnat', true],
    ['224.0.0.251', 'multicast', true],
    ['240.1.1.1', 'reserved', true],
    ['203.0.113.1', 'own-ip', true],
    ['203.0.113.0/24', 'own-ip', true],
    ['198.51.100.10', 'allowlisted', true],
    ['2001:db8:aaaa::9', 'allowlisted', true],
    ['45.33.0.0/16', 'too-broad', true],
    ['2001:db9::/32', 'too-broad', true],
  ] as const)('refuses %s (%s, forceable %s)', (input, code, forceable) => {
    const verdict = policy().check(input);
    expect(verdict).toMatchObject({ ok: false, code, forceable });
    if (!verdict.ok) expect(verdict.reason.length).toBeGreaterThan(10);
  });

  it('lets force override everything but loopback, unspecified and 0.0.0.0/0', () => {
    const p = policy();
    expect(p.check('192.168.1.20', { force: true })).toMatchObject({
      ok: true,
      forcedOver: ['private', 'lan'],
    });
    expect(p.check('198.51.0.0/16', { force: true })).toMatchObject({ ok: true });
    expect(p.check('203.0.113.1', { force: true })).toMatchObject({ ok: true, forcedOver: ['own-ip'] });
    expect(p.check('127.0.0.1', { force: true })).toMatchObject({ ok: false, code: 'loopback' });
    expect(p.check('0.0.0.0/0', { force: true })).toMatchObject({ ok: false, code: 'everything' });
    expect(p.check('::', { force: true })).toMatchObject({ ok: false, code: 'unspecified' });
    // A forced broad range that would swallow loopback is still refused.
    expect(p.check('96.0.0.0/3', { force: true })).toMatchObject({ ok: false, code: 'loopback' });
  });

  it('refuses zero-padded IPv4 with the reason, even with force (never reads 010 as octal 8)', () => {
    const verdict = policy().check('010.0.0.1', { force: true });
    expect(verdict).toMatchObject({ ok: false, code: 'invalid', forceable: false });
    expect(verdict.ok ? '' : verdict.reason).toMatch(/leading zeros.*10\.0\.0\.1/);
    expect(parseBlockTarget('203.0.113.07')).toBeUndefined();
  });

  it('reads the database allow-list and the learned public IP on every check', () => {
    const allow: string[] = [];
    const learned: LearnedPublicAddress[] = [];
    const p = new BlockPolicy(
      new AddressScope({
        lanCidrs: [],
        allowlist: [],
        allowEntries: () => allow.map(entry),
        learned: { all: () => learned, record: () => false },
        now: () => 0,
      }),
    );
    expect(p.check('203.0.113.50').ok).toBe(true);
    allow.push('203.0.113.48/29');
    expect(p.check('203.0.113.50')).toMatchObject({ ok: false, code: 'allowlisted' });
    learned.push({ source: 'plex', ip: '198.51.100.7', learnedAt: 0 });
    expect(p.check('198.51.100.7')).toMatchObject({ ok: false, code: 'own-ip' });
  });

  it('never echoes backticks or mentions from the input', () => {
    const verdict = policy().check('`@everyone`');
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).not.toMatch(/@everyone|``/);
  });
});
