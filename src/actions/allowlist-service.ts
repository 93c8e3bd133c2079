import type { AllowlistRepository } from '../adapters/sqlite/allowlist-repository.js';
import type { AuditLogRepository } from '../adapters/sqlite/audit-log-repository.js';
import type { Transaction } from '../adapters/sqlite/index.js';
import type { AllowlistEntry } from '../domain/ban.js';
import type { Clock } from '../kernel/clock.js';

export interface AllowlistServiceDeps {
  readonly allowlist: AllowlistRepository;
  readonly audit: AuditLogRepository;
  readonly transaction: Transaction;
  readonly clock: Clock;
}

export interface AllowInput {
  /** Already parsed and normalised (parseBlockTarget's text). */
  readonly cidr: string;
  readonly note: string;
  /** A Discord user id. */
  readonly actor: string;
  /** Set when an approved proposal widened trust. */
  readonly proposalId?: number | undefined;
}

/**
 * The `/allow` entries. An entry and its audit row are one write: an entry nobody can account
 * for must not exist, so both commit together or neither does.
 */
export class AllowlistService {
  constructor(private readonly deps: AllowlistServiceDeps) {}

  /** Adds the entry (or updates its note) and audits it; returns whether the entry is new. */
  add(input: AllowInput): { readonly isNew: boolean } {
    const { allowlist, audit, transaction, clock } = this.deps;
    const now = clock.now();
    return transaction(() => {
      const isNew = allowlist.upsert({
        cidr: input.cidr,
        note: input.note,
        addedBy: input.actor,
        addedAt: now,
      });
      audit.append({
        at: now,
        actor: input.actor,
        action: isNew ? 'allowlist.added' : 'allowlist.updated',
        proposalId: input.proposalId,
        target: input.cidr,
        detail: input.note,
      });
      return { isNew };
    });
  }

  all(): AllowlistEntry[] {
    return this.deps.allowlist.all();
  }

  cidrs(): string[] {
    return this.deps.allowlist.cidrs();
  }
}
