import { describe, expect, it } from 'vitest';
import { LogReviewRepository } from '../../../src/adapters/sqlite/log-review-repository.js';
import type { AddressCountDelta } from '../../../src/logs/review-store.js';
import { openTestDatabase } from '../../harness/log-db.js';
import { reviewedSource } from '../../harness/report-seed.js';

describe('the stored per-address counts of a source', () => {
  const commit = (repo: LogReviewRepository, ips: readonly string[], lastAt: number, maxAddresses: number) =>
    repo.commit(
      {
        source: reviewedSource('nginx'),
        writeStates: () => {},
        counts: new Map<string, AddressCountDelta>(
          ips.map((ip) => [ip, { failures: 1, clientErrors: 2, badTokens: 0, lastAt }]),
        ),
        countsBound: { maxAddresses, seenAfter: Number.NEGATIVE_INFINITY },
        daily: new Map(),
        findings: [],
      },
      lastAt,
    );

  it('adds up an address over commits, and prunes only past the bound however often it was counted', () => {
    const db = openTestDatabase(':memory:');
    try {
      const repo = new LogReviewRepository(db);
      const eight = Array.from({ length: 8 }, (_, i) => `203.0.113.${i + 1}`);
      // 40 upserts of 8 addresses: an estimate counting each as an insert passes the bound of 10.
      for (let i = 0; i < 5; i++) commit(repo, eight, 1_000 + i, 10);
      const counts = repo.counts('nginx');
      expect(counts).toHaveLength(8);
      expect(counts.every((c) => c.failures === 5 && c.clientErrors === 10 && c.lastAt === 1_004)).toBe(true);
      // Four more, seen later: the two seen least recently go.
      commit(repo, ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4'], 2_000, 10);
      const kept = repo.counts('nginx').map((c) => c.ip);
      expect(kept).toHaveLength(10);
      expect(kept.filter((ip) => ip.startsWith('198.51.100.'))).toHaveLength(4);
    } finally {
      db.close();
    }
  });
});
