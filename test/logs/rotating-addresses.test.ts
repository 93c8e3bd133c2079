import { describe, expect, it } from 'vitest';
import { BlockPolicy } from '../../src/actions/block-policy.js';
import { type Env, loadConfig } from '../../src/config/index.js';
import { ipv6Range } from '../../src/logs/detectors/ipv6-range.js';
import { AddressScope } from '../../src/net/address-scope.js';
import { useTextReplay } from '../harness/text-replay.js';

const NOW = Date.UTC(2026, 10, 25, 20, 0);
const pad = (n: number) => String(n).padStart(2, '0');
/** Classic syslog (RFC 3164 timestamp), as sshd writes to auth.log. */
const accepted = (ip: string, second = 0) =>
  `Nov 25 19:10:${pad(second)} nas sshd[1234]: Accepted publickey for alice from ${ip} port 51234 ssh2\n`;
const failed = (ip: string, hour = 19, minute = 10, second = 0) =>
  `Nov 25 ${pad(hour)}:${pad(minute)}:${pad(second)} nas sshd[1234]: Failed password for root from ${ip} port 51234 ssh2\n`;
/** Addresses inside one /64 of a (non-documentation) global prefix, rotated per attempt. */
const NET = '2001:470:1f0b:1a';
const rotated = (i: number) =>
  `${NET}:${(i + 1).toString(16)}:${(i * 7).toString(16)}:beef:${(i * 13).toString(16)}`;

describe('detection that rotating IPv6 addresses cannot evade', () => {
  const { replay } = useTextReplay('sshd', NOW);
  // Replay assumes nothing is known yet: every first sighting is reported (as after learning).
  const firstSeen = async (text: string, env: Env = {}) =>
    (await replay(text, env)).findings.filter((f) => f.key.startsWith('first-seen-remote:'));
  const policy = new BlockPolicy(
    new AddressScope({
      lanCidrs: ['192.168.0.0/16', 'fc00::/7', 'fe80::/10'],
      allowlist: [],
      allowEntries: () => [],
      publicIp: '203.0.113.1',
      now: () => 0,
    }),
  );

  it('raises one finding for the /64 behind 1,000 failures from 1,000 addresses, with a block the policy accepts', async () => {
    let text = '';
    for (let i = 0; i < 1000; i++) text += failed(rotated(i), 19, 10 + Math.floor(i / 200), i % 60);
    const result = await replay(text);
    expect(result.matched).toBe(1000);
    expect(result.findings.map((f) => f.key)).toEqual([`brute-force:sshd:${NET}::/64`]);
    const finding = result.findings[0];
    expect(finding?.evidence).toContain('1000 failed SSH logins');
    // The network, how many addresses took part (told apart up to 32) and one of them.
    expect(finding?.evidence).toContain(
      `from the network ${NET}::/64 (32 or more different addresses, e.g. ${rotated(0)})`,
    );
    expect(finding?.evidence).toContain('Last account tried: "root".');
    expect(finding?.title).toBe(`Brute force from ${NET}::/64 (${rotated(0)}) on sshd`);
    expect(finding?.action).toMatchObject({ kind: 'block-ip', ip: `${NET}::/64` });
    const verdict = policy.check(finding?.action?.kind === 'block-ip' ? finding.action.ip : '');
    expect(verdict.ok).toBe(true);
    expect(verdict.target?.prefix).toBe(64);
    // Wider than the policy's narrowest accepted range stays refused.
    expect(policy.check('2001:470::/32')).toMatchObject({ ok: false, code: 'too-broad' });
  });

  it('keeps the /64 window while one-off addresses overflow LOG_MAX_TRACKED_ADDRESSES (least recently used go)', async () => {
    let text = '';
    for (let i = 0; i < 1000; i++) text += failed(rotated(i), 19, 10 + Math.floor(i / 200), i % 60);
    const result = await replay(text, { LOG_MAX_TRACKED_ADDRESSES: '100' });
    expect(result.findings.map((f) => f.key)).toEqual([`brute-force:sshd:${NET}::/64`]);
    expect(result.findings[0]?.evidence).toContain('1000 failed SSH logins');
  });

  // Was "charges one address alone to that address": an attacker holding a /64 can move to its
  // next address at will, so blocking the one address it used would not stop it (RFC 6177).
  it('judges one address alone by its /64, the evidence naming the address; per address with 128', async () => {
    let text = '';
    for (let i = 0; i < 8; i++) text += failed(`${NET}::7`, 19, 10, i);
    const result = await replay(text);
    expect(result.findings.map((f) => f.key)).toEqual([`brute-force:sshd:${NET}::/64`]);
    expect(result.findings[0]?.title).toBe(`Brute force from ${NET}::/64 (${NET}::7) on sshd`);
    expect(result.findings[0]?.evidence).toContain(
      `from the network ${NET}::/64 (one address, e.g. ${NET}::7)`,
    );
    expect(result.findings[0]?.action).toMatchObject({ kind: 'block-ip', ip: `${NET}::/64` });
    const each = await replay(text, { LOG_IPV6_PREFIX: '128' });
    expect(each.findings.map((f) => [f.key, f.title])).toEqual([
      [`brute-force:sshd:${NET}::7`, `Brute force from ${NET}::7 on sshd`],
    ]);
    expect(each.findings[0]?.action).toMatchObject({ kind: 'block-ip', ip: `${NET}::7` });
  });

  it('groups by LOG_IPV6_PREFIX, and counts per address only with 128', async () => {
    let text = '';
    // 40 addresses in 40 different /64s of one /48, two failures each.
    for (let i = 0; i < 40; i++) {
      const ip = `2001:470:1f0b:${(0x100 + i).toString(16)}::${i + 1}`;
      text += failed(ip, 19, 10, i) + failed(ip, 19, 11, i);
    }
    expect((await replay(text)).findings).toEqual([]);
    expect((await replay(text, { LOG_IPV6_PREFIX: '48' })).findings.map((f) => f.key)).toEqual([
      'brute-force:sshd:2001:470:1f0b::/48',
    ]);
    let one64 = '';
    for (let i = 0; i < 10; i++) one64 += failed(rotated(i), 19, 10, i);
    expect((await replay(one64, { LOG_IPV6_PREFIX: '128' })).findings).toEqual([]);
    expect(() => loadConfig({ LOG_IPV6_PREFIX: '32' }, { requireDiscord: false })).toThrow(/LOG_IPV6_PREFIX/);
  });

  it('counts a /64 once, whatever its addresses, and each address with 128', async () => {
    let text = '';
    for (let i = 0; i < 10; i++) text += failed(rotated(i), 19, 10, i);
    text += failed('203.0.113.9') + failed('203.0.113.9', 19, 11);
    const counted = (r: Awaited<ReturnType<typeof replay>>) =>
      r.addresses.map((a) => [a.ip, a.failures] as const);
    expect(counted(await replay(text))).toEqual([
      [`${NET}::/64`, 10],
      ['203.0.113.9', 2],
    ]);
    const each = counted(await replay(text, { LOG_IPV6_PREFIX: '128' }));
    expect(each).toHaveLength(11);
    expect(each).toContainEqual([rotated(3), 1]);
  });

  it('raises one finding for two addresses of one /64, naming the network and the first address', async () => {
    const found = await firstSeen(accepted(`${NET}:a1b2:c3d4:e5f6:1`, 1) + accepted(`${NET}:77:88:99:aa`, 2));
    expect(found.map((f) => f.key)).toEqual([`first-seen-remote:sshd:${NET}::/64`]);
    expect(found[0]?.title).toBe(
      `New outside address got in on sshd: ${NET}::/64 (first ${NET}:a1b2:c3d4:e5f6:1)`,
    );
    expect(found[0]?.evidence).toContain('no address in it seen before on sshd');
    expect(found[0]?.evidence).toContain('2026-11-25 19:10 UTC');
    // Somebody got in: nothing to block (suggested-actions.ts), whatever the key.
    expect(found[0]?.action).toBeUndefined();
  });

  it('raises one per /64, and per address for IPv4 as before', async () => {
    const text =
      accepted(`${NET}::1`, 1) +
      accepted('2001:470:1f0b:1b::1', 2) +
      accepted(`${NET}::2`, 3) +
      accepted('198.51.100.7', 4) +
      accepted('198.51.100.8', 5);
    expect((await firstSeen(text)).map((f) => f.key).sort()).toEqual([
      'first-seen-remote:sshd:198.51.100.7',
      'first-seen-remote:sshd:198.51.100.8',
      'first-seen-remote:sshd:2001:470:1f0b:1a::/64',
      'first-seen-remote:sshd:2001:470:1f0b:1b::/64',
    ]);
    const v4 = (await firstSeen(accepted('198.51.100.7')))[0];
    expect(v4?.title).toBe('New outside address got in on sshd: 198.51.100.7');
    expect(v4?.evidence).toContain('never seen before on sshd');
  });

  it('groups by a wider prefix when asked, and per address with LOG_IPV6_PREFIX=128', async () => {
    const text = accepted(`${NET}::1`, 1) + accepted('2001:470:1f0b:1b::1', 2) + accepted(`${NET}::2`, 3);
    expect((await firstSeen(text, { LOG_IPV6_PREFIX: '56' })).map((f) => f.key)).toEqual([
      'first-seen-remote:sshd:2001:470:1f0b::/56',
    ]);
    const perAddress = await firstSeen(text, { LOG_IPV6_PREFIX: '128' });
    expect(perAddress.map((f) => f.key)).toEqual([
      `first-seen-remote:sshd:${NET}::1`,
      `first-seen-remote:sshd:${NET}::2`,
      'first-seen-remote:sshd:2001:470:1f0b:1b::1',
    ]);
    expect(perAddress[0]?.title).toBe(`New outside address got in on sshd: ${NET}::1`);
  });

  it('flags a slow brute force (20 failures in 24 h by default on SSH) that the fast window misses', async () => {
    let slow = '';
    for (let hour = 0; hour < 20; hour++) slow += failed('45.83.64.9', hour, 5);
    const result = await replay(slow);
    expect(result.findings.map((f) => [f.key, f.title])).toEqual([
      ['brute-force:sshd:45.83.64.9', 'Slow brute force from 45.83.64.9 on sshd'],
    ]);
    expect(result.findings[0]?.evidence).toContain('threshold: 20 within 1d');
    // One short of the slow threshold, and a stricter fast window does not change that.
    let under = '';
    for (let hour = 0; hour < 19; hour++) under += failed('45.83.64.9', hour, 5);
    expect((await replay(under)).findings).toEqual([]);
    // Its own keys: 3 within 2 h.
    expect(
      (await replay(under, { LOG_SLOW_MAX_RETRY_SSHD: '3', LOG_SLOW_FIND_TIME: '2h' })).findings.map(
        (f) => f.key,
      ),
    ).toEqual(['brute-force:sshd:45.83.64.9']);
  });
});

describe('ipv6Range', () => {
  it.each([
    ['2001:470:1f0b:1a:1:0:beef:0', 64, '2001:470:1f0b:1a::/64'],
    ['2001:db8::1', 64, '2001:db8::/64'],
    ['2001:db8:0:0:1::1', 64, '2001:db8::/64'],
    ['2001:470:1f0b:1a::7', 48, '2001:470:1f0b::/48'],
    ['2001:470:1f0b:1aff::7', 56, '2001:470:1f0b:1a00::/56'],
    ['::1', 64, '::/64'],
    ['fe80:1:2:3:4:5:6:7', 64, 'fe80:1:2:3::/64'],
  ])('%s /%i is %s', (ip, prefix, range) => {
    expect(ipv6Range(ip, prefix)).toBe(range);
  });
  it('has no range for IPv4, /128 or a malformed address', () => {
    expect(ipv6Range('203.0.113.7', 64)).toBeUndefined();
    expect(ipv6Range('2001:db8::1', 128)).toBeUndefined();
    expect(ipv6Range('1:2:3:4:5:6:7:8:9', 64)).toBeUndefined();
    expect(ipv6Range('1:2:3', 64)).toBeUndefined();
  });
  it('answers a repeated, alternated or re-prefixed address afresh, never the last answer', () => {
    const a = '2001:db8:1:2::7';
    const b = '2001:db8:9:2::7';
    expect(ipv6Range(a, 64)).toBe('2001:db8:1:2::/64');
    expect(ipv6Range(a, 64)).toBe('2001:db8:1:2::/64');
    expect(ipv6Range(a, 48)).toBe('2001:db8:1::/48');
    expect(ipv6Range(b, 48)).toBe('2001:db8:9::/48');
    expect(ipv6Range(b, 64)).toBe('2001:db8:9:2::/64');
    expect(ipv6Range(a, 64)).toBe('2001:db8:1:2::/64');
    expect(ipv6Range('2001:db8:1:2::8', 64)).toBe('2001:db8:1:2::/64');
    expect(ipv6Range(a, 128)).toBeUndefined();
    expect(ipv6Range('1:2:3', 64)).toBeUndefined();
    expect(ipv6Range('1:2:3', 64)).toBeUndefined();
  });
});
