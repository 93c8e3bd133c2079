import * as v from 'valibot';
import { SEVERITIES } from './severity.js';

export { isSeverity, SEVERITIES, type Severity, severityRank } from './severity.js';

/** Something a finding proposes; turned into an approval proposal by the actions layer. */
export const SuggestedActionSchema = v.variant('kind', [
  v.object({
    kind: v.literal('block-ip'),
    ip: v.string(),
    durationMs: v.number(),
    reason: v.string(),
  }),
  /** Sign a device out of the owner's plex.tv account (plex-account-devices). */
  v.object({ kind: v.literal('sign-out-device'), deviceId: v.string(), name: v.string() }),
  /** Take a friend's or home user's access away (plex-shares). */
  v.object({ kind: v.literal('remove-share'), userId: v.string(), home: v.boolean(), name: v.string() }),
  /** Stop one stream now (plex-sessions); `reason` is shown to the viewer. */
  v.object({
    kind: v.literal('stop-stream'),
    sessionId: v.string(),
    user: v.string(),
    address: v.string(),
    reason: v.string(),
  }),
]);

export type SuggestedAction = Readonly<v.InferOutput<typeof SuggestedActionSchema>>;

/**
 * What a check or detector returns; the runner adds the check id and the fingerprint. Stored as
 * JSON by the log review and in check state, read back through this.
 */
export const FindingDraftSchema = v.object({
  /** Stable within the check: the same problem gives the same key on every run. */
  key: v.string(),
  severity: v.picklist(SEVERITIES),
  title: v.string(),
  /** The facts seen, naming the setting and its value; shown to the admin. */
  evidence: v.string(),
  /** One line: how to fix it. */
  fix: v.string(),
  action: v.optional(SuggestedActionSchema),
});

export type FindingDraft = Readonly<v.InferOutput<typeof FindingDraftSchema>>;

export interface Finding extends FindingDraft {
  readonly checkId: string;
  /** `${checkId}:${key}`: identity across runs, for dedup, snooze and resolution. */
  readonly fingerprint: string;
}

export function toFinding(checkId: string, draft: FindingDraft): Finding {
  return { ...draft, checkId, fingerprint: `${checkId}:${draft.key}` };
}
