/**
 * Render time of the weekly picture (target < 1 s): numbers from SQLite, SVG, PNG by resvg with
 * the shipped font. Two databases: a household's week (the seed the tests use) and a month under
 * a flood (5 sources, 3,000 addresses a day for 31 days: 465,000 daily rows). Peer: the same SVG
 * rendered by resvg with the system fonts loaded (its default), which is what a renderer left to
 * its defaults costs per picture.
 */
import { Resvg } from '@resvg/resvg-js';
import { openStore } from '../src/adapters/sqlite/index.js';
import type { AddressFacts } from '../src/domain/address-facts.js';
import { lastLocalDays } from '../src/kernel/local-day.js';
import { renderPng } from '../src/report/render-png.js';
import { reportSvg } from '../src/report/report-chart.js';
import { buildReportData } from '../src/report/report-data.js';
import { buildWeeklyReport } from '../src/report/weekly-report.js';
import { commitDailyCounts, seedFacts, seedReportDatabase } from '../test/harness/report-seed.js';

const RUNS = 15;

function stats(samples: number[]): { median: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { median: at(0.5), p95: at(0.95) };
}

function time(fn: () => unknown, runs = RUNS): { median: number; p95: number } {
  fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    fn();
    samples.push(performance.now() - started);
  }
  return stats(samples);
}

function floodStore(now: number) {
  const store = openStore(':memory:');
  const facts = new Map<string, AddressFacts>();
  const days = lastLocalDays(now, 31);
  for (let s = 0; s < 5; s++) {
    days.forEach((day, d) => {
      const byIp = new Map<string, { failures: number; clientErrors: number }>();
      for (let i = 0; i < 3_000; i++) {
        const ip = `198.18.${(i >> 8) & 255}.${i & 255}`;
        byIp.set(ip, { failures: (i + d) % 7, clientErrors: (i * 3 + s) % 11 });
        if (!facts.has(ip))
          facts.set(ip, {
            asn: 64_500 + (i % 40),
            asName: `Example ${i % 40}`,
            country: ['NL', 'DE', 'US', 'CN', 'BR', 'RU'][i % 6] ?? 'NL',
          });
      }
      commitDailyCounts(store.repos, `source-${s}`, day, byIp, now);
    });
  }
  return { store, facts: { lookup: (ip: string) => facts.get(ip) } };
}

export default async function main(): Promise<void> {
  const now = Date.now();
  const week = openStore(':memory:');
  seedReportDatabase(week.repos, now);
  const flood = floodStore(now);
  const rows: { name: string; median: number; p95: number }[] = [];
  const weekDeps = { repos: week.repos, facts: seedFacts, now };
  const floodDeps = { repos: flood.store.repos, facts: flood.facts, now };
  rows.push({
    name: 'household week: whole report (data + SVG + PNG)',
    ...time(() => buildWeeklyReport(weekDeps, 7)),
  });
  rows.push({ name: '  of which: numbers from SQLite', ...time(() => buildReportData(weekDeps, 7)) });
  const svg = reportSvg(buildReportData(weekDeps, 7));
  rows.push({ name: '  of which: SVG text', ...time(() => reportSvg(buildReportData(weekDeps, 7))) });
  rows.push({ name: '  of which: PNG (resvg, shipped font only)', ...time(() => renderPng(svg)) });
  rows.push({
    name: 'peer: same SVG, resvg with system fonts loaded',
    ...time(() =>
      new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'Inter' } }).render().asPng(),
    ),
  });
  rows.push({
    name: 'flood month (465k daily rows): whole report',
    ...time(() => buildWeeklyReport(floodDeps, 31), 5),
  });
  rows.push({ name: '  of which: numbers from SQLite', ...time(() => buildReportData(floodDeps, 31), 5) });
  const size = buildWeeklyReport(weekDeps, 7).png.length;
  week.close();
  flood.store.close();

  const width = Math.max(...rows.map((r) => r.name.length));
  console.log(`${'case'.padEnd(width)}  median ms  p95 ms`);
  for (const r of rows)
    console.log(
      `${r.name.padEnd(width)}  ${r.median.toFixed(1).padStart(9)}  ${r.p95.toFixed(1).padStart(6)}`,
    );
  const worst = Math.max(rows[0]?.p95 ?? 0, rows[5]?.p95 ?? 0);
  console.log(
    `\nPNG ${size} bytes. Target: whole report < 1000 ms (p95) — ${worst < 1000 ? 'met' : 'MISSED'}.`,
  );
}
