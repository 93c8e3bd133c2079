import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/adapters/sqlite/database.js';
import { DAILY_RETENTION_MS, LogReviewRepository } from '../../src/adapters/sqlite/log-review-repository.js';
import { ReportRepository } from '../../src/adapters/sqlite/report-repository.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { LogReviewer } from '../../src/logs/log-reviewer.js';
import { AddressScope } from '../../src/net/address-scope.js';
import { openTestDatabase } from '../harness/log-db.js';
import { ManualClock } from '../harness/manual-clock.js';
import { tempDir } from '../harness/test-env.js';

/** Noon UTC: the same calendar day in every zone from UTC-11 to UTC+11, whatever TZ runs this. */
function nginx(ip: string, status: number, day: number, path = '/login'): string {
  return `${ip} - - [${day}/Nov/2026:12:00:00 +0000] "GET ${path} HTTP/1.1" ${status} 0 "-" "-"\n`;
}

describe('daily counts for the weekly picture (written by the log review)', () => {
  let dir: { path: string; remove(): void };
  let db: Database;
  const clock = new ManualClock(Date.UTC(2026, 10, 26, 12));

  beforeEach(() => {
    dir = tempDir('plex-warden-daily-');
    db = openTestDatabase(join(dir.path, 'db.sqlite'));
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  const reviewer = (file: string) => {
    const config = loadConfig(
      { LOG_SOURCES: `nginx:${file}`, LOG_TIMEZONE: 'UTC', LOG_MAX_AGE: '3650d' },
      { requireDiscord: false },
    );
    return new LogReviewer({
      logs: config.logs,
      scope: AddressScope.fromConfig(config.network, { now: () => clock.now() }),
      repo: new LogReviewRepository(db),
      clock,
      logger: silentLogger(),
    });
  };

  it('counts failures and 4xx per local day of the line, once, across passes', async () => {
    const file = join(dir.path, 'access.log');
    writeFileSync(file, nginx('203.0.113.7', 401, 24).repeat(3) + nginx('203.0.113.7', 404, 24, '/wp-admin'));
    const r = reviewer(file);
    await r.review();
    appendFileSync(file, nginx('203.0.113.7', 401, 25) + nginx('198.51.100.20', 404, 25, '/.env').repeat(2));
    await r.review();
    await r.review();
    const report = new ReportRepository(db);
    const rows = report.dailyBySource('2026-11-01', '2026-11-30');
    // A 401 is a failed sign-in and a 4xx answer too (brute force and probing both see it).
    expect(rows).toEqual([
      { day: '2026-11-24', sourceId: 'nginx', failures: 3, clientErrors: 4 },
      { day: '2026-11-25', sourceId: 'nginx', failures: 1, clientErrors: 3 },
    ]);
    expect(report.knocks('2026-11-25', '2026-11-25').map((k) => k.ip)).toEqual(
      expect.arrayContaining(['198.51.100.20', '203.0.113.7']),
    );
  });

  it('drops days older than the retention on the next commit', async () => {
    const file = join(dir.path, 'access.log');
    writeFileSync(file, nginx('203.0.113.7', 401, 24));
    await reviewer(file).review();
    const later = new ManualClock(Date.UTC(2026, 10, 26, 12) + DAILY_RETENTION_MS + 2 * 86_400_000);
    const config = loadConfig(
      { LOG_SOURCES: `nginx:${file}`, LOG_TIMEZONE: 'UTC', LOG_MAX_AGE: '3650d' },
      { requireDiscord: false },
    );
    appendFileSync(file, nginx('203.0.113.8', 401, 25));
    await new LogReviewer({
      logs: config.logs,
      scope: AddressScope.fromConfig(config.network, { now: () => later.now() }),
      repo: new LogReviewRepository(db),
      clock: later,
      logger: silentLogger(),
    }).review();
    expect(new ReportRepository(db).dailyBySource('2000-01-01', '2100-01-01')).toEqual([]);
  });
});
