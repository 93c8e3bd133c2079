import { appendFileSync, existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/adapters/sqlite/database.js';
import { loadConfig } from '../../src/config/index.js';
import { replayFile } from '../../src/logs/replay.js';
import type { SourcePassResult } from '../../src/logs/source-review.js';
import { fileReviewer } from '../harness/file-reviewer.js';
import { killedRotationRounds } from '../harness/killed-rotation-rounds.js';
import { openTestDatabase } from '../harness/log-db.js';
import { ManualClock } from '../harness/manual-clock.js';
import { tempDir } from '../harness/test-env.js';

const NOW = Date.UTC(2026, 10, 25, 19, 31, 0);
/** Every line differs (its second), as real log lines do: a file's head identifies it. */
let serial = 0;
const lines = (ip: string, n: number) => {
  let text = '';
  for (let i = 0; i < n; i++, serial++)
    text += `${ip} - admin [25/Nov/2026:19:${String(10 + (Math.floor(serial / 60) % 50)).padStart(2, '0')}:${String(serial % 60).padStart(2, '0')} +0000] "GET /login?n=${serial} HTTP/1.1" 401 0 "-" "-"\n`;
  return text;
};

/** logrotate's `compress`: the rotated file is replaced by its .gz (a new inode), the plain one removed. */
function compress(path: string): void {
  writeFileSync(`${path}.gz`, gzipSync(readFileSync(path)));
  unlinkSync(path);
}

/**
 * One logrotate run with `create` and `compress`, numbered: `.N.gz` to `.N+1.gz`, then the live
 * file to `.1`, compressed at once unless `delaycompress` (then `.1` is compressed on the next run).
 */
function rotate(file: string, delaycompress: boolean): void {
  for (let n = 20; n >= 1; n--)
    if (existsSync(`${file}.${n}.gz`)) renameSync(`${file}.${n}.gz`, `${file}.${n + 1}.gz`);
  // A `.1` left plain by an earlier delaycompress run is compressed as it moves on.
  if (existsSync(`${file}.1`)) {
    renameSync(`${file}.1`, `${file}.2`);
    compress(`${file}.2`);
  }
  renameSync(file, `${file}.1`);
  writeFileSync(file, '');
  if (!delaycompress) compress(`${file}.1`);
}

describe('rotated files compressed with gzip', () => {
  let dir: { path: string; remove(): void };
  let db: Database;
  let file: string;
  beforeEach(() => {
    dir = tempDir('plex-warden-gz-');
    db = openTestDatabase(join(dir.path, 'db.sqlite'));
    file = join(dir.path, 'access.log');
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  function reviewer() {
    const { reviewer: r, repo } = fileReviewer(db, `nginx:${file}`, new ManualClock(NOW));
    const counts = () => repo.counts('nginx').map((c) => [c.ip, c.failures]);
    /** One pass over the one source; a failed pass fails the test. */
    const pass = async (): Promise<SourcePassResult> => {
      const result = (await r.review()).sources[0];
      if (!result || result.status === 'error') throw new Error(`pass failed: ${JSON.stringify(result)}`);
      return result;
    };
    return { counts, pass };
  }

  it('compress without delaycompress: the unread tail is read from access.log.1.gz', async () => {
    writeFileSync(file, lines('203.0.113.1', 3));
    const { counts, pass: review } = reviewer();
    await review();
    appendFileSync(file, lines('203.0.113.1', 2));
    rotate(file, false);
    appendFileSync(file, lines('203.0.113.2', 4));
    expect(await review()).toMatchObject({ rotated: true, lines: 2 + 4 });
    expect(counts()).toEqual([
      ['203.0.113.1', 5],
      ['203.0.113.2', 4],
    ]);
    expect(await review()).toMatchObject({ lines: 0 });
  });

  it('delaycompress, rotated twice: the tail from .2.gz, then .1 whole, then the live file, in that order', async () => {
    writeFileSync(file, lines('203.0.113.1', 3));
    const { counts, pass: review } = reviewer();
    await review();
    appendFileSync(file, lines('203.0.113.1', 2));
    rotate(file, true);
    appendFileSync(file, lines('203.0.113.2', 4));
    rotate(file, true);
    appendFileSync(file, lines('203.0.113.3', 5));
    expect(existsSync(`${file}.2.gz`) && existsSync(`${file}.1`)).toBe(true);
    expect(await review()).toMatchObject({ rotated: true, lines: 2 + 4 + 5 });
    expect(counts()).toEqual([
      ['203.0.113.1', 5],
      ['203.0.113.2', 4],
      ['203.0.113.3', 5],
    ]);
    expect(await review()).toMatchObject({ lines: 0 });
  });

  it('compress, rotated three times: the middle .gz files are read whole, oldest first, exactly once', async () => {
    writeFileSync(file, lines('203.0.113.1', 3));
    const { counts, pass: review } = reviewer();
    await review();
    appendFileSync(file, lines('203.0.113.1', 1));
    for (const [n, ip] of [
      [2, '203.0.113.2'],
      [3, '203.0.113.3'],
    ] as const) {
      rotate(file, false);
      appendFileSync(file, lines(ip, n));
    }
    rotate(file, false);
    appendFileSync(file, lines('203.0.113.4', 4));
    expect(await review()).toMatchObject({ rotated: true, lines: 1 + 2 + 3 + 4 });
    expect(counts()).toEqual([
      ['203.0.113.1', 4],
      ['203.0.113.2', 2],
      ['203.0.113.3', 3],
      ['203.0.113.4', 4],
    ]);
  });

  it('a truncated .gz in the middle: its whole lines count, the cut line is dropped and reported, nothing else is lost', async () => {
    writeFileSync(file, lines('203.0.113.1', 3));
    const { counts, pass: review } = reviewer();
    await review();
    appendFileSync(file, lines('203.0.113.1', 2));
    rotate(file, false);
    appendFileSync(file, lines('203.0.113.2', 2000));
    rotate(file, false);
    appendFileSync(file, lines('203.0.113.3', 5));
    // The middle archive cut short, as a full disk or an interrupted copy leaves it.
    const gz = readFileSync(`${file}.1.gz`);
    writeFileSync(`${file}.1.gz`, gz.subarray(0, Math.floor(gz.length / 2)));
    const pass = await review();
    expect(pass).toMatchObject({ rotated: true });
    expect(pass.problem).toMatch(/access\.log\.1\.gz is truncated or corrupt/);
    const got = Object.fromEntries(counts());
    expect(got['203.0.113.1']).toBe(5);
    expect(got['203.0.113.3']).toBe(5);
    // Some whole lines of the damaged file were readable; never more than it had.
    expect(got['203.0.113.2']).toBeGreaterThan(0);
    expect(got['203.0.113.2']).toBeLessThan(2000);
    expect(pass.skipped).toBe(1);
    // The damaged file is behind the committed position now: not read (nor reported) again.
    const again = await review();
    expect(again).toMatchObject({ lines: 0 });
    expect(again.problem).toBeUndefined();
  });

  it('a .gz that is not gzip at all is reported and skipped; the files after it are read', async () => {
    writeFileSync(file, lines('203.0.113.1', 3));
    const { counts, pass: review } = reviewer();
    await review();
    appendFileSync(file, lines('203.0.113.1', 2));
    rotate(file, false);
    appendFileSync(file, lines('203.0.113.2', 3));
    rotate(file, false);
    appendFileSync(file, lines('203.0.113.3', 4));
    writeFileSync(`${file}.1.gz`, 'this is not gzip\n');
    const pass = await review();
    expect(pass.problem).toMatch(/access\.log\.1\.gz is truncated or corrupt \(Z_DATA_ERROR\)/);
    expect(counts()).toEqual([
      ['203.0.113.1', 5],
      ['203.0.113.3', 4],
    ]);
  });

  it('a line longer than the bound inside a .gz is dropped and counted; the next line counts', async () => {
    writeFileSync(file, lines('203.0.113.1', 1));
    const { counts, pass: review } = reviewer();
    await review();
    appendFileSync(file, `${'x'.repeat(17 * 1024 * 1024)}\n`);
    appendFileSync(file, lines('203.0.113.1', 1));
    rotate(file, false);
    const pass = await review();
    expect(pass).toMatchObject({ rotated: true, skipped: 1 });
    expect(counts()).toEqual([['203.0.113.1', 2]]);
  });

  it('replay reads a rotated .gz as it was before compression', async () => {
    const text = lines('203.0.113.5', 12);
    writeFileSync(`${file}.3.gz`, gzipSync(text));
    const config = loadConfig({ LOG_TIMEZONE: 'UTC' }, { requireDiscord: false });
    const result = await replayFile(`${file}.3.gz`, 'nginx', {
      logs: config.logs,
      network: config.network,
      now: () => NOW,
    });
    expect(result).toMatchObject({ lines: 12, matched: 12, skipped: 0 });
    expect(result.findings.map((f) => f.key)).toContain('brute-force:nginx:203.0.113.5');
  });

  it('compress and delaycompress rotations between SIGKILLed passes: every line counted exactly once', async () => {
    const { kills, truth, counted } = await killedRotationRounds({
      file,
      dbPath: join(dir.path, 'crash.sqlite'),
      seed: 11,
      line: (ip) => lines(ip, 1),
      rotate: (round) => rotate(file, round % 2 === 0),
    });
    expect(kills).toBeGreaterThan(0);
    expect(counted).toEqual(truth);
  }, 120_000);
});
