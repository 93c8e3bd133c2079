import type { Severity } from '../../domain/finding.js';
import type { Database } from './database.js';

export interface DailySourceCount {
  readonly day: string;
  readonly sourceId: string;
  readonly failures: number;
  readonly clientErrors: number;
}

export interface AddressKnocks {
  readonly ip: string;
  /**
   * Knocks over the days asked for: per day and source the larger of failures and 4xx, because
   * a web 401 is both (a failed sign-in and a 4xx answer) and must count once; an SSH failure
   * has no 4xx, a 404 no failure.
   */
  readonly events: number;
}

/** The reads behind the weekly picture; each one query over indexed columns. */
export class ReportRepository {
  constructor(private readonly db: Database) {}

  /** Per local day and source, days `from`..`to` inclusive (`YYYY-MM-DD`). */
  dailyBySource(from: string, to: string): DailySourceCount[] {
    return this.db
      .prepare(
        `SELECT day, source_id AS sourceId, SUM(failures) AS failures, SUM(client_errors) AS clientErrors
         FROM log_daily_counts WHERE day >= ? AND day <= ? GROUP BY day, source_id ORDER BY day, source_id`,
      )
      .all(from, to) as DailySourceCount[];
  }

  /** Every address that failed or got a 4xx in the days asked for, most events first. */
  knocks(from: string, to: string): AddressKnocks[] {
    return this.db
      .prepare(
        `SELECT ip, SUM(MAX(failures, client_errors)) AS events FROM log_daily_counts
         WHERE day >= ? AND day <= ? GROUP BY ip HAVING events > 0 ORDER BY events DESC, ip`,
      )
      .all(from, to) as AddressKnocks[];
  }

  /** When bans were made, and when bans ran out on their own, within [from, to). */
  banTimes(from: number, to: number): { made: number[]; expired: number[] } {
    const made = this.db
      .prepare(
        'SELECT created_at AS at FROM bans WHERE created_at >= ? AND created_at < ? ORDER BY created_at',
      )
      .all(from, to) as { at: number }[];
    const expired = this.db
      .prepare(
        `SELECT removed_at AS at FROM bans WHERE removed_why = 'expired' AND removed_at >= ? AND removed_at < ?
         ORDER BY removed_at`,
      )
      .all(from, to) as { at: number }[];
    return { made: made.map((r) => r.at), expired: expired.map((r) => r.at) };
  }

  /** Open findings per severity, snoozed ones included: a snooze silences, it does not fix. */
  openBySeverity(): Partial<Record<Severity, number>> {
    const rows = this.db
      .prepare("SELECT severity, COUNT(*) AS n FROM findings WHERE status = 'open' GROUP BY severity")
      .all() as { severity: Severity; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.severity, r.n]));
  }
}
