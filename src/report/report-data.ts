/**
 * The numbers the weekly picture draws, computed once from the database. The chart only draws
 * this object, and tests compare it with their own queries: what is drawn is what is stored.
 */
import type { Repositories } from '../adapters/sqlite/index.js';
import type { AddressFactsLookup } from '../domain/address-facts.js';
import { SEVERITIES, type Severity } from '../domain/finding.js';
import { STREAM_DAYS_KEY, StreamDaysSchema } from '../exposure/remote-stream-days.js';
import { lastLocalDays, localDay, localDayBounds } from '../kernel/local-day.js';
import { type ExposureGrade, exposureGrade } from './exposure-grade.js';

/** `/report days` and `--days` accept 1..31; the daily counts are kept for twice that. */
export const REPORT_MIN_DAYS = 1;
export const REPORT_MAX_DAYS = 31;
export const REPORT_DEFAULT_DAYS = 7;
/** How many networks and countries the picture ranks. */
export const TOP_N = 5;

export interface SourceSeries {
  readonly sourceId: string;
  /** One value per day of `days`. */
  readonly failures: readonly number[];
  readonly clientErrors: readonly number[];
}

export interface Ranked {
  /** `AS64500 Example Hosting`, `NL`, or `unknown`. */
  readonly label: string;
  /** Knocks from its addresses over the period (a 401 counts once: ReportRepository.knocks). */
  readonly events: number;
  readonly addresses: number;
}

export interface ReportData {
  /** Local days, oldest first, the last one being today (so far). */
  readonly days: readonly string[];
  readonly from: number;
  readonly to: number;
  readonly sources: readonly SourceSeries[];
  readonly bansMade: readonly number[];
  readonly bansExpired: readonly number[];
  readonly remoteStreams: readonly number[];
  readonly topAsns: readonly Ranked[];
  readonly topCountries: readonly Ranked[];
  readonly openBySeverity: Readonly<Record<Severity, number>>;
  readonly grade: ExposureGrade;
}

export interface ReportDeps {
  readonly repos: Pick<Repositories, 'report' | 'checkState'>;
  readonly facts: AddressFactsLookup;
  readonly now: number;
}

export function buildReportData(deps: ReportDeps, dayCount: number): ReportData {
  const { repos, facts, now } = deps;
  const days = lastLocalDays(now, dayCount);
  const first = days[0] ?? localDay(now);
  const last = days[days.length - 1] ?? localDay(now);
  const index = new Map(days.map((d, i) => [d, i]));
  const zeros = () => days.map(() => 0);

  const bySource = new Map<string, { failures: number[]; clientErrors: number[] }>();
  for (const row of repos.report.dailyBySource(first, last)) {
    const i = index.get(row.day);
    if (i === undefined) continue;
    let s = bySource.get(row.sourceId);
    if (!s) {
      s = { failures: zeros(), clientErrors: zeros() };
      bySource.set(row.sourceId, s);
    }
    s.failures[i] = row.failures;
    s.clientErrors[i] = row.clientErrors;
  }
  const sources = [...bySource]
    .map(([sourceId, s]) => ({ sourceId, ...s }))
    .sort((a, b) => a.sourceId.localeCompare(b.sourceId));

  const from = localDayBounds(new Date(`${first}T12:00:00`).getTime()).start;
  const perDay = (times: readonly number[]) => {
    const out = zeros();
    for (const t of times) {
      const i = index.get(localDay(t));
      if (i !== undefined) out[i] = (out[i] ?? 0) + 1;
    }
    return out;
  };
  const bans = repos.report.banTimes(from, now + 1);

  const streamDays = repos.checkState
    .forCheck('plex-sessions', () => now)
    .get(STREAM_DAYS_KEY, StreamDaysSchema);
  const remoteStreams = days.map((d) => streamDays?.[d]?.length ?? 0);

  const asns = new Map<string, { events: number; addresses: number }>();
  const countries = new Map<string, { events: number; addresses: number }>();
  const add = (map: typeof asns, label: string, events: number) => {
    const e = map.get(label) ?? { events: 0, addresses: 0 };
    e.events += events;
    e.addresses += 1;
    map.set(label, e);
  };
  for (const k of repos.report.knocks(first, last)) {
    // IPv6 is counted per network (LOG_IPV6_PREFIX): its first address is in the same AS.
    const slash = k.ip.indexOf('/');
    const f = facts.lookup(slash === -1 ? k.ip : k.ip.slice(0, slash));
    add(asns, f ? `AS${f.asn} ${f.asName}` : 'unknown', k.events);
    add(countries, f ? f.country : 'unknown', k.events);
  }
  const top = (map: typeof asns): Ranked[] =>
    [...map]
      .map(([label, e]) => ({ label, ...e }))
      .sort((a, b) => b.events - a.events || a.label.localeCompare(b.label))
      .slice(0, TOP_N);

  const open = repos.report.openBySeverity();
  const openBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, open[s] ?? 0])) as Record<
    Severity,
    number
  >;
  return {
    days,
    from,
    to: now,
    sources,
    bansMade: perDay(bans.made),
    bansExpired: perDay(bans.expired),
    remoteStreams,
    topAsns: top(asns),
    topCountries: top(countries),
    openBySeverity,
    grade: exposureGrade(openBySeverity),
  };
}
