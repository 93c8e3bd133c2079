import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/adapters/sqlite/index.js';
import { lastLocalDays } from '../../src/kernel/local-day.js';
import { FONT_FILES, renderPng } from '../../src/report/render-png.js';
import { CHART_HEIGHT, CHART_WIDTH, reportSvg } from '../../src/report/report-chart.js';
import { buildWeeklyReport, MAX_ATTACHMENT_BYTES } from '../../src/report/weekly-report.js';
import { pngSize } from '../harness/png-size.js';
import { commitDailyCounts, seedFacts, seedReportDatabase } from '../harness/report-seed.js';
import { tempDir } from '../harness/test-env.js';

const NOW = new Date(2026, 10, 30, 9, 0).getTime();

describe('the weekly picture', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;

  beforeEach(() => {
    dir = tempDir();
    store = openStore(join(dir.path, 'db.sqlite'));
    seedReportDatabase(store.repos, NOW);
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  it('is a PNG of the stated size, small enough for a Discord attachment', () => {
    const report = buildWeeklyReport({ repos: store.repos, facts: seedFacts, now: NOW }, 7);
    expect(pngSize(report.png)).toEqual({ width: CHART_WIDTH, height: CHART_HEIGHT });
    expect(report.png.length).toBeLessThan(MAX_ATTACHMENT_BYTES);
    expect(report.png.length).toBeLessThan(512 * 1024);
  });

  it('draws the numbers the database holds (computed here with SQL of its own)', () => {
    const { data } = buildWeeklyReport({ repos: store.repos, facts: seedFacts, now: NOW }, 7);
    const days = lastLocalDays(NOW, 7);
    expect(data.days).toEqual(days);
    // An independent reading: SQLite's own local-time day of each row.
    const db = new Database(join(dir.path, 'db.sqlite'), { readonly: true });
    try {
      for (const source of ['nginx', 'sshd']) {
        const rows = db
          .prepare(
            'SELECT day, SUM(failures) f, SUM(client_errors) e FROM log_daily_counts WHERE source_id = ? GROUP BY day',
          )
          .all(source) as { day: string; f: number; e: number }[];
        const series = data.sources.find((s) => s.sourceId === source);
        expect(series?.failures).toEqual(days.map((d) => rows.find((r) => r.day === d)?.f ?? 0));
        expect(series?.clientErrors).toEqual(days.map((d) => rows.find((r) => r.day === d)?.e ?? 0));
      }
      const perDay = (sql: string) => {
        const rows = db.prepare(sql).all() as { day: string; n: number }[];
        return days.map((d) => rows.find((r) => r.day === d)?.n ?? 0);
      };
      expect(data.bansMade).toEqual(
        perDay(
          "SELECT date(created_at / 1000, 'unixepoch', 'localtime') day, COUNT(*) n FROM bans GROUP BY day",
        ),
      );
      expect(data.bansExpired).toEqual(
        perDay(
          "SELECT date(removed_at / 1000, 'unixepoch', 'localtime') day, COUNT(*) n FROM bans WHERE removed_why = 'expired' GROUP BY day",
        ),
      );
      const open = db
        .prepare("SELECT severity, COUNT(*) n FROM findings WHERE status = 'open' GROUP BY severity")
        .all() as {
        severity: string;
        n: number;
      }[];
      for (const [severity, n] of Object.entries(data.openBySeverity))
        expect(n).toBe(open.find((r) => r.severity === severity)?.n ?? 0);
      const streams = JSON.parse(
        (
          db
            .prepare("SELECT value FROM check_state WHERE check_id = 'plex-sessions' AND key = 'stream-days'")
            .get() as {
            value: string;
          }
        ).value,
      ) as Record<string, string[]>;
      expect(data.remoteStreams).toEqual(days.map((d) => streams[d]?.length ?? 0));
    } finally {
      db.close();
    }
    // And the seed's story, spelled out: 20-day-old noise is left out, unknown stays unknown.
    expect(data.sources.map((s) => s.failures.reduce((a, b) => a + b, 0))).toEqual([20, 74]);
    expect(data.bansMade.reduce((a, b) => a + b, 0)).toBe(3);
    expect(data.bansExpired.reduce((a, b) => a + b, 0)).toBe(1);
    expect(data.remoteStreams.reduce((a, b) => a + b, 0)).toBe(6);
    expect(data.topAsns).toEqual([
      { label: 'AS64500 Example Hosting', events: 30 + 44 + 9, addresses: 2 },
      { label: 'AS64502 Example Cloud', events: 61, addresses: 1 },
      { label: 'AS64501 Example Mobile', events: 5, addresses: 1 },
      { label: 'unknown', events: 4, addresses: 1 },
    ]);
    expect(data.topCountries.map((c) => c.label)).toEqual(['NL', 'US', 'DE', 'unknown']);
    expect(data.grade).toEqual({ letter: 'B', reason: '1 medium open' });
  });

  it('ranks at most five networks, and every address is "unknown" without a lookup', () => {
    const { data } = buildWeeklyReport(
      { repos: store.repos, facts: { lookup: () => undefined }, now: NOW },
      31,
    );
    expect(data.days).toHaveLength(31);
    expect(data.topAsns).toEqual([{ label: 'unknown', events: 83 + 61 + 5 + 4 + 500, addresses: 5 }]);
  });

  it('labels an IPv6 network (counted per LOG_IPV6_PREFIX) by the AS of its first address', () => {
    const day = lastLocalDays(NOW, 1)[0] as string;
    commitDailyCounts(
      store.repos,
      'nginx',
      day,
      new Map([['2001:470:1f0b:1a::/64', { failures: 0, clientErrors: 7000 }]]),
      NOW,
    );
    const facts = {
      lookup: (ip: string) =>
        ip === '2001:470:1f0b:1a::' ? { asn: 6939, asName: 'HURRICANE', country: 'US' } : undefined,
    };
    const { data } = buildWeeklyReport({ repos: store.repos, facts, now: NOW }, 7);
    expect(data.topAsns[0]).toEqual({ label: 'AS6939 HURRICANE', events: 7000, addresses: 1 });
  });

  it('shows what the data says and no more: an empty database draws empty panels', () => {
    const empty = openStore(':memory:');
    try {
      const { data, png } = buildWeeklyReport({ repos: empty.repos, facts: seedFacts, now: NOW }, 7);
      expect(data.sources).toEqual([]);
      expect(data.topAsns).toEqual([]);
      expect(data.grade.letter).toBe('A');
      expect(pngSize(png)).toEqual({ width: CHART_WIDTH, height: CHART_HEIGHT });
      expect(reportSvg(data)).toContain('Nobody knocked');
    } finally {
      empty.close();
    }
  });

  it('escapes text from outside (network names, source ids) in the SVG', () => {
    const { data } = buildWeeklyReport(
      {
        repos: store.repos,
        facts: { lookup: () => ({ asn: 1, asName: '<script>&"', country: 'NL' }) },
        now: NOW,
      },
      7,
    );
    const svg = reportSvg(data);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&#60;script&#62;&#38;&#34;');
  });

  it('draws its text with the shipped font only (system fonts are never loaded)', () => {
    for (const file of FONT_FILES)
      expect(readFileSync(file).subarray(0, 4)).toEqual(Buffer.from([0, 1, 0, 0]));
    const blank = `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="60"></svg>`;
    const withText = `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="60"><text x="10" y="40" font-family="Inter" font-size="30">Exposure grade B</text></svg>`;
    // A family nobody ships falls back to the default (Inter), never to a system font.
    const otherFamily = withText.replace('font-family="Inter"', 'font-family="DejaVu Sans"');
    expect(renderPng(withText).equals(renderPng(blank))).toBe(false);
    expect(renderPng(otherFamily).equals(renderPng(withText))).toBe(true);
    const svg = reportSvg(buildWeeklyReport({ repos: store.repos, facts: seedFacts, now: NOW }, 7).data);
    expect(svg).not.toMatch(/href|url\(|@import/);
  });

  it('renders inside a network namespace with no interfaces up (no network at all)', () => {
    const script = `
      import { openStore } from './src/adapters/sqlite/index.js';
      import { buildWeeklyReport } from './src/report/weekly-report.js';
      import { seedFacts, seedReportDatabase } from './test/harness/report-seed.js';
      const store = openStore(':memory:');
      seedReportDatabase(store.repos, ${NOW});
      const r = buildWeeklyReport({ repos: store.repos, facts: seedFacts, now: ${NOW} }, 7);
      process.stdout.write(String(r.png.length));`;
    let out: string;
    try {
      out = execFileSync(
        'unshare',
        ['--net', process.execPath, '--import', 'tsx', '--input-type=module', '-e', script],
        {
          encoding: 'utf8',
          cwd: join(import.meta.dirname, '../..'),
          timeout: 30_000,
        },
      );
    } catch (error) {
      // unshare needs root (CAP_SYS_ADMIN); these machines and CI run as root.
      if (process.getuid?.() !== 0) return;
      throw error;
    }
    expect(Number(out)).toBeGreaterThan(10_000);
  });
});
