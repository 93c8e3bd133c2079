import schedule from 'node-schedule';
import type { AlertOutbox } from '../alerts/alert-outbox.js';
import { planAlerts } from '../alerts/alert-policy.js';
import { changeDigest } from '../alerts/digest.js';
import type { AppContext } from '../app-context.js';
import { ScanInProgressError, type ScanResult, ScanStoppedError } from './scan-runner.js';

/**
 * Posts one digest of what a scan changed to the alert channel (quiet when nothing did) and marks
 * what was announced. Every scan goes through here, scheduled or typed, so a change seen first by
 * /scan still reaches the alert channel once.
 */
export async function publishScanChanges(
  ctx: AppContext,
  alerts: AlertOutbox,
  result: ScanResult,
): Promise<void> {
  const plan = planAlerts(result.changes, {
    findings: ctx.repos.findings,
    now: ctx.clock.now(),
    renotifyMs: ctx.config.exposure.criticalRenotifyMs,
  });
  const messages = changeDigest(plan.changes, { title: `Scan #${result.runId}`, reminders: plan.reminders });
  await alerts.post(messages.map((embeds) => ({ embeds })));
  ctx.repos.findings.markNotified(plan.notified, ctx.clock.now());
}

/**
 * Runs a scan and posts one digest of what changed. Quiet when nothing changed. A scan that is
 * already running (someone typed /scan) is not doubled: this round is skipped.
 */
export async function runScheduledScan(ctx: AppContext, alerts: AlertOutbox): Promise<void> {
  try {
    const result = await ctx.runner.run({ trigger: 'schedule' });
    await publishScanChanges(ctx, alerts, result);
  } catch (error) {
    if (error instanceof ScanInProgressError) {
      ctx.logger.info('scheduled scan skipped: another scan is running');
      return;
    }
    if (error instanceof ScanStoppedError) {
      ctx.logger.info('scheduled scan stopped by shutdown; the next start scans again');
      return;
    }
    ctx.logger.error('scheduled scan failed', { error });
  }
}

export interface ScanSchedule {
  nextAt(): number | undefined;
  cancel(): void;
  /**
   * Resolves when the scheduled round in flight (scan, digest queued, findings marked) is over,
   * so that shutdown does not close the database between a scan's results and its digest.
   */
  settled(): Promise<void>;
}

export function scheduleScans(ctx: AppContext, alerts: AlertOutbox): ScanSchedule {
  let inFlight: Promise<void> | undefined;
  const job = schedule.scheduleJob(ctx.config.core.scanSchedule, () => {
    const round = runScheduledScan(ctx, alerts).finally(() => {
      if (inFlight === round) inFlight = undefined;
    });
    inFlight = round;
  });
  return {
    nextAt: () => job?.nextInvocation()?.getTime(),
    cancel: () => job?.cancel(),
    settled: async () => {
      await inFlight;
    },
  };
}
