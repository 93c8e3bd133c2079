import { describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../../src/adapters/sqlite/database.js';
import { LogReviewRepository } from '../../../src/adapters/sqlite/log-review-repository.js';
import { migrations } from '../../../src/adapters/sqlite/migrations/index.js';
import { loadConfig } from '../../../src/config/index.js';
import type { AddressTable } from '../../../src/logs/address-table.js';
import { firstSeenRemote } from '../../../src/logs/detectors/first-seen-remote.js';
import { SEEN_CHUNK_SIZE, seenInChunk } from '../../../src/logs/detectors/seen-chunks.js';

const config = loadConfig({ LOG_TIMEZONE: 'UTC' }, { requireDiscord: false });
const T0 = Date.UTC(2026, 10, 25, 19, 30);

describe('migration 013: seen detectors keep their addresses in chunks', () => {
  it('turns per-address rows into chunks in restore order and leaves other detectors alone', () => {
    const db = openDatabase(':memory:', migrations.slice(0, 12));
    const insert = db.prepare(
      'INSERT INTO log_detector_state (source_id, detector, ip, state, last_at) VALUES (?, ?, ?, ?, ?)',
    );
    const n = SEEN_CHUNK_SIZE + 5;
    // Inserted newest first: the chunks must follow last_at, not the insertion order.
    for (let i = n - 1; i >= 0; i--) {
      const state = JSON.stringify({ firstAt: T0 + i, flagged: i === 3, user: i === 3 ? 'eve' : '' });
      insert.run('nginx', 'first-seen-remote', `203.0.${i >> 8}.${i & 0xff}`, state, T0 + i);
    }
    insert.run('nginx', 'first-seen-remote', '198.51.100.1', 'not json', T0 + n);
    insert.run(
      'plex',
      'owner-new-address',
      '198.51.100.2',
      JSON.stringify({ firstAt: T0, flagged: true }),
      T0,
    );
    const window = JSON.stringify({ times: [T0], flaggedAt: 0, total: 1, firstAt: T0, lastAt: T0 });
    insert.run('nginx', 'brute-force', '198.51.100.3', window, T0);
    migrate(db, migrations);

    const rows = db
      .prepare('SELECT source_id, detector, ip FROM log_detector_state ORDER BY source_id, detector, ip')
      .all();
    expect(rows).toEqual([
      { source_id: 'nginx', detector: 'brute-force', ip: '198.51.100.3' },
      { source_id: 'nginx', detector: 'first-seen-remote', ip: '#0' },
      { source_id: 'nginx', detector: 'first-seen-remote', ip: '#1' },
      { source_id: 'plex', detector: 'owner-new-address', ip: '#0' },
    ]);
    const repo = new LogReviewRepository(db);
    const [first, second] = repo
      .detectorState('nginx', 'first-seen-remote')
      .sort((a, b) => a.ip.localeCompare(b.ip));
    expect(JSON.parse(first?.state ?? '').ip).toHaveLength(SEEN_CHUNK_SIZE);
    expect(seenInChunk(first?.state ?? '', '203.0.0.3')).toEqual({
      firstAt: T0 + 3,
      flagged: true,
      user: 'eve',
    });
    // A row whose state was unreadable keeps the address, first seen at its last_at, not reported.
    expect(seenInChunk(second?.state ?? '', '198.51.100.1')).toEqual({
      firstAt: T0 + n,
      flagged: false,
      user: '',
    });
    expect(
      seenInChunk(repo.detectorState('plex', 'owner-new-address')[0]?.state ?? '', '198.51.100.2'),
    ).toEqual({ firstAt: T0, flagged: true, user: '' });

    // The detector restores the same table it had before, oldest first.
    const d = firstSeenRemote.create({
      source: { id: 'nginx', kind: 'nginx', path: '/dev/null' },
      settings: config.logs.settings.nginx,
      maxTracked: 100_000,
      changed: () => undefined,
    });
    d.restore(repo.detectorState('nginx', 'first-seen-remote'));
    const keys = (d.table as AddressTable<unknown>).keys();
    expect(keys).toHaveLength(n + 1);
    expect(keys.slice(0, 2)).toEqual(['203.0.0.0', '203.0.0.1']);
    expect(keys.at(-1)).toBe('198.51.100.1');
    expect(d.render('203.0.0.3')?.evidence).toContain('2026-11-25 19:30 UTC');
    expect(d.render('203.0.0.4'), 'learned quietly').toBeUndefined();
    db.close();
  });
});
