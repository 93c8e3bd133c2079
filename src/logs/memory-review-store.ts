import type {
  AddressCountDelta,
  DetectorStateRow,
  LogFindingRow,
  ReviewStore,
  SourceCommit,
  StoredSource,
} from './review-store.js';

/** A review store that lives as long as the process: `replay` (a dry run) and tests. */
export class MemoryReviewStore implements ReviewStore {
  private readonly sources = new Map<string, StoredSource>();
  private readonly states = new Map<string, Map<string, DetectorStateRow>>();
  private readonly addressCounts = new Map<string, Map<string, AddressCountDelta>>();
  private readonly findings = new Map<string, LogFindingRow>();

  source(sourceId: string): StoredSource | undefined {
    return this.sources.get(sourceId);
  }

  detectorState(sourceId: string, detector: string): DetectorStateRow[] {
    const rows = [...(this.states.get(`${sourceId}\0${detector}`)?.values() ?? [])];
    return rows.sort((a, b) => a.lastAt - b.lastAt);
  }

  /** Counts per address so far, in the order addresses were first counted. */
  counts(sourceId: string): (AddressCountDelta & { ip: string })[] {
    return [...(this.addressCounts.get(sourceId) ?? [])].map(([ip, d]) => ({ ip, ...d }));
  }

  commit(c: SourceCommit, _now: number): void {
    const sourceId = c.source.sourceId;
    this.sources.set(sourceId, c.source);
    c.writeStates(
      (detector, row) => this.stateMap(sourceId, detector).set(row.ip, row),
      (detector, ip) => this.stateMap(sourceId, detector).delete(ip),
    );
    let counts = this.addressCounts.get(sourceId);
    if (!counts) {
      counts = new Map();
      this.addressCounts.set(sourceId, counts);
    }
    for (const [ip, d] of c.counts) {
      const sum = counts.get(ip);
      if (!sum) counts.set(ip, { ...d });
      else {
        sum.failures += d.failures;
        sum.clientErrors += d.clientErrors;
        sum.badTokens += d.badTokens;
        sum.lastAt = Math.max(sum.lastAt, d.lastAt);
      }
    }
    // The same bound as the SQLite store; first-counted go first (replay has no clock to age by).
    const { maxAddresses, seenAfter } = c.countsBound;
    for (const [ip, d] of counts) {
      if (counts.size <= maxAddresses && d.lastAt >= seenAfter) break;
      counts.delete(ip);
    }
    for (const f of c.findings) this.findings.set(f.key, f);
  }

  expireFindings(now: number): number {
    let n = 0;
    for (const [key, f] of this.findings) {
      if (f.expiresAt <= now) {
        this.findings.delete(key);
        n++;
      }
    }
    return n;
  }

  /**
   * By key, as the SQLite store orders them: the order they were first rendered in depends on
   * where the commit points fell, and those are sized from measured commit times.
   */
  activeFindings(): LogFindingRow[] {
    return [...this.findings.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private stateMap(sourceId: string, detector: string): Map<string, DetectorStateRow> {
    const key = `${sourceId}\0${detector}`;
    let map = this.states.get(key);
    if (!map) {
      map = new Map();
      this.states.set(key, map);
    }
    return map;
  }
}
