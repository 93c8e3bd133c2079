import { execFileSync } from 'node:child_process';
import { appendFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/adapters/sqlite/database.js';
import { LogReviewRepository } from '../../src/adapters/sqlite/log-review-repository.js';
import { loadConfig } from '../../src/config/index.js';
import { logSources } from '../../src/doctor/log-sources.js';
import type { ProbeContext } from '../../src/doctor/types.js';
import type { Logger } from '../../src/kernel/logger.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { DockerUnwrapper } from '../../src/logs/acquire/docker-cursor.js';
import { LogReviewer } from '../../src/logs/log-reviewer.js';
import { replayFile } from '../../src/logs/replay.js';
import { AddressScope } from '../../src/net/address-scope.js';
import { openTestDatabase } from '../harness/log-db.js';
import { ManualClock } from '../harness/manual-clock.js';
import { tempDir } from '../harness/test-env.js';

const NOW = Date.UTC(2026, 10, 25, 19, 31, 0);
const nginx = (ip: string, status: number, i = 0) =>
  `${ip} - - [25/Nov/2026:19:30:${String(i % 60).padStart(2, '0')} +0000] "GET /login HTTP/1.1" ${status} 0 "-" "-"\n`;

describe('sources that are not plain files', () => {
  let dir: { path: string; remove(): void };
  let db: Database;
  beforeEach(() => {
    dir = tempDir('plex-warden-special-');
    db = openTestDatabase(join(dir.path, 'db.sqlite'));
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  function setup(sources: string) {
    const env = { LOG_SOURCES: sources, LOG_TIMEZONE: 'UTC', LOG_MAX_AGE: '3650d' };
    const config = loadConfig(env, { requireDiscord: false });
    const warnings: { msg: string; fields: unknown }[] = [];
    const logger = silentLogger();
    logger.warn = ((msg: string, fields?: unknown) => {
      warnings.push({ msg, fields });
      return logger;
    }) as Logger['warn'];
    const repo = new LogReviewRepository(db);
    const reviewer = new LogReviewer({
      logs: config.logs,
      scope: AddressScope.fromConfig(config.network, { now: () => NOW }),
      repo,
      clock: new ManualClock(NOW),
      logger,
    });
    return { config, reviewer, repo, warnings };
  }

  it('a FIFO in place of a log is reported, not opened; the other sources are read and the loop keeps turning', async () => {
    const fifo = join(dir.path, 'access.log');
    execFileSync('mkfifo', [fifo]);
    const real = join(dir.path, 'other.log');
    writeFileSync(real, nginx('203.0.113.9', 401).repeat(3));
    const { config, reviewer, repo, warnings } = setup(
      `nginx:${fifo},other=nginx:${real},dev=nginx:/dev/zero,dir=nginx:${dir.path}`,
    );
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    // Nobody ever writes to the FIFO: a blocking open would hang here for good.
    const result = await reviewer.review();
    await new Promise((r) => setTimeout(r, 20));
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
    expect(result.sources.map((s) => [s.sourceId, s.status])).toEqual([
      ['nginx', 'not-a-file'],
      ['other', 'ok'],
      ['dev', 'not-a-file'],
      ['dir', 'not-a-file'],
    ]);
    expect(result.sources[0]).toMatchObject({
      problem: `${fifo} is a FIFO (named pipe), not a log file: not read`,
    });
    expect(result.sources[2]).toMatchObject({ problem: '/dev/zero is a device, not a log file: not read' });
    expect(warnings.filter((w) => w.msg.includes('not a regular file'))).toHaveLength(3);
    expect(repo.counts('other')[0]?.failures).toBe(3);
    expect(repo.source('nginx')).toBeUndefined();

    const ctx = {
      config,
      signal: new AbortController().signal,
      shared: { once: (_k: string, f: () => Promise<unknown>) => f() },
    } as unknown as ProbeContext;
    const probe = await logSources.run(ctx);
    expect(probe.status).toBe('fail');
    expect(probe.detail).toContain(`nginx: ${fifo} is a FIFO (named pipe), not a log file`);
    expect(probe.detail).toContain('dev: /dev/zero is a device');
    expect(probe.detail).not.toContain('other:');
  });

  it('a Docker json-file log is read line by line, a split line joined, through the live reviewer', async () => {
    const file = join(dir.path, 'c-json.log');
    const entry = (log: string, stream = 'stdout') =>
      `${JSON.stringify({ log, stream, time: '2026-11-25T19:30:00.000000000Z' })}\n`;
    const line = nginx('203.0.113.7', 401).slice(0, -1);
    writeFileSync(
      file,
      entry(`${line}\n`) +
        entry(line.slice(0, 20)) +
        entry(`${line.slice(20)}\n`, 'stderr') +
        entry(`${line}\n`),
    );
    const { reviewer, repo } = setup(`nginx:docker:${file}`);
    const r = await reviewer.review();
    expect(r.sources[0]).toMatchObject({ status: 'ok', lines: 3, matched: 3 });
    expect(repo.counts('nginx')[0]).toMatchObject({ ip: '203.0.113.7', failures: 3 });
    const { config } = setup('');
    const deps = { logs: config.logs, network: config.network, now: () => NOW };
    const replayed = await replayFile(file, 'nginx', deps, { via: 'docker' });
    expect(replayed).toMatchObject({ lines: 3, matched: 3 });
    // Without --docker the JSON lines are not nginx lines.
    expect(await replayFile(file, 'nginx', deps)).toMatchObject({ lines: 4, matched: 0 });
  });

  it('a huge sparse file is crossed in steps: the event loop keeps turning and the line after the hole counts', async () => {
    const file = join(dir.path, 'sparse.log');
    writeFileSync(file, nginx('203.0.113.5', 401));
    // A hole of NULs, as copytruncate leaves behind a writer without O_APPEND.
    truncateSync(file, 512 * 1024 ** 2);
    appendFileSync(file, `\n${nginx('203.0.113.6', 401)}`);
    const env = {
      LOG_SOURCES: `nginx:${file}`,
      LOG_TIMEZONE: 'UTC',
      LOG_MAX_AGE: '3650d',
      LOG_BACKFILL_BYTES: '4g',
    };
    const config = loadConfig(env, { requireDiscord: false });
    const repo = new LogReviewRepository(db);
    const reviewer = new LogReviewer({
      logs: config.logs,
      scope: AddressScope.fromConfig(config.network, { now: () => NOW }),
      repo,
      clock: new ManualClock(NOW),
      logger: silentLogger(),
    });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const result = await reviewer.review();
    clearInterval(timer);
    expect(result.sources[0]).toMatchObject({ status: 'ok', lines: 2, skipped: 1 });
    expect(repo.counts('nginx').map((c) => c.ip)).toEqual(['203.0.113.5', '203.0.113.6']);
    // The pass gave the loop many turns while it crossed 512 MiB (not a timing claim: a count).
    expect(ticks).toBeGreaterThan(10);
  }, 60_000);

  it('replay refuses a FIFO instead of hanging on it', async () => {
    const fifo = join(dir.path, 'pipe.log');
    execFileSync('mkfifo', [fifo]);
    const { config } = setup('');
    const deps = { logs: config.logs, network: config.network, now: () => NOW };
    await expect(replayFile(fifo, 'nginx', deps)).rejects.toThrow('is a FIFO (named pipe): give a log file.');
  });

  it('the unwrapper keeps a message split over entries pending, never a forged second line', () => {
    const u = new DockerUnwrapper();
    const e = (log: string) => JSON.stringify({ log, stream: 'stdout', time: 't' });
    expect(u.unwrap(`${e('GET /a\r\nforged line\n')}\n${e('half')}\n`)).toBe('GET /a  forged line\n');
    expect(u.pendingBytes).toBe(e('half').length + 1);
    expect(u.unwrap(`${e(' done\n')}\nnot json\n`)).toBe('half done\n');
    expect(u.pendingBytes).toBe(0);
    expect(u.dropped).toBe(1);
  });
});
