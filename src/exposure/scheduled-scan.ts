import schedule from 'node-schedule';
import type { AlertOutbox } from '../alerts/alert-outbox.js';
import { publishChanges } from '../alerts/publish-changes.js';
import type { AppContext } from '../domain/app-context.js';
import { ScanInProgressError, ScanStoppedError } from './scan-runner.js';

/**
 * Runs a scan and posts one digest of what changed. Quiet when nothing changed. A scan that is
 * already running (someone typed /scan) is not doubled: this round is skipped.
 */
export async function runScheduledScan(ctx: AppContext, alerts: AlertOutbox): Promise<void> {
  try {
    const result = await ctx.runner.run({ trigger: 'schedule' });
    await publishChanges(ctx, alerts, result.changes, `Scan #${result.runId}`);
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
