import type { Ban } from '../../domain/ban.js';
import type { ActionOrigin } from '../../domain/proposal.js';
import type { Database } from './database.js';
import { fromRow } from './row.js';

interface Row {
  id: number;
  target: string;
  reason: string;
  origin: ActionOrigin;
  requested_by: string;
  proposal_id: number | null;
  backend: string;
  level: number;
  created_at: number;
  expires_at: number;
  removed_at: number | null;
  removed_by: string | null;
  removed_why: Ban['removedWhy'] | null;
  removal_failures: number;
  removal_retry_at: number | null;
  removal_stuck_at: number | null;
}

/** A ban before it is stored: everything but the id and how it ended. */
export type BanDraft = Omit<
  Ban,
  'id' | 'removedAt' | 'removedBy' | 'removedWhy' | 'removalFailures' | 'removalStuckAt'
>;

export class BanRepository {
  constructor(private readonly db: Database) {}

  active(): Ban[] {
    const rows = this.db
      .prepare('SELECT * FROM bans WHERE removed_at IS NULL ORDER BY expires_at, id')
      .all() as Row[];
    return rows.map(toBan);
  }

  activeFor(target: string): Ban | undefined {
    const row = this.db.prepare('SELECT * FROM bans WHERE target = ? AND removed_at IS NULL').get(target) as
      | Row
      | undefined;
    return row ? toBan(row) : undefined;
  }

  /** Every ban of this target, newest first (for whois), bounded. */
  historyFor(target: string, limit = 20): Ban[] {
    const rows = this.db
      .prepare('SELECT * FROM bans WHERE target = ? ORDER BY created_at DESC, id DESC LIMIT ?')
      .all(target, limit) as Row[];
    return rows.map(toBan);
  }

  /** Bans of this target created since `since` (for escalation), active or not. */
  countSince(target: string, since: number): number {
    const row = this.db
      .prepare(
        `SELECT count(*) AS n FROM bans WHERE target = ? AND created_at >= ? AND (removed_why IS NULL OR removed_why != 'replaced')`,
      )
      .get(target, since) as { n: number };
    return row.n;
  }

  /** Replaces any active ban of the same target (marked `replaced`) and inserts the new one. */
  insertReplacing(draft: BanDraft): Ban {
    return this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE bans SET removed_at = ?, removed_by = ?, removed_why = 'replaced' WHERE target = ? AND removed_at IS NULL`,
        )
        .run(draft.createdAt, draft.requestedBy, draft.target);
      const info = this.db
        .prepare(
          `INSERT INTO bans (target, reason, origin, requested_by, proposal_id, backend, level, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          draft.target,
          draft.reason,
          draft.origin,
          draft.requestedBy,
          draft.proposalId ?? null,
          draft.backend,
          draft.level,
          draft.createdAt,
          draft.expiresAt,
        );
      return toBan(
        this.db.prepare('SELECT * FROM bans WHERE id = ?').get(Number(info.lastInsertRowid)) as Row,
      );
    })();
  }

  /** Marks an active ban removed; false when it was already removed (someone else won). */
  remove(id: number, at: number, by: string, why: 'expired' | 'unblocked'): boolean {
    const info = this.db
      .prepare(
        'UPDATE bans SET removed_at = ?, removed_by = ?, removed_why = ? WHERE id = ? AND removed_at IS NULL',
      )
      .run(at, by, why, id);
    return info.changes === 1;
  }

  /** Expired bans to take out of the firewall now: not stuck, and past their retry time. */
  due(now: number): Ban[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM bans WHERE removed_at IS NULL AND removal_stuck_at IS NULL
         AND coalesce(removal_retry_at, expires_at) <= ? ORDER BY expires_at, id`,
      )
      .all(now) as Row[];
    return rows.map(toBan);
  }

  nextExpiry(): number | undefined {
    const row = this.db
      .prepare(
        'SELECT min(coalesce(removal_retry_at, expires_at)) AS at FROM bans WHERE removed_at IS NULL AND removal_stuck_at IS NULL',
      )
      .get() as { at: number | null };
    return row.at ?? undefined;
  }

  /** One more failed removal: retry at `retryAt`, or mark stuck when `stuck`. Returns the failure count. */
  recordRemovalFailure(id: number, retryAt: number, stuckAt: number | undefined): number {
    this.db
      .prepare(
        `UPDATE bans SET removal_failures = removal_failures + 1, removal_retry_at = ?, removal_stuck_at = ?
         WHERE id = ? AND removed_at IS NULL`,
      )
      .run(retryAt, stuckAt ?? null, id);
    const row = this.db.prepare('SELECT removal_failures AS n FROM bans WHERE id = ?').get(id) as
      | { n: number }
      | undefined;
    return row?.n ?? 0;
  }

  /** Bans the scheduler gave up removing, for /status. */
  stuck(): Ban[] {
    const rows = this.db
      .prepare('SELECT * FROM bans WHERE removed_at IS NULL AND removal_stuck_at IS NOT NULL ORDER BY id')
      .all() as Row[];
    return rows.map(toBan);
  }
}

/** removal_retry_at is the expiry job's own schedule, not part of the ban. */
function toBan(row: Row): Ban {
  return fromRow(row, 'removal_retry_at');
}
