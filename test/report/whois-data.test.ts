import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/app-context.js';
import { parseIp } from '../../src/net/ip.js';
import { gatherWhois, parseWhoisAddress } from '../../src/report/whois-data.js';
import { whoisSections } from '../../src/report/whois-sections.js';
import { reviewedSource } from '../harness/report-seed.js';
import { tempDir, testContext, testEnv } from '../harness/test-env.js';

const IP = '198.51.100.4';
const MIN = 60_000;

describe('gatherWhois (real SQLite, Plex at a closed port)', () => {
  let dir: ReturnType<typeof tempDir>;
  let ctx: AppContext;
  beforeEach(() => {
    dir = tempDir();
    ctx = testContext(
      testEnv({
        databasePath: join(dir.path, 'db.sqlite'),
        plexUrl: 'http://127.0.0.1:9',
        LOG_SOURCES: 'sshd=sshd:/var/log/auth.log',
        LOG_SLOW_FIND_TIME: '1d',
      }),
    );
  });
  afterEach(() => {
    ctx.close();
    dir.remove();
  });

  const commit = (sourceId: string, rows: [string, string, object][], now: number) =>
    ctx.repos.logReview.commit(
      {
        source: reviewedSource(sourceId),
        writeStates: (write) => {
          for (const [detector, key, state] of rows)
            write(detector, { ip: key, state: JSON.stringify(state), lastAt: now });
        },
        counts: new Map(),
        countsBound: { maxAddresses: 100, seenAfter: Number.NEGATIVE_INFINITY },
        daily: new Map(),
        findings: [],
      },
      now,
    );

  it('lists a source that only saw the address get in, and reads the slow window with its length', async () => {
    const now = Date.UTC(2026, 11, 1, 12);
    commit(
      'plex',
      [['first-seen-remote', IP, { firstAt: now - 90 * MIN, flagged: false, user: 'alice' }]],
      now,
    );
    commit(
      'sshd',
      [
        [
          'brute-force',
          `~${IP}`,
          { times: [], flaggedAt: now, total: 25, firstAt: now - 60 * MIN, lastAt: now, note: 'root' },
        ],
        [
          'brute-force',
          '198.51.100.40',
          { times: [], flaggedAt: now, total: 9, firstAt: now, lastAt: now, note: 'x' },
        ],
      ],
      now,
    );
    const w = await gatherWhois(ctx, parseWhoisAddress(IP), AbortSignal.timeout(5_000));
    expect(w.seen.map((s) => [s.sourceId, s.failures, s.firstSeen])).toEqual([
      ['plex', 0, '2026-12-01'],
      ['sshd', 0, '2026-12-01'],
    ]);
    expect(w.windows.map((x) => [x.sourceId, x.detector, x.windowMs, x.count, x.account])).toEqual([
      ['plex', 'first-seen-remote', undefined, undefined, 'alice'],
      ['sshd', 'brute-force (slow)', 86_400_000, 25, 'root'],
    ]);
    expect(w.sessions).toEqual({ kind: 'unavailable' });
    expect(w.accounts).toEqual(['alice', 'root']);
    const lines = whoisSections(w).flatMap((s) => s.lines);
    expect(lines).toContain(
      'sshd brute-force (slow): 25 in a 1d window, 2026-12-01 11:00 UTC → 2026-12-01 12:00 UTC · over the threshold · account "root"',
    );
    expect(lines).toContain(
      'plex first-seen-remote: first seen 2026-12-01 10:30 UTC (learned quietly) · account "alice"',
    );
  });

  it("reads a seen detector's entry out of its chunk rows, and only the address's own", async () => {
    const now = Date.UTC(2026, 11, 1, 12);
    // As seen-chunks.ts stores them: the address among others, one of which it is a prefix of.
    const chunk = (ips: string[], users: string[]) =>
      JSON.stringify({
        ip: ips,
        at: ips.map((_, i) => now - (90 - i) * MIN),
        f: ips.map((_, i) => i % 2),
        u: users,
      });
    commit(
      'plex',
      [
        ['first-seen-remote', '#0', JSON.parse(chunk(['203.0.113.1', IP, `${IP}0`], ['', 'bob', 'mallory']))],
        ['owner-new-address', '#3', JSON.parse(chunk([`${IP}1`], ['eve']))],
      ],
      now,
    );
    const w = await gatherWhois(ctx, parseWhoisAddress(IP), AbortSignal.timeout(5_000));
    expect(w.windows.map((x) => [x.sourceId, x.detector, x.firstAt, x.flagged, x.account])).toEqual([
      ['plex', 'first-seen-remote', now - 89 * MIN, true, 'bob'],
    ]);
    expect(w.seen.map((s) => [s.sourceId, s.firstSeen])).toEqual([['plex', '2026-12-01']]);
  });

  it("shows an IPv6 address its network's entry (LOG_IPV6_PREFIX), and an entry stored by the address itself", async () => {
    const now = Date.UTC(2026, 11, 1, 12);
    const net = '2001:470:1f0b:1a';
    commit(
      'plex',
      [
        [
          'first-seen-remote',
          '#0',
          {
            ip: ['203.0.113.1', `${net}::/64`],
            at: [now - 90 * MIN, now - 80 * MIN],
            f: [0, 1],
            u: ['', 'bob'],
            a: ['', `${net}::1`],
          },
        ],
        // Written before networks were the key, not rewritten yet (the bot has not run since).
        ['owner-new-address', '#0', { ip: [`${net}::2`], at: [now - 70 * MIN], f: [0], u: ['eve'] }],
      ],
      now,
    );
    const w = await gatherWhois(ctx, parseWhoisAddress(`${net}::2`), AbortSignal.timeout(5_000));
    expect(w.windows.map((x) => [x.detector, x.firstAt, x.flagged, x.account])).toEqual([
      [`first-seen-remote (network ${net}::/64, first ${net}::1)`, now - 80 * MIN, true, 'bob'],
      ['owner-new-address', now - 70 * MIN, false, 'eve'],
    ]);
    expect(whoisSections(w).flatMap((s) => s.lines)).toContain(
      `plex first-seen-remote (network ${net}::/64, first ${net}::1): first seen 2026-12-01 10:40 UTC (reported) · account "bob"`,
    );
    const other = await gatherWhois(
      ctx,
      parseWhoisAddress('2001:470:1f0b:1b::2'),
      AbortSignal.timeout(5_000),
    );
    expect(other.windows, 'another /64').toEqual([]);
  });

  it("shows an IPv6 address its network's detector windows, fast and slow, with an address of it", async () => {
    const now = Date.UTC(2026, 11, 1, 12);
    const net = '2001:470:1f0b:1a';
    const window = (total: number) => ({
      times: [],
      flaggedAt: now,
      total,
      firstAt: now - 60 * MIN,
      lastAt: now,
      note: 'root',
      addr: `${net}::1`,
      addrs: [1, 2, 3],
    });
    commit(
      'sshd',
      [
        ['brute-force', `${net}::/64`, window(12)],
        ['brute-force', `~${net}::/64`, window(30)],
        ['brute-force', '2001:470:1f0b:1b::/64', window(99)],
      ],
      now,
    );
    const w = await gatherWhois(ctx, parseWhoisAddress(`${net}::2`), AbortSignal.timeout(5_000));
    expect(w.windows.map((x) => [x.detector, x.count, x.account])).toEqual([
      [`brute-force (network ${net}::/64, e.g. ${net}::1)`, 12, 'root'],
      [`brute-force (slow) (network ${net}::/64, e.g. ${net}::1)`, 30, 'root'],
    ]);
  });

  it("adds an IPv6 address's network counts (LOG_IPV6_PREFIX) to those it had per address", async () => {
    const now = Date.UTC(2026, 11, 1, 12);
    const net = '2001:470:1f0b:1a';
    const counted = (ip: string, failures: number, day: string) =>
      ctx.repos.logReview.commit(
        {
          source: reviewedSource('sshd'),
          writeStates: () => {},
          counts: new Map([[ip, { failures, clientErrors: 0, badTokens: 0, lastAt: now }]]),
          countsBound: { maxAddresses: 100, seenAfter: Number.NEGATIVE_INFINITY },
          daily: new Map([[day, new Map([[ip, { failures, clientErrors: 0 }]])]]),
          findings: [],
        },
        now,
      );
    // Written per address before the counts moved to networks, then under the /64.
    counted(`${net}::2`, 3, '2026-11-29');
    counted(`${net}::/64`, 40, '2026-12-01');
    counted('2001:470:1f0b:1b::/64', 500, '2026-12-01');
    const w = await gatherWhois(ctx, parseWhoisAddress(`${net}::2`), AbortSignal.timeout(5_000));
    expect(w.seen.map((x) => [x.sourceId, x.failures, x.firstSeen])).toEqual([['sshd', 43, '2026-11-29']]);
    const other = await gatherWhois(ctx, parseWhoisAddress(`${net}::9`), AbortSignal.timeout(5_000));
    expect(other.seen.map((x) => [x.sourceId, x.failures])).toEqual([['sshd', 40]]);
  });

  it('refuses ranges, zero-padded quads and names with a reason', () => {
    expect(() => parseWhoisAddress('0.0.0.0/0')).toThrow(/not a range/);
    expect(() => parseWhoisAddress('2001:db8::/32')).toThrow(/not a range/);
    expect(() => parseWhoisAddress('010.0.0.1')).toThrow(/leading zeros/);
    expect(() => parseWhoisAddress('plex.example.com')).toThrow(/not an IPv4 or IPv6 address/);
    expect(parseWhoisAddress(' [2001:DB8::1] ').toString()).toBe(parseIp('2001:db8::1')?.toString());
  });
});
