import * as v from 'valibot';
import type { Database } from './database.js';
import { parseStoredJson } from './stored-json.js';

/** `event`: a Plex notification (or Plex going away) ran some checks between scans. */
export type ScanTrigger = 'schedule' | 'command' | 'cli' | 'startup' | 'event';

export interface ScanRunRow {
  readonly id: number;
  readonly trigger: ScanTrigger;
  readonly checkIds: readonly string[];
  readonly startedAt: number;
  readonly finishedAt: number | null;
  readonly status: 'running' | 'done' | 'abandoned';
  readonly summary: string | null;
}

interface RawRow {
  id: number;
  trigger: ScanTrigger;
  check_ids: string;
  started_at: number;
  finished_at: number | null;
  status: ScanRunRow['status'];
  summary: string | null;
}

function toRow(raw: RawRow): ScanRunRow {
  return {
    id: raw.id,
    trigger: raw.trigger,
    checkIds: parseStoredJson(raw.check_ids, v.array(v.string()), 'scan_runs', raw.id),
    startedAt: raw.started_at,
    finishedAt: raw.finished_at,
    status: raw.status,
    summary: raw.summary,
  };
}

export class ScanRunRepository {
  constructor(private readonly db: Database) {}

  start(trigger: ScanTrigger, checkIds: readonly string[], now: number): number {
    const result = this.db
      .prepare("INSERT INTO scan_runs (trigger, check_ids, started_at, status) VALUES (?, ?, ?, 'running')")
      .run(trigger, JSON.stringify(checkIds), now);
    return Number(result.lastInsertRowid);
  }

  finish(id: number, now: number, summary: string): void {
    this.db
      .prepare("UPDATE scan_runs SET status = 'done', finished_at = ?, summary = ? WHERE id = ?")
      .run(now, summary, id);
  }

  abandon(id: number, now: number): void {
    this.db
      .prepare(
        "UPDATE scan_runs SET status = 'abandoned', finished_at = ? WHERE id = ? AND status = 'running'",
      )
      .run(now, id);
  }

  /** Runs left 'running' by a crash or kill: marked abandoned at start-up. Returns how many. */
  abandonUnfinished(now: number): number {
    return this.db
      .prepare("UPDATE scan_runs SET status = 'abandoned', finished_at = ? WHERE status = 'running'")
      .run(now).changes;
  }

  latest(): ScanRunRow | undefined {
    const raw = this.db
      .prepare("SELECT * FROM scan_runs WHERE status = 'done' ORDER BY id DESC LIMIT 1")
      .get() as RawRow | undefined;
    return raw ? toRow(raw) : undefined;
  }

  get(id: number): ScanRunRow | undefined {
    const raw = this.db.prepare('SELECT * FROM scan_runs WHERE id = ?').get(id) as RawRow | undefined;
    return raw ? toRow(raw) : undefined;
  }
}
