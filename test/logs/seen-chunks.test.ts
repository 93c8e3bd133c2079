import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import type { AddressTable } from '../../src/logs/address-table.js';
import { firstSeenRemote } from '../../src/logs/detectors/first-seen-remote.js';
import { SEEN_CHUNK_SIZE, seenInChunk, seenKey } from '../../src/logs/detectors/seen-chunks.js';
import type { DetectorInstance, StateRow } from '../../src/logs/detectors/types.js';
import { EV_SUCCESS, type LogEvent } from '../../src/logs/log-event.js';

const config = loadConfig({ LOG_TIMEZONE: 'UTC' }, { requireDiscord: false });
const source = { id: 'nginx', kind: 'nginx', path: '/dev/null' } as const;
const T0 = Date.UTC(2026, 10, 25, 19, 30);

const detector = (maxTracked: number) =>
  firstSeenRemote.create({
    source,
    settings: config.logs.settings.nginx,
    maxTracked,
    changed: () => undefined,
  });

const ev = (user = '') => ({ flags: EV_SUCCESS, user }) as unknown as LogEvent;
const ipOf = (i: number) => `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::1`;
/** Each of those addresses is in a /64 of its own: remembered under it (LOG_IPV6_PREFIX 64). */
const keyOf = (i: number) => seenKey(ipOf(i), 64);

/** A store of state rows as the SQLite one keeps them (key → row), counting what each drain did. */
class Rows {
  readonly rows = new Map<string, StateRow>();
  written = 0;
  removed: string[] = [];
  drain(d: DetectorInstance): void {
    d.drain(
      (row) => {
        this.rows.set(row.ip, row);
        this.written++;
      },
      (ip) => {
        this.rows.delete(ip);
        this.removed.push(ip);
      },
      Number.POSITIVE_INFINITY,
    );
  }
  /** Each row as key, last_at and a hash of its state (a failed comparison stays readable). */
  digest(): string[] {
    return [...this.rows.values()]
      .map((r) => `${r.ip} ${r.lastAt} ${createHash('sha1').update(r.state).digest('hex')}`)
      .sort();
  }
  /** In the order the SQLite store hands them back (by last_at). */
  sorted(): StateRow[] {
    return [...this.rows.values()].sort((a, b) => a.lastAt - b.lastAt);
  }
}

/** Feeds addresses `from`..`to`-1 (one a second of log time), draining every `every` of them. */
function feed(d: DetectorInstance, store: Rows, from: number, to: number, every: number, learning = true) {
  for (let i = from; i < to; i++) {
    d.observe(ev(i % 7 === 0 ? `user${i}` : ''), ipOf(i), T0 + i * 1000, learning);
    if ((i + 1 - from) % every === 0) store.drain(d);
  }
  store.drain(d);
}

const keysOf = (d: DetectorInstance) => (d.table as AddressTable<unknown>).keys();

describe('the stored form of a seen detector (chunks of addresses)', () => {
  it('writes a row per chunk, rewriting only the one still filling', () => {
    const d = detector(100_000);
    const store = new Rows();
    feed(d, store, 0, 2500, 2500);
    expect([...store.rows.keys()].sort()).toEqual(['#0', '#1', '#2']);
    expect(store.written).toBe(3);
    store.written = 0;
    feed(d, store, 2500, 2510, 100);
    expect(store.written).toBe(1);
    store.written = 0;
    store.drain(d);
    expect(store.written).toBe(0);
    const third = store.rows.get('#2')?.state ?? '';
    expect(JSON.parse(third).ip).toHaveLength(2510 - 2 * SEEN_CHUNK_SIZE);
    expect(seenInChunk(third, keyOf(2506))).toEqual({
      firstAt: T0 + 2_506_000,
      flagged: false,
      user: 'user2506',
      first: ipOf(2506),
    });
    expect(seenInChunk(third, keyOf(2)), 'an address of another chunk').toBeUndefined();
  });

  it('deletes a chunk (never an address) once the bound dropped all of it, and restores the same table', () => {
    const cap = 3000;
    const d = detector(cap);
    const store = new Rows();
    feed(d, store, 0, 9000, 333);
    expect(d.table.size).toBe(cap);
    expect(store.removed.every((k) => k.startsWith('#'))).toBe(true);
    // The live 3,000 span at most four chunks, plus the one still filling.
    expect(store.rows.size).toBeLessThanOrEqual(Math.ceil(cap / SEEN_CHUNK_SIZE) + 1);
    const again = detector(cap);
    again.restore(store.sorted());
    expect(keysOf(again)).toEqual(keysOf(d));
    expect(keysOf(again)[0]).toBe(keyOf(6000));
  });

  it('stores the same rows whatever the commit points, and a restored detector carries on the same', () => {
    const cap = 2500;
    // Commit points at most the bound apart (the review loop commits every few thousand rows).
    const whole = new Rows();
    feed(detector(cap), whole, 0, 7000, 2400);
    const often = new Rows();
    feed(detector(cap), often, 0, 7000, 97);
    expect(often.digest()).toEqual(whole.digest());
    // Killed after 4,321 addresses: a new process restores the rows and reads the rest.
    const killed = new Rows();
    feed(detector(cap), killed, 0, 4321, 500);
    const resumed = detector(cap);
    resumed.restore(killed.sorted());
    feed(resumed, killed, 4321, 7000, 1000);
    expect(killed.digest()).toEqual(whole.digest());
  });

  it('keeps what a finding needs across a restart: first sight, reported or learned, the account', () => {
    const d = detector(1000);
    const store = new Rows();
    d.observe(ev(), '203.0.113.5', T0, true);
    d.observe(ev('alice'), '203.0.113.6', T0 + 60_000, false);
    store.drain(d);
    const again = detector(1000);
    again.restore(store.sorted());
    expect(again.render('203.0.113.5')).toBeUndefined();
    expect(again.settled('203.0.113.5')).toBe(true);
    expect(again.render('203.0.113.6')?.evidence).toContain('2026-11-25 19:31 UTC');
    expect(again.observe(ev(), '203.0.113.6', T0 + 120_000, false)).toBe(false);
  });

  it('takes rows of the per-address form (before migration 013) and rewrites them as a chunk', () => {
    const legacy: StateRow[] = [
      { ip: '203.0.113.9', state: JSON.stringify({ firstAt: T0, flagged: true, user: 'bob' }), lastAt: T0 },
      { ip: '203.0.113.10', state: 'not json', lastAt: T0 + 1 },
    ];
    const d = detector(1000);
    d.restore(legacy);
    const store = new Rows();
    for (const row of legacy) store.rows.set(row.ip, row);
    store.drain(d);
    expect(store.removed).toEqual(['203.0.113.9', '203.0.113.10']);
    expect([...store.rows.keys()]).toEqual(['#0']);
    const state = store.rows.get('#0')?.state ?? '';
    expect(seenInChunk(state, '203.0.113.9')).toEqual({ firstAt: T0, flagged: true, user: 'bob' });
    expect(seenInChunk(state, '203.0.113.10')).toEqual({ firstAt: T0 + 1, flagged: false, user: '' });
  });

  it('skips a damaged chunk instead of failing the restore', () => {
    const d = detector(1000);
    d.restore([
      { ip: '#0', state: '{"ip": 5}', lastAt: T0 },
      { ip: '#1', state: JSON.stringify({ ip: ['203.0.113.1'], at: [T0] }), lastAt: T0 },
    ]);
    expect(keysOf(d)).toEqual(['203.0.113.1']);
  });

  it('folds IPv6 entries stored one by one into their network, the earliest sighting winning, and rewrites every chunk once', () => {
    const net = '2001:db8:5:6';
    const old = (ips: string[], at: number[], f: number[], u: string[]) =>
      JSON.stringify({ ip: ips, at, f, u });
    const rows: StateRow[] = [
      // Chunks as written before the network key: full addresses, no first-address column.
      {
        ip: '#0',
        state: old(
          [`${net}::9`, '203.0.113.7', `${net}::1`],
          [T0 + 5, T0 + 6, T0 + 1],
          [1, 0, 0],
          ['late', '', 'early'],
        ),
        lastAt: T0,
      },
      { ip: '#1', state: old(['2001:db8:7:8::1'], [T0 + 9], [1], ['']), lastAt: T0 + 9 },
      // A row of the per-address form (before migration 013) of the same /64.
      {
        ip: `${net}::3`,
        state: JSON.stringify({ firstAt: T0 + 2, flagged: true, user: 'x' }),
        lastAt: T0 + 2,
      },
    ];
    const d = detector(1000);
    d.restore(rows);
    expect(keysOf(d)).toEqual([`${net}::/64`, '203.0.113.7', '2001:db8:7:8::/64']);
    expect(d.settled(`${net}:1:2:3:4`), 'another address of the /64').toBe(true);
    const store = new Rows();
    for (const row of rows) store.rows.set(row.ip, row);
    store.drain(d);
    expect(store.removed.sort()).toEqual(['#0', '#1', `${net}::3`]);
    expect([...store.rows.keys()]).toEqual(['#0']);
    const state = store.rows.get('#0')?.state ?? '';
    expect(seenInChunk(state, `${net}::/64`)).toEqual({
      firstAt: T0 + 1,
      flagged: false,
      user: 'early',
      first: `${net}::1`,
    });
    expect(seenInChunk(state, '203.0.113.7')).toEqual({ firstAt: T0 + 6, flagged: false, user: '' });
    // Rewritten once: a restart restores the new chunks as they are and has nothing to write.
    const again = detector(1000);
    again.restore(store.sorted());
    expect(keysOf(again)).toEqual(keysOf(d));
    store.written = 0;
    store.removed = [];
    store.drain(again);
    expect([store.written, store.removed]).toEqual([0, []]);
  });

  it('keeps each IPv6 address apart with LOG_IPV6_PREFIX=128, and unfolds network keys to their first address', () => {
    const perAddress = firstSeenRemote.create({
      source,
      settings: { ...config.logs.settings.nginx, ipv6Prefix: 128 },
      maxTracked: 1000,
      changed: () => undefined,
    });
    const stored = JSON.stringify({
      ip: ['2001:db8:5:6::/64', '2001:db8:5:6::2'],
      at: [T0, T0 + 1],
      f: [0, 0],
      u: ['', ''],
      a: ['2001:db8:5:6::1', ''],
    });
    perAddress.restore([{ ip: '#0', state: stored, lastAt: T0 }]);
    expect(keysOf(perAddress)).toEqual(['2001:db8:5:6::1', '2001:db8:5:6::2']);
    expect(perAddress.settled('2001:db8:5:6::3')).toBe(false);
    expect(perAddress.observe(ev(), '2001:db8:5:6::3', T0 + 2, false)).toBe(true);
    expect(perAddress.render('2001:db8:5:6::3')?.key).toBe('first-seen-remote:nginx:2001:db8:5:6::3');
  });
});
