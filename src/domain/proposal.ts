import * as v from 'valibot';

/** What a proposal does once approved. Stored as JSON in proposals.payload, read back through this. */
export const ProposalActionSchema = v.variant('kind', [
  v.object({
    kind: v.literal('block-ip'),
    /** Canonical text from parseBlockTarget. */
    target: v.string(),
    /** Undefined: the default duration, escalated for repeat offenders. */
    durationMs: v.optional(v.number()),
    reason: v.string(),
    /** An approver asked to override the refusals that may be overridden. */
    force: v.boolean(),
  }),
  v.object({ kind: v.literal('unblock-ip'), target: v.string() }),
  v.object({
    /** Widening trust: an allow-list entry wider than one address, or any forced one. */
    kind: v.literal('allow-cidr'),
    /** Canonical text from parseBlockTarget. */
    cidr: v.string(),
    note: v.string(),
    force: v.boolean(),
  }),
  v.object({ kind: v.literal('remote-access-off') }),
  /** Changes the owner's plex.tv account: the device's token stops working. */
  v.object({ kind: v.literal('sign-out-device'), deviceId: v.string(), name: v.string() }),
  /** Changes the owner's plex.tv account: the user loses access to the server. */
  v.object({ kind: v.literal('remove-share'), userId: v.string(), home: v.boolean(), name: v.string() }),
  v.object({ kind: v.literal('remote-access-on'), forMs: v.optional(v.number()) }),
  /** Stops one stream on the Plex server; the viewer sees `reason`. Plex Pass only. */
  v.object({
    kind: v.literal('stop-stream'),
    /** `Session.id` from /status/sessions. */
    sessionId: v.string(),
    user: v.string(),
    address: v.string(),
    reason: v.string(),
  }),
]);

export type ProposalAction = Readonly<v.InferOutput<typeof ProposalActionSchema>>;

export type ProposalKind = ProposalAction['kind'];

export const PROPOSAL_STATUSES = ['pending', 'running', 'done', 'failed', 'cancelled', 'expired'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

export const ACTION_ORIGINS = ['command', 'finding', 'auto'] as const;
export type ActionOrigin = (typeof ACTION_ORIGINS)[number];

export interface Proposal {
  readonly id: number;
  readonly action: ProposalAction;
  /** One line for humans: "Block 203.0.113.7 for 1d (40 failed sign-ins)". */
  readonly summary: string;
  readonly origin: ActionOrigin;
  /** A Discord user id, or `finding:<fingerprint>` for proposals from findings. */
  readonly requestedBy: string;
  readonly channelId: string | undefined;
  readonly messageId: string | undefined;
  readonly requiredApprovals: number;
  readonly approvers: readonly string[];
  readonly status: ProposalStatus;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly decidedBy: string | undefined;
  readonly decidedAt: number | undefined;
  readonly finishedAt: number | undefined;
  readonly outcome: string | undefined;
  /** Said while it waits, e.g. an approval dropped because its giver lost the approver role. */
  readonly note: string | undefined;
}
