import type { AuditEntry } from '../../domain/ban.js';
import type { Database } from './database.js';
import { fromRow } from './row.js';

interface Row {
  id: number;
  at: number;
  actor: string;
  action: string;
  proposal_id: number | null;
  target: string | null;
  detail: string;
}

export interface AuditDraft {
  readonly at: number;
  /** A Discord user id, `system`, or `finding:<fingerprint>`. */
  readonly actor: string;
  readonly action: string;
  readonly proposalId?: number | undefined;
  readonly target?: string | undefined;
  readonly detail: string;
}

/** Append-only: every step of every action, who did it and what came of it. */
export class AuditLogRepository {
  constructor(private readonly db: Database) {}

  append(entry: AuditDraft): void {
    this.db
      .prepare(
        'INSERT INTO audit_log (at, actor, action, proposal_id, target, detail) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(entry.at, entry.actor, entry.action, entry.proposalId ?? null, entry.target ?? null, entry.detail);
  }

  forProposal(proposalId: number): AuditEntry[] {
    const rows = this.db
      .prepare('SELECT * FROM audit_log WHERE proposal_id = ? ORDER BY id')
      .all(proposalId) as Row[];
    return rows.map(toEntry);
  }

  recent(limit: number): AuditEntry[] {
    const rows = this.db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?').all(limit) as Row[];
    return rows.map(toEntry);
  }
}

function toEntry(row: Row): AuditEntry {
  return fromRow(row);
}
