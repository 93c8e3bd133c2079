import type { Database } from './database.js';

export interface ScheduledSwitchOff {
  readonly offAt: number;
  readonly createdAt: number;
  readonly attempts: number;
  readonly lastError: string | undefined;
}

interface RawRow {
  off_at: number;
  created_at: number;
  attempts: number;
  last_error: string | null;
}

/** The single pending "switch remote access off at" row (table from migration 005). */
export class RemoteAccessRepository {
  constructor(private readonly db: Database) {}

  scheduled(): ScheduledSwitchOff | undefined {
    const row = this.db
      .prepare('SELECT off_at, created_at, attempts, last_error FROM remote_access_schedule WHERE id = 1')
      .get() as RawRow | undefined;
    return row
      ? {
          offAt: row.off_at,
          createdAt: row.created_at,
          attempts: row.attempts,
          lastError: row.last_error ?? undefined,
        }
      : undefined;
  }

  /** Replaces any pending switch-off. */
  schedule(offAt: number, now: number): void {
    this.db
      .prepare(
        `INSERT INTO remote_access_schedule (id, off_at, created_at, attempts, last_error) VALUES (1, ?, ?, 0, NULL)
         ON CONFLICT (id) DO UPDATE SET off_at = excluded.off_at, created_at = excluded.created_at,
           attempts = 0, last_error = NULL`,
      )
      .run(offAt, now);
  }

  /**
   * A due switch-off failed: keep it (due now), with how many attempts failed so far and why;
   * it is tried again later, also after a restart.
   */
  keepFailed(now: number, attempts: number, error: string): void {
    this.db
      .prepare(
        `INSERT INTO remote_access_schedule (id, off_at, created_at, attempts, last_error) VALUES (1, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET off_at = excluded.off_at, created_at = excluded.created_at,
           attempts = excluded.attempts, last_error = excluded.last_error`,
      )
      .run(now, now, attempts, error.slice(0, 500));
  }

  clear(): void {
    this.db.prepare('DELETE FROM remote_access_schedule WHERE id = 1').run();
  }
}
