import {
  type ActionOrigin,
  type Proposal,
  type ProposalAction,
  ProposalActionSchema,
  type ProposalStatus,
} from '../../domain/proposal.js';
import type { Database } from './database.js';
import { fromRow } from './row.js';
import { parseStoredJson } from './stored-json.js';

interface Row {
  id: number;
  kind: string;
  payload: string;
  summary: string;
  origin: ActionOrigin;
  requested_by: string;
  channel_id: string | null;
  message_id: string | null;
  required_approvals: number;
  status: ProposalStatus;
  created_at: number;
  expires_at: number;
  decided_by: string | null;
  decided_at: number | null;
  finished_at: number | null;
  outcome: string | null;
  note: string | null;
  approvers: string | null;
}

export interface ProposalDraft {
  readonly action: ProposalAction;
  readonly summary: string;
  readonly origin: ActionOrigin;
  readonly requestedBy: string;
  readonly requiredApprovals: number;
  readonly createdAt: number;
  readonly expiresAt: number;
}

const SELECT = `
  SELECT p.*, (SELECT group_concat(user_id, ',') FROM
                 (SELECT user_id FROM proposal_approvals a WHERE a.proposal_id = p.id ORDER BY approved_at, user_id)
              ) AS approvers
  FROM proposals p`;

/** Proposals and their approvals. Status changes are compare-and-set: they say whether they won. */
export class ProposalRepository {
  constructor(private readonly db: Database) {}

  insert(draft: ProposalDraft): Proposal {
    const info = this.db
      .prepare(
        `INSERT INTO proposals (kind, payload, summary, origin, requested_by, required_approvals, status, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
      )
      .run(
        draft.action.kind,
        JSON.stringify(draft.action),
        draft.summary,
        draft.origin,
        draft.requestedBy,
        draft.requiredApprovals,
        draft.createdAt,
        draft.expiresAt,
      );
    return this.require(Number(info.lastInsertRowid));
  }

  attachMessage(id: number, channelId: string, messageId: string): void {
    this.db
      .prepare('UPDATE proposals SET channel_id = ?, message_id = ? WHERE id = ?')
      .run(channelId, messageId, id);
  }

  byId(id: number): Proposal | undefined {
    const row = this.db.prepare(`${SELECT} WHERE p.id = ?`).get(id) as Row | undefined;
    return row ? toProposal(row) : undefined;
  }

  require(id: number): Proposal {
    const proposal = this.byId(id);
    if (!proposal) throw new Error(`proposal ${id} not found`);
    return proposal;
  }

  byMessageId(messageId: string): Proposal | undefined {
    const row = this.db.prepare(`${SELECT} WHERE p.message_id = ?`).get(messageId) as Row | undefined;
    return row ? toProposal(row) : undefined;
  }

  /** Proposals still waiting for approval that have a message (their reactions can be read back). */
  pendingWithMessage(now: number): Proposal[] {
    const rows = this.db
      .prepare(
        `${SELECT} WHERE p.status = 'pending' AND p.expires_at > ? AND p.message_id IS NOT NULL ORDER BY p.id`,
      )
      .all(now) as Row[];
    return rows.map(toProposal);
  }

  /** Whether a block of this target is already waiting for approval. */
  pendingBlockExists(target: string, now: number): boolean {
    return this.pendingWith('block-ip', '$.target', target, now);
  }

  /** Whether an allow-list entry for this CIDR is already waiting for approval. */
  pendingAllowExists(cidr: string, now: number): boolean {
    return this.pendingWith('allow-cidr', '$.cidr', cidr, now);
  }

  /** Whether stopping this Plex session is already waiting for approval. */
  pendingStopExists(sessionId: string, now: number): boolean {
    return this.pendingWith('stop-stream', '$.sessionId', sessionId, now);
  }

  private pendingWith(
    kind: 'block-ip' | 'allow-cidr' | 'stop-stream',
    path: '$.target' | '$.cidr' | '$.sessionId',
    value: string,
    now: number,
  ) {
    return (
      this.db
        .prepare(
          `SELECT 1 FROM proposals
           WHERE status = 'pending' AND kind = ? AND expires_at > ? AND json_extract(payload, ?) = ?`,
        )
        .get(kind, now, path, value) !== undefined
    );
  }

  /** Records an approval; false when this user had already approved. */
  addApproval(id: number, userId: string, at: number): boolean {
    const info = this.db
      .prepare(
        'INSERT OR IGNORE INTO proposal_approvals (proposal_id, user_id, approved_at) VALUES (?, ?, ?)',
      )
      .run(id, userId, at);
    return info.changes === 1;
  }

  /** Withdraws an approval, only while the proposal is still pending; true when one was removed. */
  removeApproval(id: number, userId: string): boolean {
    const info = this.db
      .prepare(
        `DELETE FROM proposal_approvals WHERE proposal_id = ? AND user_id = ?
         AND EXISTS (SELECT 1 FROM proposals WHERE id = ? AND status = 'pending')`,
      )
      .run(id, userId, id);
    return info.changes === 1;
  }

  /** Approvers so far, oldest first. */
  approvers(id: number): string[] {
    const rows = this.db
      .prepare('SELECT user_id FROM proposal_approvals WHERE proposal_id = ? ORDER BY approved_at, user_id')
      .all(id) as { user_id: string }[];
    return rows.map((r) => r.user_id);
  }

  /** What happened while the proposal waits (shown in its message); only while pending. */
  setNote(id: number, note: string): void {
    this.db.prepare(`UPDATE proposals SET note = ? WHERE id = ? AND status = 'pending'`).run(note, id);
  }

  approvalCount(id: number): number {
    const row = this.db
      .prepare('SELECT count(*) AS n FROM proposal_approvals WHERE proposal_id = ?')
      .get(id) as {
      n: number;
    };
    return row.n;
  }

  /**
   * pending → running, only if still pending and not expired. Exactly one caller ever gets true:
   * this is what makes execution at-most-once when two approvers react in the same instant.
   */
  claimForRun(id: number, now: number, decidedBy: string): boolean {
    const info = this.db
      .prepare(
        `UPDATE proposals SET status = 'running', decided_at = ?, decided_by = ?
         WHERE id = ? AND status = 'pending' AND expires_at > ?`,
      )
      .run(now, decidedBy, id, now);
    return info.changes === 1;
  }

  cancel(id: number, now: number, userId: string): boolean {
    const info = this.db
      .prepare(
        `UPDATE proposals SET status = 'cancelled', decided_at = ?, decided_by = ?, finished_at = ?
         WHERE id = ? AND status = 'pending'`,
      )
      .run(now, userId, now, id);
    return info.changes === 1;
  }

  /** pending → expired for one proposal whose time is up. */
  expire(id: number, now: number): boolean {
    const info = this.db
      .prepare(
        `UPDATE proposals SET status = 'expired', finished_at = ?
         WHERE id = ? AND status = 'pending' AND expires_at <= ?`,
      )
      .run(now, id, now);
    return info.changes === 1;
  }

  /** Pending proposals whose time is up, oldest first. */
  dueForExpiry(now: number): Proposal[] {
    const rows = this.db
      .prepare(`${SELECT} WHERE p.status = 'pending' AND p.expires_at <= ? ORDER BY p.expires_at, p.id`)
      .all(now) as Row[];
    return rows.map(toProposal);
  }

  /** Proposals still waiting for approvers (not yet expired). */
  pendingCount(now: number): number {
    const row = this.db
      .prepare(`SELECT count(*) AS n FROM proposals WHERE status = 'pending' AND expires_at > ?`)
      .get(now) as { n: number };
    return row.n;
  }

  nextExpiry(): number | undefined {
    const row = this.db
      .prepare(`SELECT min(expires_at) AS at FROM proposals WHERE status = 'pending'`)
      .get() as {
      at: number | null;
    };
    return row.at ?? undefined;
  }

  finish(id: number, status: 'done' | 'failed', outcome: string, now: number): void {
    this.db
      .prepare(
        `UPDATE proposals SET status = ?, outcome = ?, finished_at = ? WHERE id = ? AND status = 'running'`,
      )
      .run(status, outcome, now, id);
  }

  /** Proposals left `running` by a crash: never re-run (at most once), marked failed instead. */
  failInterrupted(now: number, outcome: string): Proposal[] {
    const rows = this.db.prepare(`${SELECT} WHERE p.status = 'running' ORDER BY p.id`).all() as Row[];
    this.db
      .prepare(
        `UPDATE proposals SET status = 'failed', outcome = ?, finished_at = ? WHERE status = 'running'`,
      )
      .run(outcome, now);
    return rows.map((row) => ({ ...toProposal(row), status: 'failed' as const, outcome, finishedAt: now }));
  }
}

function toProposal(row: Row): Proposal {
  return {
    ...fromRow(row, 'kind', 'payload', 'approvers'),
    action: parseStoredJson(row.payload, ProposalActionSchema, 'proposals', row.id),
    approvers: row.approvers ? row.approvers.split(',') : [],
  };
}
