import type { Proposal } from '../domain/proposal.js';

/** A ✅/❌ (or a button) from someone, as the bot learns it: live, or read back after a restart. */
export interface Decision {
  readonly messageId: string;
  readonly userId: string;
  readonly isBot: boolean;
  readonly guildId: string | null;
  readonly roleIds: readonly string[];
  readonly decision: 'approve' | 'cancel';
}

export type ReactionVerdict =
  /** No proposal behind this message: not ours to judge. */
  | { readonly kind: 'unknown' }
  /** A bot (including ourselves) reacted: ignored, never counted. */
  | { readonly kind: 'ignored-bot'; readonly proposal: Proposal }
  /** Someone who may not approve: nothing counted; remove the reaction where possible. */
  | { readonly kind: 'not-approver'; readonly proposal: Proposal }
  /** Already decided (running, done, failed, cancelled, expired): nothing changes. */
  | { readonly kind: 'closed'; readonly proposal: Proposal }
  | { readonly kind: 'expired'; readonly proposal: Proposal }
  | { readonly kind: 'approval-recorded'; readonly proposal: Proposal; readonly isNew: boolean }
  | { readonly kind: 'cancelled'; readonly proposal: Proposal }
  /** This reaction completed the approvals and the action ran (successfully or not). */
  | { readonly kind: 'executed'; readonly proposal: Proposal };

export interface ReactionInput {
  readonly messageId: string;
  readonly userId: string;
  readonly decision: 'approve' | 'cancel';
  readonly isBot: boolean;
  readonly isApprover: boolean;
  /**
   * Of these earlier approvers, the ones who may approve right now (user id, or role in the
   * configured guild, fetched fresh). Throws when Discord cannot tell: nothing runs then.
   */
  readonly stillApprovers: (userIds: readonly string[]) => Promise<ReadonlySet<string>>;
  /** The claim succeeded: show "Running…" before the action starts. Errors are ignored. */
  readonly onClaimed?: (proposal: Proposal) => Promise<void>;
}
