/**
 * Proposals approved by reaction. A proposal is a row first (before any Discord message
 * exists), then a message whose id is recorded, then reactions. Reactions are judged against
 * the row — never against in-memory state — so approvals work after a restart. Before a
 * proposal runs, every approval it counts is checked again against Discord (an approver who
 * lost the role since is dropped, said in the message, and the proposal waits). The switch from
 * pending to running is a compare-and-set in one transaction that also re-counts the approvals,
 * so two approvers reacting in the same instant run the action once.
 */

import type { AuditLogRepository } from '../adapters/sqlite/audit-log-repository.js';
import type { Transaction } from '../adapters/sqlite/index.js';
import type { ProposalRepository } from '../adapters/sqlite/proposal-repository.js';
import type { ActionsConfig } from '../config/actions.js';
import type { ActionOrigin, Proposal, ProposalAction } from '../domain/proposal.js';
import type { Clock } from '../kernel/clock.js';
import { logError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import { type ActionRunner, describeAction, targetOf } from './action-runner.js';
import type { ReactionInput, ReactionVerdict } from './proposal-reaction.js';

export interface ProposalServiceDeps {
  readonly transaction: Transaction;
  readonly config: ActionsConfig;
  readonly proposals: ProposalRepository;
  readonly audit: AuditLogRepository;
  readonly runner: ActionRunner;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Called after a proposal is stored, so the expiry scheduler can re-arm. */
  readonly onChange?: () => void;
}

export interface NewProposal {
  readonly action: ProposalAction;
  readonly origin: ActionOrigin;
  readonly requestedBy: string;
  /** Why (shown in the message); defaults to a description of the action. */
  readonly summary?: string;
}

export class ProposalService {
  /** Actions running right now; shutdown waits for them so none is left half-recorded. */
  private readonly inFlight = new Set<Promise<Proposal>>();

  constructor(private readonly deps: ProposalServiceDeps) {}

  /** Resolves when every action that is running has finished and been recorded. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** Stores the proposal; the caller posts the message next and records its id. */
  create(input: NewProposal): Proposal {
    const { proposals, audit, clock, config } = this.deps;
    const now = clock.now();
    const summary = input.summary ?? describeAction(input.action);
    const proposal = this.deps.transaction(() => {
      const p = proposals.insert({
        action: input.action,
        summary,
        origin: input.origin,
        requestedBy: input.requestedBy,
        requiredApprovals: config.approvalsRequired,
        createdAt: now,
        expiresAt: now + config.proposalTtlMs,
      });
      audit.append({
        at: now,
        actor: input.requestedBy,
        action: 'proposal.created',
        proposalId: p.id,
        target: targetOf(input.action),
        detail: `${input.action.kind} (${input.origin}): ${summary}`,
      });
      return p;
    });
    this.deps.onChange?.();
    return proposal;
  }

  attachMessage(id: number, channelId: string, messageId: string): Proposal {
    const { proposals, audit, clock } = this.deps;
    this.deps.transaction(() => {
      proposals.attachMessage(id, channelId, messageId);
      audit.append({
        at: clock.now(),
        actor: 'system',
        action: 'proposal.posted',
        proposalId: id,
        detail: `message ${messageId} in channel ${channelId}`,
      });
    });
    return proposals.require(id);
  }

  /** Posting the message failed: the proposal can never be approved, so close it. */
  abandon(id: number, why: string): void {
    const { proposals, audit, clock } = this.deps;
    const now = clock.now();
    this.deps.transaction(() => {
      if (proposals.claimForRun(id, now, 'system')) proposals.finish(id, 'failed', why, now);
      audit.append({ at: now, actor: 'system', action: 'proposal.abandoned', proposalId: id, detail: why });
    });
  }

  byMessageId(messageId: string): Proposal | undefined {
    return this.deps.proposals.byMessageId(messageId);
  }

  pendingCount(): number {
    return this.deps.proposals.pendingCount(this.deps.clock.now());
  }

  /** Pending proposals with a posted message, oldest first. */
  pendingWithMessage(): Proposal[] {
    return this.deps.proposals.pendingWithMessage(this.deps.clock.now());
  }

  pendingBlockExists(target: string): boolean {
    return this.deps.proposals.pendingBlockExists(target, this.deps.clock.now());
  }

  pendingAllowExists(cidr: string): boolean {
    return this.deps.proposals.pendingAllowExists(cidr, this.deps.clock.now());
  }

  pendingStopExists(sessionId: string): boolean {
    return this.deps.proposals.pendingStopExists(sessionId, this.deps.clock.now());
  }

  byId(id: number): Proposal | undefined {
    return this.deps.proposals.byId(id);
  }

  /** Judges one ✅ or ❌ and, when it completes the approvals, runs the action (at most once). */
  async react(input: ReactionInput): Promise<ReactionVerdict> {
    const { proposals, audit, clock, transaction } = this.deps;
    const proposal = proposals.byMessageId(input.messageId);
    if (!proposal) return { kind: 'unknown' };
    if (input.isBot) return { kind: 'ignored-bot', proposal };
    const now = clock.now();
    if (!input.isApprover) {
      audit.append({
        at: now,
        actor: input.userId,
        action: 'reaction.refused',
        proposalId: proposal.id,
        detail: `${input.decision} from a user who is not an approver`,
      });
      return { kind: 'not-approver', proposal };
    }
    if (proposal.status === 'pending' && proposal.expiresAt <= now) {
      const expired = this.expireOne(proposal.id, now);
      return { kind: expired ? 'expired' : 'closed', proposal: proposals.require(proposal.id) };
    }
    if (proposal.status !== 'pending') return { kind: 'closed', proposal };

    if (input.decision === 'cancel') {
      const cancelled = transaction(() => {
        const won = proposals.cancel(proposal.id, now, input.userId);
        if (won) {
          audit.append({
            at: now,
            actor: input.userId,
            action: 'proposal.cancelled',
            proposalId: proposal.id,
            detail: 'cancelled by reaction',
          });
        }
        return won;
      });
      return { kind: cancelled ? 'cancelled' : 'closed', proposal: proposals.require(proposal.id) };
    }

    const isNew = transaction(() => {
      const added = proposals.addApproval(proposal.id, input.userId, now);
      if (added) {
        audit.append({
          at: now,
          actor: input.userId,
          action: 'proposal.approved',
          proposalId: proposal.id,
          detail: `approval ${proposals.approvalCount(proposal.id)} of ${proposal.requiredApprovals}`,
        });
      }
      return added;
    });
    const claimed = await this.recheckAndClaim(proposal, input);
    if (!claimed) {
      const current = proposals.require(proposal.id);
      return current.status === 'pending'
        ? { kind: 'approval-recorded', proposal: current, isNew }
        : { kind: 'closed', proposal: current };
    }
    const running = proposals.require(proposal.id);
    const shown = (input.onClaimed?.(running) ?? Promise.resolve()).catch((error: unknown) =>
      this.deps.logger.warn('could not show the proposal running', { proposalId: proposal.id, error }),
    );
    const run = this.execute(running);
    this.inFlight.add(run);
    try {
      const done = await run;
      // The outcome edit must land after the "Running…" edit, never before it.
      await shown;
      return { kind: 'executed', proposal: done };
    } finally {
      this.inFlight.delete(run);
    }
  }

  /**
   * With enough approvals: asks Discord whether each earlier approver is still one (the
   * reacting user was checked just now), drops those who are not, and claims the run only if
   * every approval left is verified and there are still enough. Fails closed.
   */
  private async recheckAndClaim(proposal: Proposal, input: ReactionInput): Promise<boolean> {
    const { proposals, audit, clock, transaction, logger } = this.deps;
    const approvers = proposals.approvers(proposal.id);
    if (approvers.length < proposal.requiredApprovals) return false;
    const others = approvers.filter((id) => id !== input.userId);
    let still: ReadonlySet<string>;
    try {
      still = others.length > 0 ? await input.stillApprovers(others) : new Set();
    } catch (error) {
      logger.warn('could not re-check approvers; the proposal waits', { proposalId: proposal.id, error });
      proposals.setNote(
        proposal.id,
        'Could not re-check the approvers with Discord; nothing ran. Approve again shortly.',
      );
      return false;
    }
    const verified = new Set([input.userId, ...others.filter((id) => still.has(id))]);
    const dropped = others.filter((id) => !still.has(id));
    const now = clock.now();
    return transaction(() => {
      for (const id of dropped) {
        if (!proposals.removeApproval(proposal.id, id)) continue;
        audit.append({
          at: now,
          actor: 'system',
          action: 'proposal.approval-dropped',
          proposalId: proposal.id,
          target: id,
          detail: 'the approver lost the approver role (or left the server) before the proposal ran',
        });
      }
      if (dropped.length > 0) {
        proposals.setNote(
          proposal.id,
          `Approval dropped: ${dropped.map((id) => `<@${id}>`).join(', ')} ${dropped.length === 1 ? 'is' : 'are'} no longer an approver. Waiting for another approval.`,
        );
      }
      const current = proposals.approvers(proposal.id);
      const enough = current.length >= proposal.requiredApprovals && current.every((id) => verified.has(id));
      if (!enough || !proposals.claimForRun(proposal.id, now, input.userId)) return false;
      audit.append({
        at: now,
        actor: input.userId,
        action: 'proposal.running',
        proposalId: proposal.id,
        detail: 'approved; approvals re-checked',
      });
      return true;
    });
  }

  /**
   * An approver took their ✅ back before the proposal ran: the approval no longer counts.
   * Returns the updated proposal, or undefined when nothing changed.
   */
  withdraw(messageId: string, userId: string): Proposal | undefined {
    const { proposals, audit, clock, transaction } = this.deps;
    const proposal = proposals.byMessageId(messageId);
    if (!proposal) return undefined;
    const removed = transaction(() => {
      const won = proposals.removeApproval(proposal.id, userId);
      if (won) {
        audit.append({
          at: clock.now(),
          actor: userId,
          action: 'proposal.approval-withdrawn',
          proposalId: proposal.id,
          detail: 'reaction removed before the proposal ran',
        });
      }
      return won;
    });
    return removed ? proposals.require(proposal.id) : undefined;
  }

  /** Marks every pending proposal whose time is up as expired; returns them for message edits. */
  expireDue(): Proposal[] {
    const { proposals, clock } = this.deps;
    const now = clock.now();
    const out: Proposal[] = [];
    for (const p of proposals.dueForExpiry(now)) {
      if (this.expireOne(p.id, now)) out.push(proposals.require(p.id));
    }
    return out;
  }

  nextExpiry(): number | undefined {
    return this.deps.proposals.nextExpiry();
  }

  /** On start: a proposal left `running` by a crash is reported failed, never re-run. */
  failInterrupted(): Proposal[] {
    const { proposals, audit, clock } = this.deps;
    const now = clock.now();
    const outcome =
      'Interrupted by a restart while running; it was not retried. Check /blocks and try again if needed.';
    const failed = proposals.failInterrupted(now, outcome);
    for (const p of failed) {
      audit.append({
        at: now,
        actor: 'system',
        action: 'proposal.interrupted',
        proposalId: p.id,
        detail: outcome,
      });
    }
    return failed;
  }

  private expireOne(id: number, now: number): boolean {
    const { proposals, audit, transaction } = this.deps;
    return transaction(() => {
      const won = proposals.expire(id, now);
      if (won)
        audit.append({
          at: now,
          actor: 'system',
          action: 'proposal.expired',
          proposalId: id,
          detail: 'nobody approved in time',
        });
      return won;
    });
  }

  private async execute(proposal: Proposal): Promise<Proposal> {
    const { proposals, audit, clock, logger } = this.deps;
    let status: 'done' | 'failed';
    let outcome: string;
    try {
      outcome = await this.deps.runner.perform(proposal);
      status = 'done';
    } catch (error) {
      status = 'failed';
      // logError: a service's own output (a firewall's stderr) is only in the logged error.
      outcome = logError(error, logger, {
        during: 'carrying out a proposal',
        proposalId: proposal.id,
        kind: proposal.action.kind,
      }).text;
    }
    const now = clock.now();
    this.deps.transaction(() => {
      proposals.finish(proposal.id, status, outcome, now);
      audit.append({
        at: now,
        actor: 'system',
        action: status === 'done' ? 'proposal.done' : 'proposal.failed',
        proposalId: proposal.id,
        target: targetOf(proposal.action),
        detail: outcome,
      });
    });
    return proposals.require(proposal.id);
  }
}
