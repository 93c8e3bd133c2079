import type { FindingChanges } from '../adapters/sqlite/finding-repository.js';
import type { AppContext } from '../domain/app-context.js';
import type { AlertOutbox } from './alert-outbox.js';
import { planAlerts } from './alert-policy.js';
import { changeDigest } from './digest.js';

/**
 * Posts one digest of what changed to the alert channel (quiet when nothing did: snoozed and info
 * findings stay out, critical ones come back as reminders) and marks what was announced. Scans,
 * typed or scheduled, and log reviews all go through here.
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
  const messages = changeDigest(plan.changes, {
    title,
    reminders: plan.reminders,
    ...(notProposed ? { notProposed } : {}),
  });
  await alerts.post(messages.map((embeds) => ({ embeds })));
  ctx.repos.findings.markNotified(plan.notified, ctx.clock.now());
}
