import type { Database } from './database.js';

/** What one log source counted for an address since it was first reviewed (log_address_counts). */
export interface SourceCounts {
  readonly sourceId: string;
  readonly failures: number;
  readonly clientErrors: number;
  readonly badTokens: number;
  readonly lastAt: number;
}

/** Days (local, `YYYY-MM-DD`) on which a source saw failures or 4xx from the address (log_daily_counts). */
export interface SourceDays {
  readonly sourceId: string;
  readonly firstDay: string;
  readonly lastDay: string;
}

/** A detector's stored row for the address, its state as the detector wrote it (JSON). */
export interface DetectorRow {
  readonly sourceId: string;
  readonly detector: string;
  /** The row's key: the address, or the address behind a detector's own prefix (`~` slow window). */
  readonly key: string;
  readonly state: string;
  readonly lastAt: number;
}

/**
 * The log review's tables read for one address (whois). Each query is on demand and bounded by
 * the tables' own caps (LOG_COUNTS_MAX_ADDRESSES, the detectors' tracked addresses).
 */
export class AddressHistoryRepository {
  constructor(private readonly db: Database) {}

  /**
   * Counts stored under any of `keys` (the address, and the IPv6 networks it is counted under:
   * LOG_IPV6_PREFIX), one row per source, summed: rows written per address before the counts
   * moved to networks stay until they age out (LOG_COUNTS_RETENTION).
   */
  counts(keys: readonly string[]): SourceCounts[] {
    return this.db
      .prepare(
        `SELECT source_id AS sourceId, SUM(failures) AS failures, SUM(client_errors) AS clientErrors,
           SUM(bad_tokens) AS badTokens, MAX(last_at) AS lastAt
         FROM log_address_counts WHERE ip IN (${marks(keys)}) GROUP BY source_id ORDER BY source_id`,
      )
      .all(...keys) as SourceCounts[];
  }

  /** Like `counts`: the days of rows under any of `keys`. */
  days(keys: readonly string[]): SourceDays[] {
    return this.db
      .prepare(
        `SELECT source_id AS sourceId, MIN(day) AS firstDay, MAX(day) AS lastDay
         FROM log_daily_counts WHERE ip IN (${marks(keys)}) GROUP BY source_id ORDER BY source_id`,
      )
      .all(...keys) as SourceDays[];
  }

  /** Rows keyed by the address itself or by one of `prefixes` followed by it. */
  detectorRows(ip: string, prefixes: readonly string[] = []): DetectorRow[] {
    const keys = [ip, ...prefixes.map((p) => `${p}${ip}`)];
    return this.db
      .prepare(
        `SELECT source_id AS sourceId, detector, ip AS key, state, last_at AS lastAt FROM log_detector_state
         WHERE ip IN (${marks(keys)}) ORDER BY source_id, detector, ip`,
      )
      .all(...keys) as DetectorRow[];
  }

  /**
   * Rows holding many addresses under keys starting with `prefix` (a seen detector's chunks) whose
   * state names the address as a JSON string; the caller reads its entry out of them. A scan of
   * those rows' text (a few MB at the detectors' bound), on demand only.
   */
  chunkRows(ip: string, prefix: string): DetectorRow[] {
    return this.db
      .prepare(
        `SELECT source_id AS sourceId, detector, ip AS key, state, last_at AS lastAt FROM log_detector_state
         WHERE substr(ip, 1, length(?)) = ? AND instr(state, ?) > 0 ORDER BY source_id, detector, ip`,
      )
      .all(prefix, prefix, JSON.stringify(ip)) as DetectorRow[];
  }
}

/** One `?` per key, for an IN list. */
function marks(keys: readonly unknown[]): string {
  return keys.map(() => '?').join(',');
}
