import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogReviewRepository } from '../../src/adapters/sqlite/log-review-repository.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/kernel/logger.js';
import type {
  FilePosition,
  SourceCursor,
  SourcePassPlan,
  SourcePosition,
  SourceSegment,
} from '../../src/logs/acquire/types.js';
import { DetectorSet } from '../../src/logs/detect/detector-set.js';
import { SUGGESTED_ACTIONS, toFindingDraft } from '../../src/logs/detect/suggested-actions.js';
import { detectors } from '../../src/logs/detectors/index.js';
import type { Detection } from '../../src/logs/detectors/types.js';
import { LogReviewer } from '../../src/logs/log-reviewer.js';
import { MemoryReviewStore } from '../../src/logs/memory-review-store.js';
import { createParser } from '../../src/logs/parsers/index.js';
import { replayFile } from '../../src/logs/replay.js';
import type { SourceCommit } from '../../src/logs/review-store.js';
import { SourceReview } from '../../src/logs/source-review.js';
import { AddressScope } from '../../src/net/address-scope.js';
import { openTestDatabase } from '../harness/log-db.js';
import { ManualClock } from '../harness/manual-clock.js';
import { tempDir } from '../harness/test-env.js';

const NOW = Date.UTC(2026, 10, 25, 19, 31, 0);
const config = loadConfig(
  { LOG_TIMEZONE: 'UTC', LOG_MAX_AGE: '3650d', LOG_COMMIT_BYTES: '1' },
  { requireDiscord: false },
);
const addresses = { scope: AddressScope.fromConfig(config.network), cacheSize: 1000 };

function nginx(ip: string, status: number, path = '/login', second = 0): string {
  const s = String(second % 60).padStart(2, '0');
  return `${ip} - ${status === 401 ? 'admin' : '-'} [25/Nov/2026:19:30:${s} +0000] "GET ${path} HTTP/1.1" ${status} 0 "-" "-"\n`;
}

/** Brute force from one address, probing from another, ordinary traffic from a third and the LAN. */
function mixedLog(): string {
  let text = '';
  for (let i = 0; i < 12; i++) text += nginx('203.0.113.7', 401, '/login', i);
  for (let i = 0; i < 25; i++) text += nginx('198.51.100.9', 404, `/probe-${i}.php`, i);
  for (let i = 0; i < 5; i++) text += nginx('192.0.2.44', 200, '/', i) + nginx('192.168.1.5', 401, '/', i);
  return text;
}

describe('reverse proxies and tokens through the whole loop', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('plex-warden-proxy-');
  });
  afterEach(() => dir.remove());

  const plexLine = (ms: number, what: string) =>
    `Nov 25, 2026 19:30:00.${String(ms).padStart(3, '0')} [0x7f1] DEBUG - ${what}\n`;

  it('a 401 to a request without a token raises nothing; a refused token does', async () => {
    const file = join(dir.path, 'Plex Media Server.log');
    writeFileSync(
      file,
      plexLine(1, 'Request: [154.47.17.151:8753 (WAN)] GET / (4 live) #6 TLS GZIP Token ()') +
        plexLine(2, 'Completed: [154.47.17.151:8753] 401 GET / (4 live) #6 TLS GZIP 0ms 379 bytes') +
        plexLine(3, 'Request: [154.47.17.152:8753 (WAN)] GET /accounts (4 live) #7 TLS GZIP Token ()') +
        plexLine(4, 'Completed: [154.47.17.152:8753] 401 GET /accounts (4 live) #7 TLS GZIP 0ms 379 bytes'),
    );
    const none = await replayFile(file, 'plex', {
      logs: config.logs,
      network: config.network,
      now: () => NOW,
    });
    expect(none.findings).toEqual([]);
    expect(none.addresses.map((a) => [a.ip, a.failures, a.badTokens])).toEqual([['154.47.17.152', 0, 0]]);
    writeFileSync(
      file,
      plexLine(1, 'Request: [154.47.17.153:8753 (WAN)] GET /accounts (4 live) #8 GZIP Signed-in Token ()') +
        plexLine(2, 'Completed: [154.47.17.153:8753] 401 GET /accounts (4 live) #8 GZIP 0ms 379 bytes'),
    );
    const refused = await replayFile(file, 'plex', {
      logs: config.logs,
      network: config.network,
      now: () => NOW,
    });
    expect(refused.findings.map((f) => f.key)).toEqual(['bad-plex-token:plex:154.47.17.153']);
  });

  it('honours X-Forwarded-For only from TRUSTED_PROXIES', async () => {
    const file = join(dir.path, 'Plex Media Server.log');
    let text = '';
    for (let i = 0; i < 25; i++) {
      text +=
        plexLine(
          i,
          `Request: [172.30.0.2:${1000 + i} (WAN)] GET /probe-${i} (4 live) #${i} GZIP Signed-in Token (bob) / X-Forwarded-For => 61.43.124.100`,
        ) +
        plexLine(
          i,
          `Completed: [172.30.0.2:${1000 + i}] 401 GET /probe-${i} (4 live) #${i} GZIP 0ms 1 bytes`,
        );
    }
    writeFileSync(file, text);
    const env = { LOG_TIMEZONE: 'UTC', LOG_MAX_AGE: '3650d', LAN_CIDRS: '192.168.0.0/16' };
    const trusted = loadConfig({ ...env, TRUSTED_PROXIES: '172.30.0.0/16' }, { requireDiscord: false });
    const viaProxy = await replayFile(file, 'plex', {
      logs: trusted.logs,
      network: trusted.network,
      now: () => NOW,
    });
    expect(viaProxy.addresses.map((a) => [a.ip, a.failures])).toEqual([['61.43.124.100', 25]]);
    expect(viaProxy.findings.map((f) => f.key)).toContain('brute-force:plex:61.43.124.100');
    const untrusted = loadConfig(env, { requireDiscord: false });
    const direct = await replayFile(file, 'plex', {
      logs: untrusted.logs,
      network: untrusted.network,
      now: () => NOW,
    });
    expect(direct.addresses.map((a) => a.ip)).toEqual(['172.30.0.2']);
  });
});

describe('replay takes the live review path', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('plex-warden-pipeline-');
  });
  afterEach(() => dir.remove());

  it('replays findings in the order of their keys, wherever the commit points fell', async () => {
    const file = join(dir.path, 'access.log');
    let text = '';
    for (let i = 0; i < 25; i++) text += nginx('198.51.100.9', 404, `/probe-${i}.php`, i);
    // Past a 4 KiB chunk: with LOG_COMMIT_BYTES=1 the probing finding is rendered a commit earlier.
    for (let i = 0; i < 100; i++) text += nginx('192.0.2.44', 200, '/', i % 60);
    for (let i = 0; i < 12; i++) text += nginx('203.0.113.7', 401, '/login', i);
    writeFileSync(file, text);
    const keys = async (env: Record<string, string>) => {
      const c = loadConfig({ LOG_TIMEZONE: 'UTC', LOG_MAX_AGE: '3650d', ...env }, { requireDiscord: false });
      const r = await replayFile(file, 'nginx', { logs: c.logs, network: c.network, now: () => NOW });
      return r.findings.map((f) => f.key);
    };
    const expected = [
      'brute-force:nginx:203.0.113.7',
      // Only the address that got in (2xx) is a first sighting.
      'first-seen-remote:nginx:192.0.2.44',
      'probing:nginx:198.51.100.9',
    ];
    expect(await keys({ LOG_COMMIT_BYTES: '1' })).toEqual(expected);
    expect(await keys({})).toEqual(expected);
  });

  it('counts and flags the same as a live review of the same file', async () => {
    const file = join(dir.path, 'access.log');
    writeFileSync(file, mixedLog());
    const db = openTestDatabase(join(dir.path, 'db.sqlite'));
    try {
      const live = loadConfig(
        { LOG_TIMEZONE: 'UTC', LOG_MAX_AGE: '3650d', LOG_COMMIT_BYTES: '1', LOG_SOURCES: `nginx:${file}` },
        { requireDiscord: false },
      );
      const repo = new LogReviewRepository(db);
      const reviewer = new LogReviewer({
        logs: live.logs,
        scope: AddressScope.fromConfig(live.network),
        repo,
        clock: new ManualClock(NOW),
        logger: silentLogger(),
      });
      const reviewed = await reviewer.review();
      const replayed = await replayFile(file, 'nginx', {
        logs: live.logs,
        network: live.network,
        now: () => NOW,
      });

      const counts = (rows: readonly { ip: string; failures: number; clientErrors: number }[]) =>
        Object.fromEntries(rows.map((r) => [r.ip, [r.failures, r.clientErrors]]));
      expect(counts(replayed.addresses)).toEqual(counts(repo.counts('nginx')));
      expect(counts(replayed.addresses)).toEqual({
        '203.0.113.7': [12, 12],
        '198.51.100.9': [0, 25],
        '192.168.1.5': [5, 5],
      });
      expect(replayed.lines).toBe(
        reviewed.sources[0] && 'lines' in reviewed.sources[0] ? reviewed.sources[0].lines : -1,
      );
      // The live first pass learns its baseline quietly; replay has none, so it also reports
      // the new address that got in. Everything else is the same finding, action included.
      const byKey = <T extends { key: string }>(list: readonly T[]) =>
        [...list].sort((a, b) => a.key.localeCompare(b.key));
      expect(byKey(replayed.findings.filter((f) => !f.key.startsWith('first-seen-remote:')))).toEqual(
        byKey(reviewed.findings),
      );
      expect(replayed.findings.map((f) => f.key)).toContain('first-seen-remote:nginx:192.0.2.44');
      expect(reviewed.findings.map((f) => [f.key, f.action?.kind])).toEqual(
        expect.arrayContaining([
          ['brute-force:nginx:203.0.113.7', 'block-ip'],
          ['probing:nginx:198.51.100.9', 'block-ip'],
        ]),
      );
    } finally {
      db.close();
    }
  });
});

/**
 * A source that is not a file (as a journal read through `journalctl --after-cursor` will be):
 * lines in memory, the position an index into them. The loop must commit it and resume after it.
 */
/** The offset of a file position (these tests' cursor hands out file positions only). */
function offsetOf(p: SourcePosition | undefined): number | undefined {
  return p?.kind === 'file' ? p.offset : undefined;
}

class ListCursor implements SourceCursor {
  passes = 0;
  constructor(readonly lines: string[]) {}

  async pass(committed: SourcePosition | undefined): Promise<SourcePassPlan> {
    this.passes++;
    const lines = this.lines;
    let at = offsetOf(committed) ?? 0;
    const position = (): FilePosition => ({
      kind: 'file',
      path: 'list',
      dev: '0',
      ino: '0',
      headLen: 0,
      headHash: '',
      offset: at,
    });
    const segment: SourceSegment = {
      live: true,
      get position() {
        return position();
      },
      async next() {
        if (at >= lines.length) return null;
        const text = lines.slice(at, at + 2).join('');
        at = Math.min(lines.length, at + 2);
        return { text, bytes: text.length };
      },
      takeDroppedLines: () => 0,
    };
    return {
      path: 'list',
      status: 'ok',
      rotated: false,
      truncated: false,
      firstRun: committed === undefined,
      segments: [segment],
      close: () => undefined,
    };
  }
}

describe('the review loop over any cursor and store', () => {
  const source = { id: 'journal', kind: 'nginx', path: '/dev/null' } as const;
  const build = (store: MemoryReviewStore, cursor: SourceCursor, logs = config.logs) =>
    new SourceReview({
      source,
      cursor,
      parser: createParser('nginx', { timeZone: 'UTC', now: () => NOW }),
      detectors: new DetectorSet({
        source,
        settings: config.logs.settings.nginx,
        maxTracked: 1000,
        detectors,
      }),
      store,
      logs,
      now: () => NOW,
      learnBaseline: true,
    });

  it('deletes the windows a sweep ended after the lines landed, in transactions of LOG_COMMIT_ROWS', async () => {
    /** Per commit: the position and how many state rows it wrote or deleted. */
    const commits: { offset: number | undefined; rows: number }[] = [];
    const store = new (class extends MemoryReviewStore {
      override commit(c: SourceCommit, now: number): void {
        let rows = 0;
        super.commit(
          {
            ...c,
            writeStates: (write, remove) =>
              c.writeStates(
                (d, row) => {
                  rows++;
                  write(d, row);
                },
                (d, ip) => {
                  rows++;
                  remove(d, ip);
                },
              ),
          },
          now,
        );
        commits.push({ offset: offsetOf(c.source.position), rows });
      }
    })();
    // 3,000 addresses each probing once, then one line 90 minutes later: every window has ended.
    const lines = Array.from({ length: 3000 }, (_, i) =>
      nginx(`203.0.${i >> 8}.${(i & 0xff) + 1}`, 404, `/probe-${i}`, i),
    );
    lines.push('198.51.100.1 - - [25/Nov/2026:21:00:00 +0000] "GET / HTTP/1.1" 200 0 "-" "-"\n');
    const logs = { ...config.logs, commitBytes: 1 << 30, commitRows: 500 };
    const review = new SourceReview({
      source,
      cursor: new ListCursor(lines),
      parser: createParser('nginx', { timeZone: 'UTC', now: () => NOW }),
      detectors: new DetectorSet({
        source,
        settings: config.logs.settings.nginx,
        maxTracked: 10_000,
        detectors,
      }),
      store,
      logs,
      now: () => NOW,
      learnBaseline: true,
    });
    await review.pass(addresses);
    const end = commits.findIndex((c) => c.offset === lines.length);
    const sweep = commits.slice(end + 1);
    // Each of the sweep's commits at the end position, none bigger than the bound, and it took several.
    expect(sweep.length).toBeGreaterThanOrEqual(6);
    expect(sweep.every((c) => c.offset === lines.length && c.rows <= 500)).toBe(true);
    // (Windows opened since the last commit point were never stored: nothing to delete for them.)
    expect(sweep.reduce((n, c) => n + c.rows, 0)).toBeGreaterThan(2500);
    expect(review.tracking().find((t) => t.detector === 'probing')?.tracked).toBe(0);
    // Nothing of an ended window is left stored: a restarted loop starts with none.
    expect(store.detectorState('journal', 'probing')).toEqual([]);
  });

  it('commits the cursor position with the counts, and a new loop resumes after it', async () => {
    const store = new MemoryReviewStore();
    const lines = Array.from({ length: 6 }, (_, i) => nginx('203.0.113.7', 401, '/login', i));
    const cursor = new ListCursor(lines);
    expect(await build(store, cursor).pass(addresses)).toMatchObject({
      lines: 6,
      matched: 6,
      firstRun: true,
    });
    expect(offsetOf(store.source('journal')?.position)).toBe(6);
    // A fresh loop (a restarted process) over the same store reads only what came after.
    lines.push(...Array.from({ length: 6 }, (_, i) => nginx('203.0.113.7', 401, '/login', 10 + i)));
    const again = await build(store, cursor).pass(addresses);
    expect(again).toMatchObject({ lines: 6, firstRun: false });
    expect(store.counts('journal')).toEqual([
      expect.objectContaining({ ip: '203.0.113.7', failures: 12, clientErrors: 12 }),
    ]);
    // The window state came back from the store: 12 failures over two processes cross 10.
    expect(store.activeFindings().map((f) => f.key)).toEqual(['brute-force:journal:203.0.113.7']);
    expect(store.source('journal')).toMatchObject({ lines: 12, learning: false });
  });

  it('a failing commit leaves the store at the last good position', async () => {
    const store = new MemoryReviewStore();
    let commits = 0;
    const failing = Object.create(store) as MemoryReviewStore;
    failing.commit = (c, now) => {
      if (++commits === 2) throw new Error('disk full');
      store.commit(c, now);
    };
    const lines = Array.from({ length: 6 }, (_, i) => nginx('203.0.113.7', 401, '/login', i));
    await expect(build(failing, new ListCursor(lines)).pass(addresses)).rejects.toThrow('disk full');
    expect(offsetOf(store.source('journal')?.position)).toBe(2);
    await build(store, new ListCursor(lines)).pass(addresses);
    expect(store.counts('journal')[0]?.failures).toBe(6);
  });

  it('commits early when many per-address rows are pending, whatever LOG_COMMIT_BYTES says', async () => {
    const store = new MemoryReviewStore();
    const offsets: number[] = [];
    const counting = Object.create(store) as MemoryReviewStore;
    counting.commit = (c, now) => {
      offsets.push(offsetOf(c.source.position) ?? -1);
      store.commit(c, now);
    };
    const lines = Array.from({ length: 8 }, (_, i) => nginx(`203.0.113.${i + 1}`, 401));
    const logs = { ...config.logs, commitBytes: 1 << 30, commitRows: 16 };
    await build(counting, new ListCursor(lines), logs).pass(addresses);
    // Four rows per new 401 address (its counts, its fast and slow brute-force windows, its
    // probing window), two addresses per chunk: 8 rows pending after the first chunk, 16 after
    // the second.
    expect(offsets).toEqual([4, 8, 8]);
    expect(store.counts('journal')).toHaveLength(8);
  });
});

describe('suggested actions', () => {
  const detection: Detection = {
    key: 'k',
    severity: 'medium',
    title: 't',
    evidence: 'e',
    fix: 'f',
    grounds: 'brute force on nginx: 10+ failures within 10m',
  };
  const settings = config.logs.settings.nginx;

  it('block for brute force and probing, with the grounds as the reason', () => {
    for (const id of ['brute-force', 'probing'] as const) {
      expect(toFindingDraft(id, '203.0.113.7', detection, settings).action).toEqual({
        kind: 'block-ip',
        ip: '203.0.113.7',
        durationMs: settings.banDurationMs,
        reason: detection.grounds,
      });
    }
  });

  it('propose nothing for the detectors whose false positives are family devices', () => {
    for (const id of ['bad-plex-token', 'first-seen-remote', 'owner-new-address'] as const) {
      const draft = toFindingDraft(id, '203.0.113.7', detection, settings);
      expect(draft.action).toBeUndefined();
      expect(draft).not.toHaveProperty('grounds');
    }
    expect(Object.keys(SUGGESTED_ACTIONS)).toHaveLength(detectors.length);
  });
});
