export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/** Something a finding proposes; turned into an approval proposal by the actions layer. */
export type SuggestedAction = {
  readonly kind: 'block-ip';
  readonly ip: string;
  readonly durationMs: number;
  readonly reason: string;
};

/** What a check or detector returns. The runner adds the check id and the fingerprint. */
export interface FindingDraft {
  /** Stable within the check: the same problem gives the same key on every run. */
  readonly key: string;
  readonly severity: Severity;
  readonly title: string;
  /** The facts seen, naming the setting and its value; shown to the admin. */
  readonly evidence: string;
  /** One line: how to fix it. */
  readonly fix: string;
  readonly action?: SuggestedAction;
}

export interface Finding extends FindingDraft {
  readonly checkId: string;
  /** `${checkId}:${key}`: identity across runs, for dedup, snooze and resolution. */
  readonly fingerprint: string;
}

export function toFinding(checkId: string, draft: FindingDraft): Finding {
  return { ...draft, checkId, fingerprint: `${checkId}:${draft.key}` };
}
