import type { Repositories } from '../../src/adapters/sqlite/index.js';
import type { AddressFacts, AddressFactsLookup } from '../../src/domain/address-facts.js';
import { toFinding } from '../../src/domain/finding.js';
import { recordStreams, STREAM_DAYS_KEY, StreamDaysSchema } from '../../src/exposure/remote-stream-days.js';
import { localDay } from '../../src/kernel/local-day.js';
import type { DailyCount, StoredSource } from '../../src/logs/review-store.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Documentation addresses (RFC 5737) with made-up networks: the report only groups by them. */
export const SEED_FACTS: Record<string, AddressFacts> = {
  '203.0.113.7': { asn: 64500, asName: 'Example Hosting', country: 'NL' },
  '203.0.113.8': { asn: 64500, asName: 'Example Hosting', country: 'NL' },
  '198.51.100.20': { asn: 64501, asName: 'Example Mobile', country: 'DE' },
  '192.0.2.44': { asn: 64502, asName: 'Example Cloud', country: 'US' },
};

export const seedFacts: AddressFactsLookup = { lookup: (ip) => SEED_FACTS[ip] };

/** One commit of daily counts through the log review's real write path. */
function commitDaily(repos: Repositories, sourceId: string, at: number, counts: Record<string, DailyCount>) {
  commitDailyCounts(repos, sourceId, localDay(at), new Map(Object.entries(counts)), at);
}

/** A file source as the review stores it after a pass, for commits made by hand. */
export function reviewedSource(sourceId: string): StoredSource {
  return {
    sourceId,
    position: {
      kind: 'file',
      path: `/var/log/${sourceId}.log`,
      dev: '1',
      ino: '2',
      headLen: 0,
      headHash: '',
      offset: 0,
    },
    learning: false,
    parserState: null,
    lines: 0,
    matched: 0,
    skipped: 0,
  };
}

/** One day's per-address counts of one source, committed as the review loop commits them. */
export function commitDailyCounts(
  repos: Repositories,
  sourceId: string,
  day: string,
  byIp: ReadonlyMap<string, DailyCount>,
  at: number,
): void {
  repos.logReview.commit(
    {
      source: reviewedSource(sourceId),
      writeStates: () => undefined,
      counts: new Map(),
      countsBound: { maxAddresses: 100_000, seenAfter: Number.NEGATIVE_INFINITY },
      daily: new Map([[day, byIp]]),
      findings: [],
    },
    at,
  );
}

/**
 * A week of a household: two log sources knocking from four networks (one address unknown to
 * the lookup), bans made and one expired, remote streams, and open findings. `now` is the
 * report's time; everything happens in the 7 days before it, plus noise 20 days earlier that a
 * 7-day report must leave out.
 */
export function seedReportDatabase(repos: Repositories, now: number): void {
  const at = (daysAgo: number, hour = 10) => now - daysAgo * DAY + (hour - 12) * HOUR;
  commitDaily(repos, 'nginx', at(6), { '203.0.113.7': { failures: 12, clientErrors: 30 } });
  commitDaily(repos, 'nginx', at(6, 11), { '203.0.113.7': { failures: 3, clientErrors: 0 } });
  commitDaily(repos, 'nginx', at(3), {
    '203.0.113.8': { failures: 0, clientErrors: 44 },
    '198.51.100.20': { failures: 5, clientErrors: 2 },
  });
  commitDaily(repos, 'sshd', at(2), {
    '192.0.2.44': { failures: 61, clientErrors: 0 },
    '100.64.9.9': { failures: 4, clientErrors: 0 },
  });
  commitDaily(repos, 'sshd', at(0, 8), { '203.0.113.7': { failures: 9, clientErrors: 0 } });
  commitDaily(repos, 'nginx', at(20), { '198.51.100.20': { failures: 500, clientErrors: 500 } });

  const ban = (target: string, createdAt: number, hours: number) =>
    repos.bans.insertReplacing({
      target,
      reason: 'brute force',
      origin: 'finding',
      requestedBy: 'seed',
      proposalId: undefined,
      backend: 'none',
      level: 0,
      createdAt,
      expiresAt: createdAt + hours * HOUR,
    });
  const first = ban('203.0.113.7', at(6, 12), 24);
  repos.bans.remove(first.id, first.expiresAt, 'system', 'expired');
  ban('192.0.2.44', at(2, 13), 24 * 30);
  const third = ban('203.0.113.8', at(3, 9), 24 * 30);
  repos.bans.remove(third.id, at(3, 15), 'admin', 'unblocked');
  ban('198.51.100.99', at(20), 1);

  const state = repos.checkState.forCheck('plex-sessions', () => now);
  for (const [daysAgo, ids] of [
    [5, ['s1', 's2']],
    [5, ['s2', 's3']],
    [1, ['s4']],
    [0, ['s4', 's5']],
  ] as const) {
    state.set(STREAM_DAYS_KEY, recordStreams(state.get(STREAM_DAYS_KEY, StreamDaysSchema), at(daysAgo), ids));
  }

  const draft = (key: string, severity: 'info' | 'low' | 'medium' | 'high' | 'critical') =>
    toFinding('seed', { key, severity, title: `seeded ${key}`, evidence: 'seed', fix: 'none' });
  repos.findings.apply({
    runId: null,
    completedSources: [],
    findings: [draft('a', 'medium'), draft('b', 'low'), draft('c', 'info'), draft('d', 'info')],
    now: at(1),
  });
}
