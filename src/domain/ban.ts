import type { ActionOrigin } from './proposal.js';

export interface Ban {
  readonly id: number;
  /** Canonical text from parseBlockTarget. */
  readonly target: string;
  readonly reason: string;
  readonly origin: ActionOrigin;
  readonly requestedBy: string;
  readonly proposalId: number | undefined;
  readonly backend: string;
  /** 0 for a first offence; n for the n-th repeat within the escalation window. */
  readonly level: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly removedAt: number | undefined;
  readonly removedBy: string | undefined;
  readonly removedWhy: 'expired' | 'unblocked' | 'replaced' | undefined;
  /** Failed attempts to take the expired ban out of the firewall. */
  readonly removalFailures: number;
  /** Set when the scheduler gave up removing it (reported once; /unblock tries again). */
  readonly removalStuckAt: number | undefined;
}

export interface AllowlistEntry {
  readonly cidr: string;
  readonly note: string;
  readonly addedBy: string;
  readonly addedAt: number;
  /** When the entry stops applying; undefined: until removed. */
  readonly expiresAt?: number | undefined;
}

export interface AuditEntry {
  readonly id: number;
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly proposalId: number | undefined;
  readonly target: string | undefined;
  readonly detail: string;
}
