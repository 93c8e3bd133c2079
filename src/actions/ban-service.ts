/**
 * Blocks and unblocks addresses: the policy decides, the firewall backend enforces, the
 * database remembers (so bans expire on time across restarts and escalate for repeat
 * offenders), and every step lands in the audit log. Only approved proposals, AUTO_BLOCK and
 * the expiry scheduler call it.
 */

import type { BlockItem, FirewallBackend, FirewallEntry } from '../adapters/firewall/types.js';
import type { AllowlistRepository } from '../adapters/sqlite/allowlist-repository.js';
import type { AuditLogRepository } from '../adapters/sqlite/audit-log-repository.js';
import type { BanRepository } from '../adapters/sqlite/ban-repository.js';
import type { ActionsConfig } from '../config/actions.js';
import type { Ban } from '../domain/ban.js';
import type { ActionOrigin } from '../domain/proposal.js';
import type { Clock } from '../kernel/clock.js';
import { formatDuration } from '../kernel/duration.js';
import { UserError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import { type BlockPolicy, type BlockTarget, type BlockVerdict, parseBlockTarget } from './block-policy.js';

export interface BlockRequest {
  readonly input: string;
  /** Undefined: BAN_DEFAULT_DURATION, escalated for repeat offenders. */
  readonly durationMs?: number | undefined;
  readonly reason: string;
  readonly origin: ActionOrigin;
  readonly requestedBy: string;
  readonly force?: boolean;
  readonly proposalId?: number | undefined;
}

export interface BlockResult {
  readonly ban: Ban;
  readonly target: BlockTarget;
  readonly durationMs: number;
  readonly forcedOver: readonly string[];
}

export interface ReconcileReport {
  /** False for backends that cannot list (none, command): nothing was compared. */
  readonly listable: boolean;
  /** Bans the database has and the firewall had lost; put back. */
  readonly reapplied: readonly string[];
  /** Bans we could not put back (the error is logged). */
  readonly failed: readonly string[];
  /** Entries in our firewall objects that the database does not know (drift, left alone). */
  readonly unknown: readonly FirewallEntry[];
  /** Bans whose time was up while the bot was down; removed now. */
  readonly expired: readonly Ban[];
  /** Expired bans the firewall refused to remove for the last time (see expireDue). */
  readonly stuck: readonly Ban[];
}

export interface ExpiryReport {
  /** Bans whose time was up, now out of the firewall and recorded as expired. */
  readonly ended: readonly Ban[];
  /** Bans whose removal failed for the last time just now: report them once. */
  readonly stuck: readonly Ban[];
}

/** Attempts to remove an expired ban before it is reported stuck. */
export const REMOVAL_ATTEMPTS = 5;

/** 30 s, 2 min, 8 min, 32 min: a firewall that is down for a while gets about 40 minutes. */
function retryDelay(attempt: number): number {
  return 30_000 * 4 ** (attempt - 1);
}

export interface BanServiceDeps {
  readonly config: ActionsConfig;
  readonly policy: BlockPolicy;
  readonly firewall: FirewallBackend;
  readonly bans: BanRepository;
  readonly allowlist: AllowlistRepository;
  readonly audit: AuditLogRepository;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Called after a ban is added so the expiry scheduler can re-arm its timer. */
  readonly onChange?: () => void;
}

export class BanService {
  constructor(private readonly deps: BanServiceDeps) {}

  get backendName(): string {
    return this.deps.firewall.name;
  }

  /** The policy verdict, for commands that validate before they propose. */
  check(input: string, force = false): BlockVerdict {
    return this.deps.policy.check(input, { force });
  }

  /** Validates a requested duration against BAN_MAX_DURATION; throws a UserError when too long. */
  checkDuration(durationMs: number | undefined): void {
    if (durationMs !== undefined && durationMs > this.deps.config.banMaxMs) {
      throw new UserError(
        `A ban can last at most ${formatDuration(this.deps.config.banMaxMs)} (BAN_MAX_DURATION); asked for ${formatDuration(durationMs)}.`,
      );
    }
  }

  /**
   * How long this ban would last: an explicit duration from a person is used as given; the
   * default or a finding's suggestion is multiplied by FACTOR^level for repeat offenders, up to
   * the cap.
   */
  plannedDuration(
    target: string,
    request: Pick<BlockRequest, 'durationMs' | 'origin'>,
  ): { ms: number; level: number } {
    const { config, bans, clock } = this.deps;
    const level = bans.countSince(target, clock.now() - config.banEscalationWindowMs);
    const base = request.durationMs ?? config.banDefaultMs;
    const escalate = request.origin !== 'command' || request.durationMs === undefined;
    if (!escalate) return { ms: Math.min(base, config.banMaxMs), level };
    const factor = config.banEscalationFactor ** Math.min(level, 30);
    const cap = Math.max(config.banEscalationCapMs, base);
    return { ms: Math.min(base * factor, cap, config.banMaxMs), level };
  }

  async block(request: BlockRequest): Promise<BlockResult> {
    const { firewall, bans, audit, clock, logger } = this.deps;
    const verdict = this.check(request.input, request.force === true);
    if (!verdict.ok) {
      audit.append({
        at: clock.now(),
        actor: request.requestedBy,
        action: 'ban.refused',
        proposalId: request.proposalId,
        target: verdict.target?.text,
        detail: `${verdict.code}: ${verdict.reason}`,
      });
      throw new UserError(
        `Not blocked: ${verdict.reason}${verdict.forceable ? ' An approver can override this with force.' : ''}`,
      );
    }
    this.checkDuration(request.durationMs);
    const { target } = verdict;
    const { ms, level } = this.plannedDuration(target.text, request);
    const comment = `plex-warden: ${request.reason}`;
    await firewall.block(target, ms, comment);
    const now = clock.now();
    const ban = bans.insertReplacing({
      target: target.text,
      reason: request.reason,
      origin: request.origin,
      requestedBy: request.requestedBy,
      proposalId: request.proposalId,
      backend: firewall.name,
      level,
      createdAt: now,
      expiresAt: now + ms,
    });
    audit.append({
      at: now,
      actor: request.requestedBy,
      action: 'ban.added',
      proposalId: request.proposalId,
      target: target.text,
      detail: `${firewall.name}, ${formatDuration(ms)}, level ${level}${verdict.forcedOver.length > 0 ? `, forced over ${verdict.forcedOver.join(', ')}` : ''}: ${request.reason}`,
    });
    logger.info('ban added', { target: target.text, durationMs: ms, level, backend: firewall.name });
    this.deps.onChange?.();
    return { ban, target, durationMs: ms, forcedOver: verdict.forcedOver };
  }

  /** Removes a ban now. Also cleans the firewall when the database has no record (drift). */
  async unblock(
    input: string,
    by: string,
    proposalId?: number,
  ): Promise<{ target: BlockTarget; ban: Ban | undefined }> {
    const { firewall, bans, audit, clock } = this.deps;
    const target = parseBlockTarget(input);
    if (!target) throw new UserError(`\`${input.slice(0, 60)}\` is not an IPv4/IPv6 address or CIDR.`);
    const ban = bans.activeFor(target.text);
    await firewall.unblock(target);
    const now = clock.now();
    if (ban) bans.remove(ban.id, now, by, 'unblocked');
    audit.append({
      at: now,
      actor: by,
      action: 'ban.removed',
      proposalId,
      target: target.text,
      detail: ban
        ? `ban #${ban.id} removed from ${firewall.name}`
        : `no active ban recorded; ${firewall.name} cleaned anyway`,
    });
    this.deps.onChange?.();
    return { target, ban };
  }

  active(): Ban[] {
    return this.deps.bans.active();
  }

  nextExpiry(): number | undefined {
    return this.deps.bans.nextExpiry();
  }

  /** Bans the scheduler gave up removing from the firewall (for /status). */
  stuck(): Ban[] {
    return this.deps.bans.stuck();
  }

  /**
   * Unbans everything whose time is up. A failed removal is retried later, each time waiting
   * longer; after REMOVAL_ATTEMPTS failures the ban is marked stuck and returned once in
   * `stuck`, so the caller reports it and the scheduler never retries it forever.
   */
  async expireDue(): Promise<ExpiryReport> {
    const { firewall, bans, audit, clock, logger } = this.deps;
    const ended: Ban[] = [];
    const stuck: Ban[] = [];
    for (const ban of bans.due(clock.now())) {
      const target = parseBlockTarget(ban.target);
      try {
        if (target) await firewall.unblock(target);
      } catch (error) {
        const now = clock.now();
        const attempt = ban.removalFailures + 1;
        const givesUp = attempt >= REMOVAL_ATTEMPTS;
        bans.recordRemovalFailure(ban.id, now + retryDelay(attempt), givesUp ? now : undefined);
        if (givesUp) {
          logger.error('gave up removing an expired ban', { target: ban.target, attempts: attempt, error });
          audit.append({
            at: now,
            actor: 'system',
            action: 'ban.removal-stuck',
            target: ban.target,
            detail: `ban #${ban.id}: ${firewall.name} refused the removal ${attempt} times; not retried until /unblock`,
          });
          stuck.push(bans.activeFor(ban.target) ?? ban);
        } else {
          logger.warn('could not remove an expired ban; will retry', {
            target: ban.target,
            attempt,
            error,
          });
        }
        continue;
      }
      const now = clock.now();
      if (bans.remove(ban.id, now, 'system', 'expired')) {
        audit.append({
          at: now,
          actor: 'system',
          action: 'ban.expired',
          target: ban.target,
          detail: `ban #${ban.id}`,
        });
        ended.push(ban);
      }
    }
    return { ended, stuck };
  }

  /**
   * On start: prepare the backend, remove bans that ran out while we were down, put back bans
   * the firewall lost (a reboot empties nftables sets) and report entries we do not know.
   */
  async reconcile(): Promise<ReconcileReport> {
    const { firewall, bans, audit, clock, logger } = this.deps;
    await firewall.prepare();
    const { ended: expired, stuck } = await this.expireDue();
    const entries = await firewall.list();
    if (!entries) {
      audit.append({
        at: clock.now(),
        actor: 'system',
        action: 'reconcile',
        detail: `${firewall.name} cannot list its bans; ${bans.active().length} active in the database, not compared`,
      });
      return { listable: false, reapplied: [], failed: [], unknown: [], expired, stuck };
    }
    const present = new Set(entries.map((e) => e.target));
    const active = bans.active();
    const known = new Set(active.map((b) => b.target));
    const reapplied: string[] = [];
    const failed: string[] = [];
    const missing: { ban: Ban; item: BlockItem }[] = [];
    for (const ban of active) {
      if (present.has(ban.target)) continue;
      const target = parseBlockTarget(ban.target);
      const remaining = ban.expiresAt - clock.now();
      if (!target || remaining <= 0) continue;
      missing.push({ ban, item: { target, durationMs: remaining, comment: `plex-warden: ${ban.reason}` } });
    }
    let batched = false;
    if (firewall.blockMany && missing.length > 1) {
      try {
        await firewall.blockMany(missing.map((m) => m.item));
        reapplied.push(...missing.map((m) => m.ban.target));
        batched = true;
      } catch (error) {
        logger.warn('re-applying bans in one batch failed; trying one by one', { error });
      }
    }
    for (const { ban, item } of batched ? [] : missing) {
      try {
        await firewall.block(item.target, item.durationMs, item.comment);
        reapplied.push(ban.target);
      } catch (error) {
        logger.error('could not re-apply a ban', { target: ban.target, error });
        failed.push(ban.target);
      }
    }
    const unknown = entries.filter((e) => !known.has(e.target));
    audit.append({
      at: clock.now(),
      actor: 'system',
      action: 'reconcile',
      detail: `${firewall.name}: ${active.length} active, ${reapplied.length} re-applied, ${failed.length} failed, ${unknown.length} unknown in firewall, ${expired.length} expired while down`,
    });
    if (reapplied.length + failed.length + unknown.length > 0) {
      logger.warn('firewall drift found on start', {
        reapplied,
        failed,
        unknown: unknown.map((e) => e.target),
      });
    }
    return { listable: true, reapplied, failed, unknown, expired, stuck };
  }
}
