import type { FindingDraft } from '../domain/finding.js';
import type { SourcePosition } from './acquire/types.js';

/** What is known about one source after its last commit. */
export interface StoredSource {
  readonly sourceId: string;
  /** Opaque to the review loop: the cursor produced it and reads it back. */
  readonly position: SourcePosition;
  /** True until the first pass over the source reached the end (baselines learn quietly). */
  readonly learning: boolean;
  readonly parserState: unknown;
  readonly lines: number;
  readonly matched: number;
  readonly skipped: number;
}

export interface DetectorStateRow {
  readonly ip: string;
  readonly state: string;
  readonly lastAt: number;
}

export interface AddressCountDelta {
  failures: number;
  clientErrors: number;
  badTokens: number;
  lastAt: number;
}

/** Failures and 4xx of one address on one local day (`YYYY-MM-DD`), for the weekly picture. */
export interface DailyCount {
  failures: number;
  clientErrors: number;
}

export interface LogFindingRow {
  readonly key: string;
  readonly sourceId: string;
  readonly detector: string;
  readonly ip: string;
  readonly draft: FindingDraft;
  readonly lastAt: number;
  readonly expiresAt: number;
}

/** Everything one batch of lines changed; a store applies it all or nothing. */
export interface SourceCommit {
  readonly source: StoredSource;
  /** Streams changed detector state into the transaction (no batch built in memory). */
  readonly writeStates: (
    write: (detector: string, row: DetectorStateRow) => void,
    remove: (detector: string, ip: string) => void,
  ) => void;
  readonly counts: ReadonlyMap<string, AddressCountDelta>;
  /** Local day → address → counts since the last commit (only days with something counted). */
  readonly daily: ReadonlyMap<string, ReadonlyMap<string, DailyCount>>;
  /**
   * What the stored counts of this source are pruned to (LOG_COUNTS_MAX_ADDRESSES,
   * LOG_COUNTS_RETENTION): the addresses seen most recently, none last seen before `seenAfter`
   * (log time). A store may prune lazily, but never lets the table grow past twice the bound.
   */
  readonly countsBound: { readonly maxAddresses: number; readonly seenAfter: number };
  readonly findings: readonly LogFindingRow[];
}

/**
 * Where the review loop keeps its progress. The SQLite one (the log-review repository) makes a
 * live review exactly-once across crashes: the position never lands without the counts, state
 * and findings it implies. The in-memory one serves `replay`, which then runs the same loop.
 */
export interface ReviewStore {
  source(sourceId: string): StoredSource | undefined;
  detectorState(sourceId: string, detector: string): readonly DetectorStateRow[];
  commit(c: SourceCommit, now: number): void;
  /** Drops findings whose support is older than their retention; returns how many. */
  expireFindings(now: number): number;
  activeFindings(): readonly LogFindingRow[];
}
