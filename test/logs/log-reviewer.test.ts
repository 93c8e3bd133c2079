import { appendFileSync, mkdirSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/adapters/sqlite/database.js';
import { LogReviewRepository } from '../../src/adapters/sqlite/log-review-repository.js';
import { type Env, loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { LogReviewer } from '../../src/logs/log-reviewer.js';
import { AddressScope } from '../../src/net/address-scope.js';
import { openTestDatabase } from '../harness/log-db.js';
import { ManualClock } from '../harness/manual-clock.js';
import { tempDir } from '../harness/test-env.js';

const NOW = Date.UTC(2026, 10, 25, 19, 31, 0);

function nginx(ip: string, status: number, path = '/login', second = 0): string {
  const s = String(second % 60).padStart(2, '0');
  return `${ip} - ${status === 401 ? 'admin' : '-'} [25/Nov/2026:19:30:${s} +0000] "GET ${path} HTTP/1.1" ${status} 0 "-" "-"\n`;
}

function plex(ip: string, status: number, path = '/myplex/claim'): string {
  return `Nov 25, 2026 19:30:00.000 [0x7f01] DEBUG - Completed: [${ip}:5555] ${status} GET ${path} (1 live) GZIP 0ms 1 bytes\n`;
}

describe('LogReviewer', () => {
  let dir: { path: string; remove(): void };
  let db: Database;
  let clock: ManualClock;
  const open: Database[] = [];

  beforeEach(() => {
    dir = tempDir('plex-warden-logs-');
    clock = new ManualClock(NOW);
    db = openTestDatabase(join(dir.path, 'db.sqlite'));
    open.push(db);
  });
  afterEach(() => {
    for (const d of open.splice(0)) if (d.open) d.close();
    dir.remove();
  });

  function reviewer(env: Env, extra: { isAllowed?: (ip: string) => boolean; database?: Database } = {}) {
    const config = loadConfig(
      { LOG_TIMEZONE: 'UTC', LOG_MAX_AGE: '3650d', ...env },
      { requireDiscord: false },
    );
    const repo = new LogReviewRepository(extra.database ?? db);
    return {
      repo,
      reviewer: new LogReviewer({
        logs: config.logs,
        scope: AddressScope.fromConfig(config.network, {
          extraAllowed: extra.isAllowed,
          now: () => clock.now(),
        }),
        repo,
        clock,
        logger: silentLogger(),
      }),
    };
  }

  const failures = (repo: LogReviewRepository, source = 'nginx') =>
    Object.fromEntries(repo.counts(source).map((c) => [c.ip, c.failures]));

  it('reports the /64 behind rotating addresses (a range key is no address, yet it is outside)', async () => {
    const file = join(dir.path, 'access.log');
    const lines = Array.from({ length: 30 }, (_, i) =>
      nginx(`2001:db8:5:6::${(i + 1).toString(16)}`, 401, '/login', i),
    );
    // One allowed /64 next to it: its findings drop out like an allowed address's.
    const allowed = Array.from({ length: 30 }, (_, i) =>
      nginx(`2001:db8:7:8::${(i + 1).toString(16)}`, 401, '/login', i),
    );
    writeFileSync(file, lines.join('') + allowed.join(''));
    const { reviewer: r } = reviewer(
      { LOG_SOURCES: `nginx:${file}` },
      { isAllowed: (ip) => ip.startsWith('2001:db8:7:8:') },
    );
    const result = await r.review();
    expect(result.findings.map((f) => f.key)).toEqual(['brute-force:nginx:2001:db8:5:6::/64']);
  });

  it('reads only new bytes and leaves a partial last line for the next pass', async () => {
    const file = join(dir.path, 'access.log');
    writeFileSync(file, nginx('203.0.113.7', 401).repeat(3));
    const { reviewer: r, repo } = reviewer({ LOG_SOURCES: `nginx:${file}` });
    const first = await r.review();
    expect(first.sources[0]).toMatchObject({ status: 'ok', lines: 3, firstRun: true });
    const half = nginx('203.0.113.7', 401);
    appendFileSync(file, nginx('203.0.113.7', 401) + half.slice(0, 20));
    expect((await r.review()).sources[0]).toMatchObject({ lines: 1 });
    expect(failures(repo)).toEqual({ '203.0.113.7': 4 });
    appendFileSync(file, half.slice(20));
    expect((await r.review()).sources[0]).toMatchObject({ lines: 1 });
    expect((await r.review()).sources[0]).toMatchObject({ lines: 0, bytes: 0 });
    expect(failures(repo)).toEqual({ '203.0.113.7': 5 });
  });

  it('flags brute force with a block suggestion, across a restart, and never LAN or allow-listed addresses', async () => {
    const file = join(dir.path, 'access.log');
    const env = {
      LOG_SOURCES: `nginx:${file}`,
      LOG_MAX_RETRY: '5',
      ALLOWLIST: '198.51.100.0/24',
      LOG_BAN_DURATION: '2h',
    };
    writeFileSync(file, '');
    const a = reviewer(env, { isAllowed: (ip) => ip === '203.0.113.99' });
    await a.reviewer.review();
    let lines = '';
    for (let i = 0; i < 3; i++) {
      for (const ip of ['203.0.113.7', '192.168.1.5', '198.51.100.4', '203.0.113.99'])
        lines += nginx(ip, 401, '/login', i);
    }
    appendFileSync(file, lines);
    expect((await a.reviewer.review()).findings).toEqual([]);
    // A new process: the window of 203.0.113.7 (3 failures) must survive.
    const b = reviewer(env, { isAllowed: (ip) => ip === '203.0.113.99' });
    appendFileSync(file, lines);
    const result = await b.reviewer.review();
    expect(result.findings.map((f) => f.key)).toEqual(['brute-force:nginx:203.0.113.7']);
    expect(result.findings[0]?.action).toEqual({
      kind: 'block-ip',
      ip: '203.0.113.7',
      durationMs: 7_200_000,
      reason: expect.stringContaining('brute force on nginx'),
    });
    // Counts still include every address (they are statistics, not findings).
    expect(failures(b.repo)).toEqual({
      '203.0.113.7': 6,
      '192.168.1.5': 6,
      '198.51.100.4': 6,
      '203.0.113.99': 6,
    });
  });

  it('drops the findings of an address allowed after it was flagged (the lifecycle resolves them)', async () => {
    const file = join(dir.path, 'access.log');
    writeFileSync(file, '');
    const allowed = new Set<string>();
    const { reviewer: r } = reviewer(
      { LOG_SOURCES: `nginx:${file}`, LOG_MAX_RETRY: '3' },
      { isAllowed: (ip) => allowed.has(ip) },
    );
    await r.review();
    appendFileSync(file, nginx('203.0.113.7', 401).repeat(3));
    expect((await r.review()).findings.map((f) => f.key)).toEqual(['brute-force:nginx:203.0.113.7']);
    allowed.add('203.0.113.7');
    expect((await r.review()).findings).toEqual([]);
  });

  it('finishes a renamed file by inode before starting the new one (logrotate create)', async () => {
    const file = join(dir.path, 'access.log');
    writeFileSync(file, nginx('203.0.113.1', 401));
    const { reviewer: r, repo } = reviewer({ LOG_SOURCES: `nginx:${file}` });
    await r.review();
    appendFileSync(file, nginx('203.0.113.1', 401));
    renameSync(file, `${file}.1`);
    // The server still writes to the renamed file until it reopens its log.
    appendFileSync(`${file}.1`, nginx('203.0.113.1', 401));
    writeFileSync(file, nginx('203.0.113.2', 401).repeat(2));
    const result = await r.review();
    expect(result.sources[0]).toMatchObject({ rotated: true, lines: 4 });
    expect(failures(repo)).toEqual({ '203.0.113.1': 3, '203.0.113.2': 2 });
    appendFileSync(file, nginx('203.0.113.2', 401));
    await r.review();
    expect(failures(repo)).toEqual({ '203.0.113.1': 3, '203.0.113.2': 3 });
  });

  it("follows Plex's .1.log ... .5.log shuffle in a Logs folder", async () => {
    const logs = join(dir.path, 'Logs');
    mkdirSync(logs);
    const main = join(logs, 'Plex Media Server.log');
    writeFileSync(main, plex('203.0.113.5', 401));
    const { reviewer: r, repo } = reviewer({ LOG_SOURCES: `plex:${logs}` });
    await r.review();
    appendFileSync(main, plex('203.0.113.5', 401));
    // Plex shifts .1 -> .2, main -> .1, and starts a new main file.
    writeFileSync(join(logs, 'Plex Media Server.1.log'), plex('203.0.113.250', 401));
    renameSync(join(logs, 'Plex Media Server.1.log'), join(logs, 'Plex Media Server.2.log'));
    renameSync(main, join(logs, 'Plex Media Server.1.log'));
    writeFileSync(main, plex('203.0.113.6', 401));
    const result = await r.review();
    expect(result.sources[0]).toMatchObject({ rotated: true, lines: 2 });
    expect(failures(repo, 'plex')).toEqual({ '203.0.113.5': 2, '203.0.113.6': 1 });
  });

  it('starts over after truncation, also when the file regrew past the old offset (copytruncate)', async () => {
    const file = join(dir.path, 'access.log');
    writeFileSync(file, nginx('203.0.113.1', 401).repeat(2));
    const { reviewer: r, repo } = reviewer({ LOG_SOURCES: `nginx:${file}` });
    await r.review();
    truncateSync(file, 0);
    writeFileSync(file, nginx('203.0.113.2', 401));
    expect((await r.review()).sources[0]).toMatchObject({ truncated: true, lines: 1 });
    // Truncated and rewritten with more bytes than before: only the first bytes tell.
    truncateSync(file, 0);
    writeFileSync(file, nginx('203.0.113.3', 401).repeat(3));
    expect((await r.review()).sources[0]).toMatchObject({ truncated: true, lines: 3 });
    expect(failures(repo)).toEqual({ '203.0.113.1': 2, '203.0.113.2': 1, '203.0.113.3': 3 });
  });

  it('backfills only the configured tail of a huge existing file, from a line start', async () => {
    const file = join(dir.path, 'access.log');
    writeFileSync(file, nginx('203.0.113.1', 401).repeat(1000) + nginx('203.0.113.2', 401).repeat(10));
    const tail = nginx('203.0.113.2', 401).length * 10 + 5;
    const { reviewer: r, repo } = reviewer({
      LOG_SOURCES: `nginx:${file}`,
      LOG_BACKFILL_BYTES: String(tail),
    });
    expect((await r.review()).sources[0]).toMatchObject({ lines: 10, skipped: 0 });
    expect(failures(repo)).toEqual({ '203.0.113.2': 10 });
  });

  it('keeps the first backfilled line when the window starts exactly at a line start', async () => {
    const file = join(dir.path, 'access.log');
    writeFileSync(file, nginx('203.0.113.1', 401).repeat(5) + nginx('203.0.113.2', 401).repeat(3));
    const tail = nginx('203.0.113.2', 401).length * 3;
    const { reviewer: r, repo } = reviewer({
      LOG_SOURCES: `nginx:${file}`,
      LOG_BACKFILL_BYTES: String(tail),
    });
    expect((await r.review()).sources[0]).toMatchObject({ lines: 3 });
    expect(failures(repo)).toEqual({ '203.0.113.2': 3 });
  });

  it('learns first-seen addresses quietly on the first pass, then reports a new one; findings expire', async () => {
    const file = join(dir.path, 'access.log');
    writeFileSync(file, nginx('203.0.113.1', 200, '/') + nginx('192.168.1.9', 200, '/'));
    const { reviewer: r } = reviewer({ LOG_SOURCES: `nginx:${file}`, LOG_FINDING_RETENTION: '1h' });
    expect((await r.review()).findings).toEqual([]);
    appendFileSync(
      file,
      nginx('203.0.113.1', 200, '/') + nginx('203.0.113.2', 200, '/') + nginx('192.168.1.10', 200, '/'),
    );
    const result = await r.review();
    expect(result.findings.map((f) => f.key)).toEqual(['first-seen-remote:nginx:203.0.113.2']);
    expect(result.findings[0]?.action).toBeUndefined();
    clock.advance(2 * 3_600_000);
    expect((await r.review()).findings).toEqual([]);
  });

  it('reads a 1 MB line between normal ones, CRLF endings and invalid UTF-8 through the engine', async () => {
    const file = join(dir.path, 'access.log');
    const long = nginx('203.0.113.1', 404, `/${'a'.repeat(1024 * 1024)}`);
    const crlf = nginx('203.0.113.2', 401).replace('\n', '\r\n');
    const bytes = Buffer.concat([
      Buffer.from(nginx('203.0.113.1', 401) + long + crlf),
      Buffer.from('203.0.113.3 - admin [25/Nov/2026:19:30:00 +0000] "GET /caf'),
      Buffer.from([0xe9, 0xff, 0xfe]),
      Buffer.from(' HTTP/1.1" 401 0 "-" "-"\n'),
    ]);
    writeFileSync(file, bytes);
    const { reviewer: r, repo } = reviewer({ LOG_SOURCES: `nginx:${file}` });
    expect((await r.review()).sources[0]).toMatchObject({ lines: 4, matched: 4, skipped: 0 });
    expect(failures(repo)).toEqual({ '203.0.113.1': 1, '203.0.113.2': 1, '203.0.113.3': 1 });
    expect(repo.counts('nginx').find((c) => c.ip === '203.0.113.1')?.clientErrors).toBe(2);
  });

  it('reports a missing file without failing the other sources', async () => {
    const file = join(dir.path, 'access.log');
    writeFileSync(file, nginx('203.0.113.1', 401));
    const { reviewer: r } = reviewer({ LOG_SOURCES: `nginx:${join(dir.path, 'nope.log')},nginx:${file}` });
    const result = await r.review();
    expect(result.sources.map((s) => [s.sourceId, s.status])).toEqual([
      ['nginx', 'missing'],
      ['nginx-2', 'ok'],
    ]);
  });
});
