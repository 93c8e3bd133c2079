import type { Finding } from '../domain/finding.js';
import type { Proposal } from '../domain/proposal.js';

/*
 * The proposal board as the scan and the log review see it (they never import the board):
 * the reasons a suggested action will not be proposed, then the proposals.
 */

export interface SkippedSuggestion {
  readonly fingerprint: string;
  /** Safe to show: why no proposal was made (refused by the policy, already blocked, ...). */
  readonly reason: string;
}

export interface SuggestedActionsReport {
  readonly proposed: readonly Proposal[];
  readonly autoBlocked: readonly string[];
  readonly skipped: readonly SkippedSuggestion[];
}

/** What the review loop needs: the reasons before the digest is posted, then the proposals. */
export interface SuggestedActions {
  notProposed(findings: readonly Finding[]): ReadonlyMap<string, string>;
  proposeSuggestedActions(findings: readonly Finding[]): Promise<SuggestedActionsReport>;
}
