import { afterAll, beforeAll, expect, it } from 'vitest';
import { type BlockTarget, parseBlockTarget } from '../../src/actions/block-policy.js';
import { firewallHealth } from '../../src/adapters/firewall/firewall-health.js';
import { NftablesBackend } from '../../src/adapters/firewall/nftables.js';
import { systemClock } from '../../src/kernel/clock.js';
import { actionsConfig } from '../harness/actions-fixture.js';
import { buildFirewallLab, type FirewallLab } from '../harness/firewall-lab.js';
import { NetnsLab } from '../harness/netns-lab.js';
import { describeSystem } from '../harness/system-gate.js';

function target(text: string): BlockTarget {
  const t = parseBlockTarget(text);
  if (!t) throw new Error(`bad target ${text}`);
  return t;
}

describeSystem('nftables backend in network namespaces', ['nft', 'ip', 'curl'], () => {
  const lab = new NetnsLab('nft');
  let router = '';
  let atk = '';
  let good = '';
  let backend: NftablesBackend;
  let status: FirewallLab['status'];
  let net: FirewallLab;

  beforeAll(async () => {
    net = await buildFirewallLab(lab);
    ({ router, atk, good, status } = net);
    backend = new NftablesBackend({
      table: 'plex_warden',
      nft: ['ip', 'netns', 'exec', router, 'nft'],
      timeoutMs: 5_000,
      clock: systemClock,
    });
    await backend.prepare();
  });

  afterAll(() => lab.cleanup());

  it('prepares idempotently: one rule per set in input and forward', async () => {
    await backend.prepare();
    const ruleset = lab.exec(router, 'nft', ['list', 'table', 'inet', 'plex_warden']);
    expect(ruleset.match(/ip saddr @blocked4 counter/g)).toHaveLength(2);
    expect(ruleset.match(/ip6 saddr @blockednet6 counter/g)).toHaveLength(2);
    expect(ruleset).toMatch(/hook input priority filter - 10/);
    expect(ruleset).toMatch(/hook forward priority filter - 10/);
  });

  it('both sources get through before any ban', () => {
    expect(status(atk, 'http://203.0.113.1:8080/')).toBe('200');
    expect(status(atk, 'http://192.0.2.10:8080/')).toBe('200');
  });

  it('drops a blocked source on the input AND the forward path; another source still gets 200', async () => {
    await backend.block(target('203.0.113.7'), 60_000, 'plex-warden: test "quotes" $(id) ;');
    expect(status(atk, 'http://203.0.113.1:8080/')).toBe('blocked');
    expect(status(atk, 'http://192.0.2.10:8080/')).toBe('blocked');
    expect(status(good, 'http://203.0.113.1:8080/')).toBe('200');
    expect(status(good, 'http://192.0.2.10:8080/')).toBe('200');
    const listed = await backend.list();
    const entry = listed.find((e) => e.target === '203.0.113.7');
    expect(entry?.comment).toBe('plex-warden: test "quotes" $(id) ;');
    expect(entry?.expiresAt).toBeGreaterThan(Date.now() + 50_000);
    await backend.unblock(target('203.0.113.7'));
    expect(status(atk, 'http://192.0.2.10:8080/')).toBe('200');
  });

  it('drops a blocked IPv6 source and an IPv6 range on both paths; another IPv6 source still gets 200', async () => {
    expect(status(atk, net.forwardUrl6)).toBe('200');
    await backend.block(target('2001:db8:a::7'), 60_000, 'v6 host');
    expect(status(atk, net.inputUrl6)).toBe('blocked');
    expect(status(atk, net.forwardUrl6)).toBe('blocked');
    expect(status(good, net.inputUrl6)).toBe('200');
    expect(status(good, net.forwardUrl6)).toBe('200');
    await backend.unblock(target('2001:db8:a::7'));
    await backend.block(target('2001:db8:a::/48'), 60_000, 'v6 range');
    expect(status(atk, net.forwardUrl6)).toBe('blocked');
    expect(status(good, net.forwardUrl6)).toBe('200');
    await backend.unblock(target('2001:db8:a::/48'));
    expect(status(atk, net.forwardUrl6)).toBe('200');
  });

  it('blocks a whole range through the interval set', async () => {
    await backend.block(target('203.0.113.0/24'), 60_000, 'range');
    expect(status(atk, 'http://192.0.2.10:8080/')).toBe('blocked');
    expect(status(good, 'http://192.0.2.10:8080/')).toBe('200');
    expect((await backend.list()).map((e) => e.target)).toContain('203.0.113.0/24');
    await backend.unblock(target('203.0.113.0/24'));
    expect(status(atk, 'http://192.0.2.10:8080/')).toBe('200');
  });

  it('refreshes the timeout on a second block and treats unblocking a missing element as done', async () => {
    await backend.block(target('2001:db8::7'), 10_000, 'v6');
    await backend.block(target('2001:db8::7'), 3_600_000, 'v6 again');
    await backend.block(target('2001:db8:5::/48'), 3_600_000, 'v6 range');
    const listed = await backend.list();
    expect(listed.find((e) => e.target === '2001:db8::7')).toMatchObject({ comment: 'v6 again' });
    expect(listed.find((e) => e.target === '2001:db8::7')?.expiresAt).toBeGreaterThan(Date.now() + 3_000_000);
    expect(listed.map((e) => e.target)).toContain('2001:db8:5::/48');
    await backend.unblock(target('2001:db8::7'));
    await backend.unblock(target('2001:db8::7'));
    await backend.unblock(target('2001:db8:5::/48'));
    expect(await backend.list()).toEqual([]);
  });

  it('an element expires on time and traffic flows again', async () => {
    await backend.block(target('203.0.113.7'), 2_000, 'short');
    const started = Date.now();
    expect(status(atk, 'http://192.0.2.10:8080/')).toBe('blocked');
    await new Promise((r) => setTimeout(r, Math.max(0, 2_300 - (Date.now() - started))));
    expect((await backend.list()).map((e) => e.target)).not.toContain('203.0.113.7');
    expect(status(atk, 'http://192.0.2.10:8080/')).toBe('200');
    expect(status(atk, 'http://203.0.113.1:8080/')).toBe('200');
  });

  it('unblocking a range that already expired is done, whatever nft says (issue: "element does not exist")', async () => {
    await backend.block(target('203.0.113.0/24'), 1_000, 'short range');
    await backend.block(target('2001:db8:7::/48'), 1_000, 'short v6 range');
    await new Promise((r) => setTimeout(r, 1_600));
    // nft 1.0.6 itself refuses this delete with "element does not exist" (exit 1).
    expect(() =>
      lab.exec(router, 'nft', [
        'delete',
        'element',
        'inet',
        'plex_warden',
        'blockednet4',
        '{ 203.0.113.0/24 }',
      ]),
    ).toThrow();
    await expect(backend.unblock(target('203.0.113.0/24'))).resolves.toBeUndefined();
    await expect(backend.unblock(target('2001:db8:7::/48'))).resolves.toBeUndefined();
    // A range that is still there is really deleted, and a failure that is not "gone" still throws.
    await backend.block(target('198.51.100.0/24'), 60_000, 'live range');
    await backend.unblock(target('198.51.100.0/24'));
    expect((await backend.list()).map((e) => e.target)).not.toContain('198.51.100.0/24');
    const noNft = new NftablesBackend({
      table: 'plex_warden',
      nft: ['ip', 'netns', 'exec', router, '/nonexistent/nft'],
      timeoutMs: 5_000,
      clock: systemClock,
    });
    await expect(noNft.unblock(target('198.51.100.0/24'))).rejects.toMatchObject({ name: 'FirewallError' });
  });

  it('applies thousands of bans in one batch (too big for one argument: goes through a private file)', async () => {
    const items = Array.from({ length: 3_000 }, (_, i) => ({
      target: target(`198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`),
      durationMs: 600_000,
      comment: `bulk ${i}`,
    }));
    const started = Date.now();
    await backend.blockMany(items);
    const elapsed = Date.now() - started;
    const listed = new Set((await backend.list()).map((e) => e.target));
    expect(items.every((i) => listed.has(i.target.text))).toBe(true);
    expect(elapsed).toBeLessThan(5_000);
    lab.exec(router, 'nft', ['flush', 'set', 'inet', 'plex_warden', 'blocked4']);
  });

  it('reports the table ready for the doctor, with the number of bans', async () => {
    const health = await firewallHealth(backend, actionsConfig({ FIREWALL_BACKEND: 'nftables' }));
    expect(health).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/^table inet plex_warden ready/),
    });
  });

  it('reports nft failures as FirewallError with stderr', async () => {
    const broken = new NftablesBackend({
      table: 'no_such_table',
      nft: ['ip', 'netns', 'exec', router, 'nft'],
      timeoutMs: 5_000,
      clock: systemClock,
    });
    await expect(broken.list()).rejects.toMatchObject({
      name: 'FirewallError',
      details: {
        backend: 'nftables',
        exitCode: 1,
        stderr: expect.stringMatching(/No such file or directory/),
      },
    });
  });
});
