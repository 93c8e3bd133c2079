import type { FindingChanges } from '../adapters/sqlite/finding-repository.js';
import type { AppContext } from '../domain/app-context.js';
import type { AlertOutbox } from './alert-outbox.js';
import { planAlerts } from './alert-policy.js';
import { digestMessages } from './digest.js';

/**
 * Posts one digest of what changed to the alert channel (quiet when nothing did: snoozed and info
 * findings stay out, critical ones come back as reminders). A finding is marked notified by the
 * outbox once Discord has accepted the message that carries it, never before; a reminder is not
 * queued again while the previous one still waits. Scans, typed or scheduled, and log reviews all
 * go through here.
 */
export async function publishChanges(
  ctx: AppContext,
  alerts: AlertOutbox,
  changes: FindingChanges,
  title: string,
  notProposed?: ReadonlyMap<string, string>,
): Promise<void> {
  const plan = planAlerts(changes, {
    findings: ctx.repos.findings,
    now: ctx.clock.now(),
    renotifyMs: ctx.config.exposure.criticalRenotifyMs,
  });
  const waiting = alerts.pendingFindings();
  const reminders = plan.reminders.filter((f) => !waiting.has(f.fingerprint));
  await alerts.post(
    digestMessages(plan.changes, {
      title,
      reminders,
      addressFacts: ctx.addressFacts,
      ...(notProposed ? { notProposed } : {}),
    }),
  );
}
