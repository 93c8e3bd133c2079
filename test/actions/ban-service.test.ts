import { describe, expect, it } from 'vitest';
import { createActions } from '../../src/actions/actions.js';
import { REMOVAL_ATTEMPTS } from '../../src/actions/ban-service.js';
import { parseBlockTarget } from '../../src/actions/block-policy.js';
import { FirewallError } from '../../src/adapters/firewall/types.js';
import { createRepositories } from '../../src/adapters/sqlite/index.js';
import { UserError } from '../../src/kernel/errors.js';
import { JobScheduler } from '../../src/kernel/job-scheduler.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { AddressScope } from '../../src/net/address-scope.js';
import { actionsFixture, MemoryFirewall, openTestDatabase } from '../harness/actions-fixture.js';
import { ManualClock } from '../harness/manual-clock.js';
import { testConfig, testEnv } from '../harness/test-env.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('BanService', () => {
  it('blocks through the backend, records the ban and audits it', async () => {
    const f = actionsFixture();
    const result = await f.bans.block({
      input: '203.0.113.7',
      reason: 'brute force',
      origin: 'command',
      requestedBy: 'u1',
    });
    expect(result.durationMs).toBe(DAY);
    expect((f.firewall as MemoryFirewall).entries.has('203.0.113.7')).toBe(true);
    expect(f.bans.active()).toMatchObject([
      { target: '203.0.113.7', level: 0, expiresAt: f.clock.now() + DAY },
    ]);
    expect(f.audit.recent(5).map((e) => e.action)).toEqual(['ban.added']);
  });

  it('refuses with a UserError and runs nothing for a refused target', async () => {
    const f = actionsFixture();
    const firewall = f.firewall as MemoryFirewall;
    for (const input of [
      '192.168.1.5',
      '127.0.0.1',
      '0.0.0.0/0',
      '1.2.3.4;touch /tmp/x',
      '$(id)',
      'garbage',
    ]) {
      await expect(
        f.bans.block({ input, reason: 'x', origin: 'command', requestedBy: 'u1' }),
      ).rejects.toBeInstanceOf(UserError);
    }
    expect(firewall.calls).toEqual([]);
    expect(f.bans.active()).toEqual([]);
    expect(f.audit.recent(10).every((e) => e.action === 'ban.refused')).toBe(true);
  });

  it('refuses an address added to the allow-list later, and a duration over the maximum', async () => {
    const f = actionsFixture({ env: { BAN_MAX_DURATION: '7d' } });
    f.allowlist.upsert({ cidr: '203.0.113.0/28', note: 'office', addedBy: 'u1', addedAt: 0 });
    await expect(
      f.bans.block({ input: '203.0.113.9', reason: 'x', origin: 'command', requestedBy: 'u1' }),
    ).rejects.toThrow(/allow-list/);
    await expect(
      f.bans.block({
        input: '198.51.100.99',
        durationMs: 8 * DAY,
        reason: 'x',
        origin: 'command',
        requestedBy: 'u1',
      }),
    ).rejects.toThrow(/at most 7d/);
  });

  it('escalates repeat offenders up to the cap; an explicit duration is used as given', async () => {
    const f = actionsFixture({
      env: { BAN_DEFAULT_DURATION: '1h', BAN_ESCALATION_FACTOR: '3', BAN_ESCALATION_CAP: '5h' },
    });
    const durations: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await f.bans.block({
        input: '198.51.100.99',
        reason: 'probe',
        origin: 'finding',
        requestedBy: 'finding:x',
      });
      durations.push(r.durationMs);
      f.clock.advance(r.durationMs + 1);
      await f.bans.expireDue();
    }
    expect(durations).toEqual([HOUR, 3 * HOUR, 5 * HOUR, 5 * HOUR]);
    const explicit = await f.bans.block({
      input: '198.51.100.99',
      durationMs: 10 * 60_000,
      reason: 'manual',
      origin: 'command',
      requestedBy: 'u1',
    });
    expect(explicit.durationMs).toBe(10 * 60_000);
    expect(explicit.ban.level).toBe(4);
  });

  it('a second block of the same target replaces the first (one active ban)', async () => {
    const f = actionsFixture();
    await f.bans.block({
      input: '203.0.113.7',
      durationMs: HOUR,
      reason: 'a',
      origin: 'command',
      requestedBy: 'u1',
    });
    await f.bans.block({
      input: '203.0.113.7',
      durationMs: 2 * HOUR,
      reason: 'b',
      origin: 'command',
      requestedBy: 'u1',
    });
    expect(f.bans.active()).toMatchObject([{ target: '203.0.113.7', reason: 'b' }]);
  });

  it('records nothing when the firewall fails', async () => {
    const f = actionsFixture();
    (f.firewall as MemoryFirewall).failNext = new FirewallError('boom', { backend: 'nftables' });
    await expect(
      f.bans.block({ input: '203.0.113.7', reason: 'a', origin: 'command', requestedBy: 'u1' }),
    ).rejects.toBeInstanceOf(FirewallError);
    expect(f.bans.active()).toEqual([]);
  });

  it('unblocks, and cleans the firewall even without a record', async () => {
    const f = actionsFixture();
    const firewall = f.firewall as MemoryFirewall;
    await f.bans.block({ input: '203.0.113.7', reason: 'a', origin: 'command', requestedBy: 'u1' });
    const r = await f.bans.unblock('203.0.113.7', 'u2');
    expect(r.ban?.target).toBe('203.0.113.7');
    expect(f.bans.active()).toEqual([]);
    expect(firewall.entries.size).toBe(0);
    const target = parseBlockTarget('198.51.100.50');
    if (target) await firewall.block(target, HOUR, 'by hand');
    expect((await f.bans.unblock('198.51.100.50', 'u2')).ban).toBeUndefined();
    expect(firewall.entries.size).toBe(0);
    await expect(f.bans.unblock('not an ip', 'u2')).rejects.toBeInstanceOf(UserError);
  });

  it('expires bans across a restart and retries an unban the firewall refused', async () => {
    const f = actionsFixture();
    await f.bans.block({
      input: '203.0.113.7',
      durationMs: HOUR,
      reason: 'a',
      origin: 'command',
      requestedBy: 'u1',
    });
    // "Restart": a new service on the same database, the clock past the expiry.
    f.clock.advance(2 * HOUR);
    const firewall = new MemoryFirewall(f.clock);
    const again = actionsFixture({ db: f.db, clock: f.clock, firewall: () => firewall });
    firewall.failNext = new Error('nft busy');
    expect(await again.bans.expireDue()).toEqual({ ended: [], stuck: [] });
    expect(again.bans.active()).toHaveLength(1);
    // The retry waits (30 s after the first failure), so a down firewall is not hammered.
    expect((await again.bans.expireDue()).ended).toEqual([]);
    f.clock.advance(30_000);
    expect((await again.bans.expireDue()).ended.map((b) => b.target)).toEqual(['203.0.113.7']);
    expect(again.bans.active()).toEqual([]);
    expect(again.audit.recent(1)[0]).toMatchObject({ action: 'ban.expired', actor: 'system' });
  });

  it('gives up after REMOVAL_ATTEMPTS failed removals: reported once, never retried, /unblock still works', async () => {
    const f = actionsFixture();
    const firewall = f.firewall as MemoryFirewall;
    await f.bans.block({
      input: '192.0.2.0/24',
      durationMs: HOUR,
      reason: 'scan',
      origin: 'command',
      requestedBy: 'u1',
    });
    f.clock.advance(HOUR);
    firewall.failUnblocks = new FirewallError('nft: element does not exist', { backend: 'nftables' });
    const stuck: string[] = [];
    let attempts = 0;
    for (let i = 0; i < 20; i++) {
      const before = firewall.calls.length;
      const report = await f.bans.expireDue();
      attempts += firewall.calls.length - before;
      stuck.push(...report.stuck.map((b) => b.target));
      expect(report.ended).toEqual([]);
      f.clock.advance(HOUR);
    }
    expect(attempts).toBe(REMOVAL_ATTEMPTS);
    expect(stuck).toEqual(['192.0.2.0/24']);
    expect(f.bans.nextExpiry()).toBeUndefined();
    expect(f.bans.stuck()).toMatchObject([{ target: '192.0.2.0/24', removalFailures: REMOVAL_ATTEMPTS }]);
    expect(f.audit.recent(1)[0]).toMatchObject({ action: 'ban.removal-stuck' });
    firewall.failUnblocks = undefined;
    await f.bans.unblock('192.0.2.0/24', 'u1');
    expect(f.bans.stuck()).toEqual([]);
    expect(f.bans.active()).toEqual([]);
  });

  it('reconciles on start: re-applies lost bans, lifts overdue ones, reports unknown entries', async () => {
    const f = actionsFixture();
    await f.bans.block({
      input: '203.0.113.7',
      durationMs: 3 * HOUR,
      reason: 'a',
      origin: 'command',
      requestedBy: 'u1',
    });
    await f.bans.block({
      input: '198.18.5.0/24',
      durationMs: HOUR,
      reason: 'b',
      origin: 'command',
      requestedBy: 'u1',
    });
    f.clock.advance(2 * HOUR);
    // A reboot emptied the firewall; someone added an entry by hand.
    const firewall = new MemoryFirewall(f.clock);
    const stray = parseBlockTarget('192.0.2.66');
    if (stray) await firewall.block(stray, HOUR, 'hand');
    const again = actionsFixture({ db: f.db, clock: f.clock, firewall: () => firewall });
    const report = await again.bans.reconcile();
    expect(report).toMatchObject({ listable: true, reapplied: ['203.0.113.7'], failed: [] });
    expect(report.unknown.map((e) => e.target)).toEqual(['192.0.2.66']);
    expect(report.expired.map((b) => b.target)).toEqual(['198.18.5.0/24']);
    // Re-applied for the remaining hour only.
    expect(firewall.entries.get('203.0.113.7')?.expiresAt).toBe(f.clock.now() + HOUR);
  });

  it('re-applies many lost bans in one batch, and one by one when the batch fails', async () => {
    const f = actionsFixture();
    for (const ip of ['203.0.113.7', '203.0.113.8', '203.0.113.9']) {
      await f.bans.block({ input: ip, durationMs: HOUR, reason: 'a', origin: 'command', requestedBy: 'u1' });
    }
    const batch = new MemoryFirewall(f.clock);
    const report = await actionsFixture({ db: f.db, clock: f.clock, firewall: () => batch }).bans.reconcile();
    expect(report.reapplied).toEqual(['203.0.113.7', '203.0.113.8', '203.0.113.9']);
    expect(batch.calls).toEqual(['prepare', 'blockMany 203.0.113.7,203.0.113.8,203.0.113.9']);
    const flaky = new MemoryFirewall(f.clock);
    flaky.failNext = new Error('batch too big');
    const again = await actionsFixture({ db: f.db, clock: f.clock, firewall: () => flaky }).bans.reconcile();
    expect(again.reapplied).toHaveLength(3);
    expect(flaky.calls.filter((c) => c.startsWith('block '))).toHaveLength(3);
  });

  it('the expiry job lifts a ban at its expiry, on start when overdue, and backs off while the firewall fails', async () => {
    const db = openTestDatabase();
    const clock = new ManualClock();
    const jobs = new JobScheduler({ clock, timers: clock, logger: silentLogger() });
    const firewall = new MemoryFirewall(clock);
    const config = testConfig(testEnv({ databasePath: ':memory:', plexUrl: 'http://127.0.0.1:9' }));
    const actions = createActions({
      config,
      repos: createRepositories(db),
      logger: silentLogger(),
      clock,
      jobs,
      firewall,
      scope: AddressScope.fromConfig(config.network, { now: () => clock.now() }),
    });
    const block = (target: string, durationMs: number) =>
      actions.bans.block({ input: target, durationMs, reason: 'a', origin: 'command', requestedBy: 'u1' });
    try {
      await block('203.0.113.7', 1_000);
      clock.advance(5_000);
      // Ran out while the bot was down: lifted when the scheduler starts.
      await jobs.start();
      expect(actions.bans.active()).toEqual([]);

      await block('203.0.113.8', 10_000);
      clock.advance(9_999);
      expect(actions.bans.active()).toHaveLength(1);
      clock.advance(1);
      await Promise.all(jobs.jobs.map((j) => j.idle()));
      expect(actions.bans.active()).toEqual([]);

      await block('203.0.113.9', 1_000);
      firewall.failNext = new Error('nft: cannot talk to the kernel');
      clock.advance(1_000);
      await Promise.all(jobs.jobs.map((j) => j.idle()));
      expect(actions.bans.active().map((b) => b.target)).toEqual(['203.0.113.9']);
      const retry = jobs.jobs.find((j) => j.name === 'ban-expiry');
      // The failed removal is retried on the ban's own backoff (30 s, then ×4), not in a loop.
      expect(retry?.nextAt()).toBe(clock.now() + 30_000);
      clock.advance(30_000);
      await Promise.all(jobs.jobs.map((j) => j.idle()));
      expect(actions.bans.active()).toEqual([]);
    } finally {
      await jobs.stop();
      db.close();
    }
  });
});
