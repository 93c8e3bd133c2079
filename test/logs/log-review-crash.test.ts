import { appendFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogReviewRepository } from '../../src/adapters/sqlite/log-review-repository.js';
import { openTestDatabase } from '../harness/log-db.js';
import { runReviewChild } from '../harness/review-child-runner.js';
import { tempDir } from '../harness/test-env.js';

function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a * 1103515245 + 12345) & 0x7fffffff;
    return a / 0x7fffffff;
  };
}

/** A failed login from a distinct address on every line (IPv6, 4,096 per /48). */
function floodOfFailures(lines: number): string {
  let text = '';
  for (let i = 0; i < lines; i++) {
    const ip = `2a02:${(i >> 12).toString(16)}:${(i & 0xfff).toString(16)}::${(i % 7) + 1}`;
    text += `${ip} - admin [25/Nov/2026:19:30:${String(i % 60).padStart(2, '0')} +0000] "POST /login HTTP/1.1" 401 0 "-" "-"\n`;
  }
  return text;
}

/**
 * The flood above with a success from yet another new address after every failure: those are
 * the seen detectors' (first-seen-remote), stored in chunks of addresses.
 */
function floodWithNewcomers(lines: number): string {
  const failures = floodOfFailures(lines).trimEnd().split('\n');
  return failures
    .map((line, i) => {
      const ip = `2a03:${(i >> 12).toString(16)}:${(i & 0xfff).toString(16)}::1`;
      return `${line}\n${ip} - - [25/Nov/2026:19:30:${String(i % 60).padStart(2, '0')} +0000] "GET / HTTP/1.1" 200 9 "-" "-"\n`;
    })
    .join('');
}

/** Only row-count commit points (none by bytes), and no count row pruned. */
const FLOOD_ENV = { LOG_COMMIT_BYTES: '1g', LOG_COMMIT_ROWS: '2000', LOG_COUNTS_MAX_ADDRESSES: '1000000' };

describe('log review survives kill -9 at any moment', () => {
  const dirs: { remove(): void }[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });

  it('counts every line exactly once across SIGKILLs, restarts and a growing file', async () => {
    const dir = tempDir('plex-warden-crash-');
    dirs.push(dir);
    const file = join(dir.path, 'access.log');
    const db = join(dir.path, 'db.sqlite');
    const random = rng(7);
    const truth = new Map<string, number>();
    const batch = (n: number) => {
      let text = '';
      for (let i = 0; i < n; i++) {
        const ip = `203.0.${Math.floor(random() * 4)}.${Math.floor(random() * 250) + 1}`;
        const status = random() < 0.5 ? 401 : 200;
        if (status === 401) truth.set(ip, (truth.get(ip) ?? 0) + 1);
        text += `${ip} - ${status === 401 ? 'admin' : '-'} [25/Nov/2026:19:30:${String(i % 60).padStart(2, '0')} +0000] "GET /p/${i} HTTP/1.1" ${status} 0 "-" "-"\n`;
      }
      return text;
    };
    writeFileSync(file, batch(30_000));
    let kills = 0;
    let midway = 0;
    for (let round = 0; round < 6; round++) {
      const outcome = await runReviewChild(file, db, Math.floor(random() * 400));
      if (outcome === 'killed') {
        kills++;
        // Proof the kill landed in the middle of the work: some, not all, was committed.
        const peek = openTestDatabase(db);
        const offset = new LogReviewRepository(peek).file('nginx')?.offset ?? 0;
        peek.close();
        if (offset > 0 && offset < statSync(file).size) midway++;
      }
      // The file keeps growing between crashes, sometimes ending in half a line.
      appendFileSync(file, batch(2_000));
    }
    expect(kills).toBeGreaterThan(0);
    expect(midway).toBeGreaterThan(0);
    expect(await runReviewChild(file, db, null)).toBe('done');

    const check = openTestDatabase(db);
    try {
      const repo = new LogReviewRepository(check);
      const counted = Object.fromEntries(repo.counts('nginx').map((c) => [c.ip, c.failures]));
      expect(counted).toEqual(Object.fromEntries(truth));
      expect(repo.file('nginx')?.lines).toBe(30_000 + 6 * 2_000);
    } finally {
      check.close();
    }
  }, 120_000);

  it('resumes a flood pass from its last row batch, not from zero, with exact counts', async () => {
    const dir = tempDir('plex-warden-crash-flood-');
    dirs.push(dir);
    const file = join(dir.path, 'access.log');
    const db = join(dir.path, 'db.sqlite');
    const lines = 60_000;
    writeFileSync(file, floodOfFailures(lines));
    // No byte-based commit point in the whole file: only the row batches commit mid-pass.
    const env = FLOOD_ENV;
    const offsetNow = () => {
      const peek = openTestDatabase(db);
      try {
        return new LogReviewRepository(peek).file('nginx')?.offset ?? 0;
      } finally {
        peek.close();
      }
    };
    const random = rng(11);
    const offsets: number[] = [];
    let midway = 0;
    for (let round = 0; round < 4; round++) {
      const outcome = await runReviewChild(file, db, 800 + Math.floor(random() * 1500), env);
      if (outcome === 'done') break;
      const offset = offsetNow();
      offsets.push(offset);
      if (offset > 0 && offset < statSync(file).size) midway++;
    }
    // Each restart kept what the killed run had committed: progress never went back to zero.
    expect(midway).toBeGreaterThan(0);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(await runReviewChild(file, db, null, env)).toBe('done');
    const check = openTestDatabase(db);
    try {
      const repo = new LogReviewRepository(check);
      const counts = repo.counts('nginx');
      expect(counts).toHaveLength(lines);
      expect(counts.every((c) => c.failures === 1)).toBe(true);
      expect(repo.file('nginx')?.lines).toBe(lines);
    } finally {
      check.close();
    }
  }, 180_000);

  it('a kill -9 inside any commit point of a flood loses no line and counts none twice', async () => {
    const dir = tempDir('plex-warden-crash-commit-');
    dirs.push(dir);
    const file = join(dir.path, 'access.log');
    const lines = 12_000;
    writeFileSync(file, floodWithNewcomers(lines));
    // Every failure a count row, a daily row and detector state, every success a new address of
    // first-seen-remote: each commit point has thousands of rows and rewrites a chunk of
    // addresses, more than one transaction's worth if a commit point were ever split.
    const env = FLOOD_ENV;
    // What the tables hold after one uninterrupted run: every killed run must end the same.
    const tables = (db: string) => {
      const check = openTestDatabase(db);
      try {
        return {
          counts: check.prepare('SELECT * FROM log_address_counts ORDER BY ip').all(),
          daily: check.prepare('SELECT * FROM log_daily_counts ORDER BY day, ip').all(),
          state: check
            .prepare('SELECT detector, ip, state, last_at FROM log_detector_state ORDER BY detector, ip')
            .all(),
          findings: check.prepare('SELECT key, last_at FROM log_findings ORDER BY key').all(),
          lines: new LogReviewRepository(check).file('nginx')?.lines,
        };
      } finally {
        check.close();
      }
    };
    const clean = join(dir.path, 'clean.sqlite');
    expect(await runReviewChild(file, clean, null, env)).toBe('done');
    const truth = tables(clean);
    expect(truth.counts).toHaveLength(lines);
    expect(truth.lines).toBe(2 * lines);
    expect(truth.state.length).toBeGreaterThan(0);
    // 12,000 new addresses in chunks of 1,024 (seen-chunks.ts): a dozen rows, not 12,000.
    const chunks = truth.state.filter((r) => (r as { detector: string }).detector === 'first-seen-remote');
    expect(chunks).toHaveLength(Math.ceil(lines / 1024));
    for (const killAt of [1, 2, 3, 5]) {
      const db = join(dir.path, `db-${killAt}.sqlite`);
      expect(await runReviewChild(file, db, null, env, killAt)).toBe('killed');
      expect(await runReviewChild(file, db, null, env)).toBe('done');
      expect(tables(db), `killed in commit ${killAt}`).toEqual(truth);
    }
  }, 180_000);
});
