import schedule from 'node-schedule';
import type { AlertOutbox } from '../alerts/alert-outbox.js';
import { planAlerts } from '../alerts/alert-policy.js';
import { changeDigest } from '../alerts/digest.js';
import type { AppContext } from '../app-context.js';
import { ScanInProgressError } from './scan-runner.js';

/**
 * Runs a scan and posts one digest of what changed. Quiet when nothing changed. A scan that is
 * already running (someone typed /scan) is not doubled: this round is skipped.
 */
export async function runScheduledScan(ctx: AppContext, alerts: AlertOutbox): Promise<void> {
  try {
    const result = await ctx.runner.run({ trigger: 'schedule' });
    const plan = planAlerts(result.changes, {
      findings: ctx.repos.findings,
      now: ctx.clock.now(),
      renotifyMs: ctx.config.exposure.criticalRenotifyMs,
    });
    const messages = changeDigest(plan.changes, {
      title: `Scan #${result.runId}`,
      reminders: plan.reminders,
    });
    await alerts.post(messages.map((embeds) => ({ embeds })));
    ctx.repos.findings.markNotified(plan.notified, ctx.clock.now());
  } catch (error) {
    if (error instanceof ScanInProgressError) {
      ctx.logger.info('scheduled scan skipped: another scan is running');
      return;
    }
    ctx.logger.error('scheduled scan failed', { error });
  }
}

export interface ScanSchedule {
  nextAt(): number | undefined;
  cancel(): void;
}

export function scheduleScans(ctx: AppContext, alerts: AlertOutbox): ScanSchedule {
  const job = schedule.scheduleJob(ctx.config.core.scanSchedule, () => void runScheduledScan(ctx, alerts));
  return {
    nextAt: () => job?.nextInvocation()?.getTime(),
    cancel: () => job?.cancel(),
  };
}
