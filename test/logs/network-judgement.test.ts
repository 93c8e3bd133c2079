import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlockPolicy } from '../../src/actions/block-policy.js';
import { LogReviewRepository } from '../../src/adapters/sqlite/log-review-repository.js';
import { type Env, loadConfig } from '../../src/config/index.js';
import { systemClock } from '../../src/kernel/clock.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { ADDR_ALLOWED, ADDR_INVALID, ADDR_OUTSIDE, AddressBook } from '../../src/logs/address-book.js';
import { badPlexToken } from '../../src/logs/detectors/bad-plex-token.js';
import { bruteForce } from '../../src/logs/detectors/brute-force.js';
import { probing } from '../../src/logs/detectors/probing.js';
import { encodeWindow } from '../../src/logs/detectors/sliding-window.js';
import type { Detector, DetectorInstance, StateRow } from '../../src/logs/detectors/types.js';
import { EV_BAD_TOKEN, EV_CLIENT_ERROR, EV_FAILURE, LogEvent } from '../../src/logs/log-event.js';
import { LogReviewer } from '../../src/logs/log-reviewer.js';
import { AddressScope } from '../../src/net/address-scope.js';
import { openTestDatabase } from '../harness/log-db.js';
import { useTextReplay } from '../harness/text-replay.js';

const NOW = Date.UTC(2026, 10, 25, 20, 0);
/** One /64 of a global (non-documentation) prefix, and its addresses as a privacy extension rotates them. */
const NET = '2001:470:1f0b:1a';
const rotated = (i: number) =>
  `${NET}:${(i + 1).toString(16)}:${(i * 7).toString(16)}:beef:${i.toString(16)}`;
const nginx = (ip: string, status: number, path: string, second = 0) =>
  `${ip} - ${status === 401 ? 'admin' : '-'} [25/Nov/2026:19:30:${String(second % 60).padStart(2, '0')} +0000] "GET ${path} HTTP/1.1" ${status} 0 "-" "-"\n`;
const source = { id: 'nginx', kind: 'nginx', path: '/dev/null' } as const;

describe('IPv6 judged by its LOG_IPV6_PREFIX network', () => {
  const { dir, replay } = useTextReplay('nginx', NOW);

  it('a rotating /64 gives one finding per detector, named by the network, counting its addresses', async () => {
    let text = '';
    // 15 failed logins and 25 failing paths, each from an address of its own.
    for (let i = 0; i < 15; i++) text += nginx(rotated(i), 401, '/login', i);
    for (let i = 0; i < 25; i++) text += nginx(rotated(100 + i), 404, `/probe-${i}.php`, i);
    const result = await replay(text);
    expect(result.findings.map((f) => f.key).sort()).toEqual([
      `brute-force:nginx:${NET}::/64`,
      `probing:nginx:${NET}::/64`,
    ]);
    const [brute, probe] = ['brute-force', 'probing'].map((d) =>
      result.findings.find((f) => f.key.startsWith(d)),
    );
    expect(brute?.title).toBe(`Brute force from ${NET}::/64 (${rotated(0)}) on nginx`);
    expect(brute?.evidence).toContain(`the network ${NET}::/64 (15 different addresses, e.g. ${rotated(0)})`);
    expect(brute?.action).toMatchObject({ kind: 'block-ip', ip: `${NET}::/64` });
    // A 401 is a failing path too: the probing window began with the first failed login.
    expect(probe?.title).toBe(`Probing from ${NET}::/64 (${rotated(0)}) on nginx`);
    expect(probe?.evidence).toContain(
      `The network ${NET}::/64 (32 or more different addresses, e.g. ${rotated(0)})`,
    );
    expect(probe?.evidence).toContain('at least 20 different paths');
    expect(probe?.action).toMatchObject({ kind: 'block-ip', ip: `${NET}::/64` });
    // Counted per network too (a 401 is a client error as well).
    expect(result.addresses.map((a) => [a.ip, a.failures, a.clientErrors])).toEqual([
      [`${NET}::/64`, 15, 40],
    ]);
    // Per address (LOG_IPV6_PREFIX=128): one failure or path each, nothing reaches a threshold.
    const each = await replay(text, { LOG_IPV6_PREFIX: '128' });
    expect(each.findings).toEqual([]);
    expect(each.addresses).toHaveLength(40);
  });

  it('skips forged IPv6 text, also after a valid address of the same /64', async () => {
    const forged = [
      `${NET}:1:2:3:4:5`,
      `${NET}::g`,
      `${NET}:::1`,
      `${NET}:1::2::3`,
      `${NET}:12345::1`,
      `${NET}:1:2:3:`,
      `${NET}::1%eth0`,
    ];
    let text = nginx(rotated(0), 200, '/');
    for (let i = 0; i < 20; i++) {
      for (const ip of forged) text += nginx(ip, 401, '/login', i);
    }
    const result = await replay(text);
    expect(result.matched).toBe(1);
    expect(result.skipped).toBe(20 * forged.length);
    // The one valid line, a success, is the network's first sighting; the forged failures are nothing.
    expect(result.findings.map((f) => f.key)).toEqual([`first-seen-remote:nginx:${NET}::/64`]);
  });

  it('keeps an allow-listed /128 inside a /64 allowed while its neighbours are judged by network', async () => {
    let text = '';
    for (let i = 0; i < 30; i++) text += nginx(`${NET}::7`, 401, '/login', i);
    for (let i = 0; i < 9; i++) text += nginx(rotated(i), 401, '/login', i);
    const env = { ALLOWLIST: `${NET}::7` };
    // The allowed address's 30 failures count for nothing, its neighbours' 9 stay under 10.
    expect((await replay(text, env)).findings).toEqual([]);
    const found = await replay(text + nginx(rotated(9), 401, '/login', 9), env);
    expect(found.findings.map((f) => f.key)).toEqual([`brute-force:nginx:${NET}::/64`]);
    expect(found.findings[0]?.evidence).toContain('at least 10 failed sign-ins');
    expect(found.findings[0]?.evidence).toContain('(10 different addresses');
    // The /64 block it suggests overlaps the allowed address: the policy says so (forceable).
    const policy = new BlockPolicy(AddressScope.fromConfig({ lanCidrs: [], allowlist: [`${NET}::7`] }));
    expect(policy.check(`${NET}::/64`)).toMatchObject({ ok: false, code: 'allowlisted', forceable: true });
    // Without the entry, the allowed address's failures are the network's.
    expect((await replay(text)).findings[0]?.evidence).toContain('at least 20 failed sign-ins');
  });

  it('restarted in the middle of a flood, finds what one uninterrupted review finds', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 6000; i++) {
      const status = i % 50 === 0 ? 401 : i % 20 === 0 ? 404 : 200;
      lines.push(nginx(rotated(i), status, `/p-${i}`, Math.floor(i / 100)));
      if (i % 400 === 0) lines.push(nginx('203.0.113.9', 401, '/login', Math.floor(i / 100)));
    }
    const review = async (file: string, db: string) => {
      const c = loadConfig(
        { LOG_SOURCES: `nginx:${file}`, LOG_TIMEZONE: 'UTC', LOG_MAX_AGE: '3650d', LOG_BACKFILL_BYTES: '1g' },
        { requireDiscord: false },
      );
      const handle = openTestDatabase(join(dir(), db));
      try {
        const r = new LogReviewer({
          logs: c.logs,
          scope: AddressScope.fromConfig(c.network),
          repo: new LogReviewRepository(handle),
          clock: systemClock,
          logger: silentLogger(),
        });
        return (await r.review()).findings;
      } finally {
        handle.close();
      }
    };
    const whole = join(dir(), 'whole.log');
    writeFileSync(whole, lines.join(''));
    const expected = await review(whole, 'whole.sqlite');
    const split = join(dir(), 'split.log');
    writeFileSync(split, lines.slice(0, 2500).join(''));
    await review(split, 'split.sqlite');
    // A new process: state restored from the store, the rest of the flood appended.
    appendFileSync(split, lines.slice(2500).join(''));
    const resumed = await review(split, 'split.sqlite');
    const shown = (fs: typeof expected) =>
      fs.map((f) => [f.key, f.title, f.evidence.replace(/\/[^)]*\.log/, 'FILE')]).sort();
    expect(shown(resumed)).toEqual(shown(expected));
    expect(expected.map((f) => f.key).sort()).toEqual([
      `brute-force:nginx:${NET}::/64`,
      'brute-force:nginx:203.0.113.9',
      `probing:nginx:${NET}::/64`,
    ]);
  }, 60_000);
});

describe('detectors keyed by network', () => {
  const ev = new LogEvent();
  const event = (flags: number, ip: string, path = '/') => {
    ev.reset();
    ev.flags = flags;
    ev.setIpString(ip);
    ev.setPath(path, 0, path.length);
    return ev;
  };
  const create = (d: Detector, env: Env = {}, kind: 'nginx' | 'plex' = 'nginx') => {
    const changed: string[] = [];
    const settings = loadConfig({ LOG_TIMEZONE: 'UTC', ...env }, { requireDiscord: false }).logs.settings[
      kind
    ];
    const inst = d.create({
      source: { ...source, id: kind, kind },
      settings,
      maxTracked: 100,
      changed: (key) => changed.push(key),
    });
    return { inst, changed, settings };
  };
  const drain = (inst: DetectorInstance) => {
    const written: StateRow[] = [];
    const removed: string[] = [];
    inst.drain(
      (row) => written.push(row),
      (ip) => removed.push(ip),
      Number.POSITIVE_INFINITY,
    );
    return { written: written.map((r) => r.ip).sort(), removed: removed.sort() };
  };
  const t0 = Date.UTC(2026, 10, 25, 19, 30);

  it('bad-plex-token: one finding for the network, naming an address of it; per address with 128', () => {
    const { inst } = create(badPlexToken, {}, 'plex');
    for (let i = 0; i < 3; i++) inst.observe(event(EV_BAD_TOKEN, rotated(i)), `${NET}::/64`, t0 + i, false);
    const d = inst.render(`${NET}::/64`);
    expect(d?.key).toBe(`bad-plex-token:plex:${NET}::/64`);
    expect(d?.title).toBe(`Rejected Plex token from outside: ${NET}::/64 (${rotated(0)})`);
    expect(d?.evidence).toContain(`the network ${NET}::/64 (3 different addresses, e.g. ${rotated(0)})`);
    const per = create(badPlexToken, { LOG_IPV6_PREFIX: '128' }, 'plex').inst;
    expect(per.observe(event(EV_BAD_TOKEN, rotated(1)), rotated(1), t0, false)).toBe(true);
    expect(per.render(rotated(1))?.title).toBe(`Rejected Plex token from outside: ${rotated(1)}`);
  });

  it('given an address, marks and renders the network (a review that did not key it)', () => {
    const { inst, changed } = create(bruteForce);
    let flagged = false;
    for (let i = 0; i < 10; i++)
      flagged ||= inst.observe(event(EV_FAILURE, rotated(i)), rotated(i), t0 + i, false);
    // The address itself is no finding: the network is, marked through `changed`.
    expect(flagged).toBe(false);
    expect(changed.at(-1)).toBe(`${NET}::/64`);
    expect(inst.render(rotated(0))).toBeUndefined();
    expect(inst.render(`${NET}::/64`)?.evidence).toContain('(10 different addresses');
  });

  it('folds windows stored per IPv6 address by earlier versions into their network', () => {
    const { inst, settings } = create(bruteForce);
    const window = (times: number[]) =>
      encodeWindow({
        times,
        flaggedAt: 0,
        total: times.length,
        firstAt: times[0] ?? 0,
        lastAt: times.at(-1) ?? 0,
        note: 'root',
      });
    // Six failures from one address, three from another: each under the threshold of 10 alone.
    inst.restore([
      { ip: `${NET}::1`, state: window([1, 2, 3, 4, 5, 6].map((s) => t0 + s)), lastAt: t0 + 6 },
      { ip: `${NET}::2`, state: window([7, 8, 9].map((s) => t0 + s)), lastAt: t0 + 9 },
      { ip: '203.0.113.9', state: window([t0]), lastAt: t0 },
      // A range window of the versions before (its last address in `note`, `spread`).
      {
        ip: '~2001:470:1f0b:2b::/64',
        state: JSON.stringify({ times: [t0], lastAt: t0, note: '2001:470:1f0b:2b::5', spread: 3 }),
        lastAt: t0,
      },
    ]);
    expect(settings.maxRetry).toBe(10);
    // The network's window is written and the address rows deleted, in one commit.
    expect(drain(inst)).toEqual({ written: [`${NET}::/64`], removed: [`${NET}::1`, `${NET}::2`] });
    expect(inst.render(`${NET}::/64`)).toBeUndefined();
    // The tenth failure, from a third address, flags the network with all ten counted.
    expect(inst.observe(event(EV_FAILURE, `${NET}::3`), `${NET}::/64`, t0 + 10, false)).toBe(true);
    const d = inst.render(`${NET}::/64`);
    expect(d?.evidence).toContain('at least 10 failed sign-ins');
    expect(d?.evidence).toContain(`(3 different addresses, e.g. ${NET}::1)`);
    expect(inst.render('203.0.113.9')).toBeUndefined();
  });

  it('folds probing windows stored per address into their network, paths merged', () => {
    const { inst } = create(probing);
    const state = (paths: number[]) =>
      JSON.stringify({
        seen: paths.flatMap((p) => [p, t0]),
        flaggedAt: 0,
        total: paths.length,
        firstAt: t0,
        lastAt: t0,
        samples: [`/p${paths[0]}`],
      });
    inst.restore([
      { ip: `${NET}::1`, state: state([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), lastAt: t0 },
      { ip: `${NET}::2`, state: state([9, 10, 11, 12, 13, 14, 15, 16, 17]), lastAt: t0 },
      { ip: `${NET}::3`, state: 'not json', lastAt: t0 },
    ]);
    expect(drain(inst)).toEqual({ written: [`${NET}::/64`], removed: [`${NET}::1`, `${NET}::2`] });
    // 17 distinct paths restored: the third distinct new one reaches 20.
    for (const p of ['/a', '/b'])
      inst.observe(event(EV_CLIENT_ERROR, `${NET}::4`, p), `${NET}::/64`, t0 + 1, false);
    expect(inst.render(`${NET}::/64`)).toBeUndefined();
    expect(inst.observe(event(EV_CLIENT_ERROR, `${NET}::4`, '/c'), `${NET}::/64`, t0 + 2, false)).toBe(true);
    expect(inst.render(`${NET}::/64`)?.evidence).toContain('(3 different addresses');
  });
});

describe('AddressBook with a network prefix', () => {
  const scope = AddressScope.fromConfig({ lanCidrs: [], allowlist: [`${NET}::7`] });
  const at = (book: AddressBook, ip: string) => book.lookupRange(` ${ip} `, 1, ip.length + 1);

  it('shares one answer (and its settled bits) across a network, none for a neighbour of an allowed /128', () => {
    const book = new AddressBook({ scope, cacheSize: 100, ipv6Prefix: 64 });
    const a = at(book, '2001:db8:5:6::1');
    const b = at(book, '2001:db8:5:6:aaaa:bbbb:cccc:dddd');
    expect(a).toBe(b);
    expect(a).toMatchObject({ key: '2001:db8:5:6::/64', kind: ADDR_OUTSIDE });
    a.settled = 1;
    expect(at(book, '2001:db8:5:6::99').settled).toBe(1);
    // The /64 holding the allowed /128: per-address answers, all under the network's key.
    expect(at(book, `${NET}::7`)).toMatchObject({ key: `${NET}::/64`, kind: ADDR_ALLOWED });
    const n1 = at(book, `${NET}::8`);
    expect(n1).toMatchObject({ key: `${NET}::/64`, kind: ADDR_OUTSIDE });
    expect(at(book, `${NET}::9`)).not.toBe(n1);
    expect(at(book, `${NET}::7`).kind).toBe(ADDR_ALLOWED);
  });

  it('still rejects forged text, unwraps IPv4-mapped, and keys per address with 128', () => {
    const book = new AddressBook({ scope, cacheSize: 100, ipv6Prefix: 64 });
    expect(at(book, '2001:db8:5:6::1').kind).toBe(ADDR_OUTSIDE);
    for (const forged of [
      '2001:db8:5:6:1:2:3:4:5',
      '2001:db8:5:6::x',
      '2001:db8:5:6:::1',
      '2001:db8:5:6:1::2::3',
    ])
      expect(at(book, forged), forged).toBe(at(book, '1.2.3.04'));
    expect(at(book, '2001:db8:5:6:1:2:3:4:5').kind).toBe(ADDR_INVALID);
    expect(at(book, '::ffff:203.0.113.9')).toMatchObject({ key: '203.0.113.9', kind: ADDR_OUTSIDE });
    const per = new AddressBook({ scope, cacheSize: 100, ipv6Prefix: 128 });
    expect(at(per, '2001:db8:5:6::1').key).toBe('2001:db8:5:6::1');
    expect(at(per, '2001:db8:5:6::2').key).toBe('2001:db8:5:6::2');
  });

  it('answers again after the scope moved (an /allow made during a flood)', () => {
    let allowed: string[] = [];
    const live = new AddressScope({
      lanCidrs: [],
      allowlist: [],
      allowEntries: () => allowed.map((cidr) => ({ cidr, addedBy: 'test', addedAt: 0 }) as never),
      now: () => 0,
    });
    const book = new AddressBook({ scope: live, cacheSize: 100, ipv6Prefix: 64 });
    expect(at(book, '2001:db8:5:6::1').kind).toBe(ADDR_OUTSIDE);
    allowed = ['2001:db8:5:6::/64'];
    live.refresh();
    expect(at(book, '2001:db8:5:6::2').kind).toBe(ADDR_ALLOWED);
  });
});
