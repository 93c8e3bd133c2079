import type {
  FindingChanges,
  FindingRepository,
  StoredFinding,
} from '../adapters/sqlite/finding-repository.js';
import type { Finding } from '../domain/finding.js';

export interface AlertPlan {
  /** What the digest shows as new, changed and resolved. */
  readonly changes: FindingChanges;
  /** Critical findings still open and not notified for the re-notify interval. */
  readonly reminders: readonly StoredFinding[];
  /** Fingerprints to mark notified once the digest is handed to the outbox. */
  readonly notified: readonly string[];
}

/**
 * Which changes reach the alert channel, so alerts stay something people read:
 * - info findings are listed by /scan and /findings but never pushed (a friend starting a stream
 *   is not an alert); a change into or out of info is pushed;
 * - a snoozed finding is silent in every form until its snooze ends;
 * - a critical finding is posted again every `renotifyMs` while it stays open.
 */
export function planAlerts(
  changes: FindingChanges,
  options: { findings: FindingRepository; now: number; renotifyMs: number },
): AlertPlan {
  const { findings, now, renotifyMs } = options;
  const snoozed = (fingerprint: string) => (findings.get(fingerprint)?.snoozedUntil ?? 0) > now;
  const loud = (finding: Pick<Finding, 'severity' | 'fingerprint'>) =>
    finding.severity !== 'info' && !snoozed(finding.fingerprint);
  const filtered: FindingChanges = {
    opened: changes.opened.filter(loud),
    changed: changes.changed.filter(
      (c) =>
        !snoozed(c.finding.fingerprint) && (c.finding.severity !== 'info' || c.previousSeverity !== 'info'),
    ),
    resolved: changes.resolved.filter(loud),
  };
  const inDigest = new Set([
    ...filtered.opened.map((f) => f.fingerprint),
    ...filtered.changed.map((c) => c.finding.fingerprint),
    ...changes.resolved.map((f) => f.fingerprint),
  ]);
  const reminders = findings
    .dueForReminder('critical', now - renotifyMs, now)
    .filter((f) => !inDigest.has(f.fingerprint));
  return {
    changes: filtered,
    reminders,
    notified: [
      ...filtered.opened.map((f) => f.fingerprint),
      ...filtered.changed.map((c) => c.finding.fingerprint),
      ...reminders.map((f) => f.fingerprint),
    ],
  };
}
